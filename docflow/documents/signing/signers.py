"""One interface for the three kinds of signer: a pyHanko ``Signer`` for keys the server can use
(PKCS#12, PKCS#11), or None for an external credential, whose signature comes back later."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pyhanko.sign import signers

from docflow.documents.signing.credentials import certificate_of, pkcs12_bytes
from docflow.documents.signing.models import CredentialKind, SigningCredential


def timestamper_for():
    """The configured timestamp authority (PAdES B-T), or None (B-B)."""
    from django.conf import settings
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(settings.DOCFLOW_TSA_URL) if settings.DOCFLOW_TSA_URL else None


@contextmanager
def signer_for(credential: SigningCredential) -> Iterator[signers.Signer]:
    """A ready signer for a PKCS#12 or PKCS#11 credential (the token session is closed after).

    Raises ValidationError on ``credential`` with the reason when the key cannot be used."""
    if credential.kind == CredentialKind.PKCS12:
        data, password = pkcs12_bytes(credential)
        signer = signers.SimpleSigner.load_pkcs12_data(data, passphrase=password or None, other_certs=())
        if signer is None:
            raise ValidationError({"credential": [_("Không dùng được tệp .p12 đã lưu.")]})
        yield signer
        return
    if credential.kind == CredentialKind.PKCS11:
        with _pkcs11_signer(credential) as signer:
            yield signer
        return
    raise ValidationError({"credential": [_("Khóa ký ngoài: chữ ký phải được gửi về từ thiết bị ký.")]})


@contextmanager
def _pkcs11_signer(credential: SigningCredential) -> Iterator[signers.Signer]:
    from pkcs11 import PKCS11Error
    from pyhanko.sign import pkcs11 as ph_pkcs11

    pin = os.environ.get(credential.pkcs11_pin_env, "") if credential.pkcs11_pin_env else ""
    if credential.pkcs11_pin_env and not pin:
        raise ValidationError({"credential": [
            _("Biến môi trường %(v)s (mã PIN) chưa được đặt.") % {"v": credential.pkcs11_pin_env}
        ]})
    try:
        session = ph_pkcs11.open_pkcs11_session(
            credential.pkcs11_module, user_pin=pin or None,
            token_criteria=ph_pkcs11.TokenCriteria(label=credential.pkcs11_token_label),
        )
    except (PKCS11Error, OSError, RuntimeError) as exc:
        raise ValidationError({"credential": [
            _("Không mở được thiết bị PKCS#11: %(e)s") % {"e": type(exc).__name__}
        ]}) from None
    try:
        cert = certificate_of(credential)
        yield ph_pkcs11.PKCS11Signer(
            session, key_label=credential.pkcs11_key_label, signing_cert=cert,
            cert_label=None if cert else credential.pkcs11_key_label,
            use_raw_mechanism=True,  # hash here, sign raw: tokens (SoftHSM too) lack ECDSA-SHA256
        )
    finally:
        session.close()
