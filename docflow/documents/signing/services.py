"""Managing signing keys and images (agency admins): a PKCS#12 file, PKCS#11 settings, or an
external signer's certificate, for a member (personal signature) or for the agency (its seal).

Who signs for whom follows the roles: a personal key belongs to a leader of the agency; the
agency's key is used by its clerks at issue. Each write is one transaction with its audit event.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from docflow.audit.services import event_record
from docflow.core.errors import NotPermitted
from docflow.core.services import service
from docflow.documents.files import stored_file_put_bytes
from docflow.documents.signing.credentials import (
    pkcs12_certificate,
    seal,
    validate_certificate_der,
)
from docflow.documents.signing.models import CredentialKind, SigningCredential
from docflow.tenancy.models import Membership

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_IMAGE_BYTES = 2 * 1024 * 1024


def _admin_check(actor: Membership) -> None:
    if not actor.has_role("agency_admin"):
        raise NotPermitted(_("Chỉ quản trị đơn vị được quản lý chứng thư số."))


def _signer_checked(actor: Membership, user_id: int | None) -> None:
    """A personal key only for a leader of the actor's agency (the leader signs)."""
    if user_id is None:
        return
    member = Membership.objects.filter(agency_id=actor.agency_id, user_id=user_id, is_active=True).first()
    if member is None or not member.has_role("leader"):
        raise ValidationError({"user": [_("Chỉ lãnh đạo của cơ quan được cấp khóa ký cá nhân.")]})


def _saved(actor: Membership, user_id: int | None, kind: str, **values) -> SigningCredential:
    credential = SigningCredential.objects.filter(agency_id=actor.agency_id, user_id=user_id).first()
    credential = credential or SigningCredential(agency_id=actor.agency_id, user_id=user_id)
    credential.kind = kind
    for name in ("p12_encrypted", "p12_password_encrypted", "certificate_der"):
        setattr(credential, name, b"")
    for name in ("pkcs11_module", "pkcs11_token_label", "pkcs11_key_label", "pkcs11_pin_env"):
        setattr(credential, name, "")
    for name, value in values.items():
        setattr(credential, name, value)
    credential.full_clean(exclude=["agency", "user", "image"], validate_constraints=False)
    credential.save()
    event_record(
        agency_id=actor.agency_id, action="signing.credential_set", object_type="signing_credential",
        object_id=credential.pk, actor_id=actor.user_id,
        data={"kind": kind, "for": "agency" if user_id is None else f"user:{user_id}"},
    )
    return credential


@service
def credential_set_pkcs12(*, actor: Membership, user_id: int | None, data: bytes,
                          password: str) -> SigningCredential:
    """Keep a PKCS#12 file (and its password) encrypted; its certificate in clear."""
    _admin_check(actor)
    certificate = pkcs12_certificate(data=data, password=password)
    _signer_checked(actor, user_id)
    return _saved(actor, user_id, CredentialKind.PKCS12, certificate_der=certificate,
                  p12_encrypted=seal(data), p12_password_encrypted=seal(password.encode()))


@service
def credential_set_pkcs11(*, actor: Membership, user_id: int | None, module: str, token_label: str,
                          key_label: str, pin_env: str = "", certificate: bytes = b"") -> SigningCredential:
    """A key on a token or HSM: the module, the token and key labels, and the name of the
    environment variable that holds the PIN (the PIN itself is never stored)."""
    _admin_check(actor)
    errors = {name: [_("Bắt buộc.")] for name, value in
              (("module", module), ("token_label", token_label), ("key_label", key_label)) if not value.strip()}
    if errors:
        raise ValidationError(errors)
    der = validate_certificate_der(certificate) if certificate else b""
    _signer_checked(actor, user_id)
    return _saved(actor, user_id, CredentialKind.PKCS11, certificate_der=der,
                  pkcs11_module=module.strip(), pkcs11_token_label=token_label.strip(),
                  pkcs11_key_label=key_label.strip(), pkcs11_pin_env=pin_env.strip())


@service
def credential_set_external(*, actor: Membership, user_id: int, certificate: bytes) -> SigningCredential:
    """A leader who signs outside (USB token app, remote signing): only the certificate is held."""
    _admin_check(actor)
    der = validate_certificate_der(certificate)
    _signer_checked(actor, user_id)
    return _saved(actor, user_id, CredentialKind.EXTERNAL, certificate_der=der)


@service
def credential_image_set(*, actor: Membership, user_id: int | None, png: bytes) -> SigningCredential:
    """The signature image (a leader's) or the seal image (the agency's): a transparent PNG."""
    _admin_check(actor)
    if not png.startswith(PNG_MAGIC) or len(png) > MAX_IMAGE_BYTES:
        raise ValidationError({"image": [_("Ảnh chữ ký/con dấu phải là tệp PNG (nền trong suốt), tối đa 2 MB.")]})
    credential = SigningCredential.objects.filter(agency_id=actor.agency_id, user_id=user_id).first()
    if credential is None:
        raise ValidationError({"image": [_("Cần cấp khóa ký trước khi tải ảnh.")]})
    credential.image = stored_file_put_bytes(data=png, content_type="image/png")
    credential.save(update_fields=["image", "updated_at"])
    event_record(
        agency_id=actor.agency_id, action="signing.image_set", object_type="signing_credential",
        object_id=credential.pk, data={"sha256": credential.image_id},
    )
    return credential
