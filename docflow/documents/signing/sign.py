"""Signing as the rest of Docflow asks for it: "the member signs these bytes", "the agency signs
these bytes". Each loads the right credential (the roles decide whose), its image, and returns
the signed bytes or raises ValidationError on ``signature`` naming the reason."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from docflow.documents.files import stored_file_open
from docflow.documents.signing import pades
from docflow.documents.signing.models import CredentialKind, SigningCredential
from docflow.documents.signing.signers import signer_for, timestamper_for

SIGNATURE_FIELD = "signature"


def _refused(message: str) -> ValidationError:
    return ValidationError({SIGNATURE_FIELD: [message]})


def credential_of(*, agency_id: int, user_id: int | None) -> SigningCredential | None:
    """The member's own credential (``user_id``) or the agency's (``None``)."""
    return (
        SigningCredential.objects.select_related("image")
        .filter(agency_id=agency_id, user_id=user_id).first()
    )


def image_bytes(credential: SigningCredential) -> bytes | None:
    if credential.image_id is None:
        return None
    with stored_file_open(sha256=credential.image_id) as fh:
        return fh.read()


def _signed(credential: SigningCredential, action):
    """Run ``action(signer)`` and turn every way a signature can fail into a 400 with the reason."""
    try:
        with signer_for(credential) as signer:
            return action(signer)
    except ValidationError as exc:
        raise _refused("; ".join(exc.messages)) from None
    except pades.SigningError as exc:
        raise _refused(_("Không ký được tệp PDF: %(e)s") % {"e": exc}) from None
    except (ValueError, TypeError, KeyError, OSError) as exc:  # pyHanko's own failures
        raise _refused(_("Ký số thất bại: %(e)s") % {"e": exc or type(exc).__name__}) from None


def personal_sign_approved(*, agency_id: int, user_id: int, label: str, pdf: bytes,
                           when: datetime.datetime) -> bytes:
    """The approving leader's signature on the prepared official PDF (PKCS#12 or PKCS#11)."""
    credential = credential_of(agency_id=agency_id, user_id=user_id)
    if credential is None:
        raise _refused(_("Lãnh đạo ký chưa có chứng thư số: quản trị đơn vị cần cấp khóa ký."))
    if credential.kind == CredentialKind.EXTERNAL:
        raise _refused(_("Khóa ký của bạn là ký ngoài: dùng bước chuẩn bị ký và gửi chữ ký về."))
    appearance = pades.Appearance(label=label, image_png=image_bytes(credential))
    return _signed(credential, lambda signer: pades.sign_approved(
        pdf, signer=signer, appearance=appearance, when=when, timestamper=timestamper_for()))


def agency_credential(*, agency_id: int) -> SigningCredential:
    credential = credential_of(agency_id=agency_id, user_id=None)
    if credential is None:
        raise _refused(_("Cơ quan chưa có chứng thư số: quản trị đơn vị cần cấp khóa ký của cơ quan."))
    if credential.kind == CredentialKind.EXTERNAL:
        raise _refused(_("Khóa ký của cơ quan phải là tệp .p12 hoặc thiết bị PKCS#11 để phát hành."))
    return credential


def agency_sign_issued(*, credential: SigningCredential, label: str, pdf: bytes, number_line: str,
                       date_line: str, when: datetime.datetime) -> bytes:
    """Number and date filled in and the agency's signature (its seal image) added."""
    appearance = pades.Appearance(label=label, image_png=image_bytes(credential))
    return _signed(credential, lambda signer: pades.sign_issued(
        pdf, number_line=number_line, date_line=date_line, signer=signer,
        appearance=appearance, when=when, timestamper=timestamper_for()))


def agency_sign_attachments(*, credential: SigningCredential, notation: str,
                            files: list[bytes], when: datetime.datetime) -> list[bytes]:
    """Each attachment PDF with the agency's signature at the top right of page 1."""
    stamper = timestamper_for()
    return _signed(credential, lambda signer: [
        pades.sign_attachment(data, notation=notation, signer=signer, when=when, timestamper=stamper)
        for data in files
    ])


def credentials_list() -> list[SigningCredential]:
    """The scoped agency's signing credentials, by holder (user id; the agency's own has none)."""
    return list(SigningCredential.objects.order_by("user_id"))
