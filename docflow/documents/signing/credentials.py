"""Where signing keys are kept and how they are loaded: PKCS#12 encrypted at rest, PKCS#11
settings, or "external" (only the certificate is held; the signature value comes from outside)."""

from __future__ import annotations

import base64
import hashlib

from asn1crypto import x509 as asn1_x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from docflow.documents.signing.models import CredentialKind, SigningCredential


def _fernet() -> Fernet:
    # A key of its own per purpose: rotating SECRET_KEY means re-uploading the .p12 files.
    raw = hashlib.sha256(f"docflow.documents.signing.pkcs12:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(raw))


def seal(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def unseal(data: bytes) -> bytes:
    try:
        return _fernet().decrypt(bytes(data))
    except InvalidToken:
        raise ValidationError({"credential": [_(
            "Không giải mã được khóa ký số (SECRET_KEY đã đổi?): cần tải lại tệp .p12."
        )]}) from None


def pkcs12_certificate(*, data: bytes, password: str) -> bytes:
    """The DER certificate of a PKCS#12 file; 400 on ``file``/``password`` when it cannot be read."""
    try:
        key, cert, _chain = pkcs12.load_key_and_certificates(data, password.encode() or None)
    except ValueError:
        raise ValidationError({"password": [_("Không mở được tệp .p12: sai mật khẩu hoặc tệp hỏng.")]}) from None
    if key is None or cert is None:
        raise ValidationError({"file": [_("Tệp .p12 phải chứa khóa bí mật và chứng thư số.")]})
    return cert.public_bytes(Encoding.DER)


def certificate_of(credential: SigningCredential) -> asn1_x509.Certificate | None:
    der = bytes(credential.certificate_der or b"")
    return asn1_x509.Certificate.load(der) if der else None


def pkcs12_bytes(credential: SigningCredential) -> tuple[bytes, bytes]:
    """The decrypted PKCS#12 file and its password (PKCS#12 credentials only)."""
    if credential.kind != CredentialKind.PKCS12:
        raise ValueError("not a PKCS#12 credential")
    return unseal(credential.p12_encrypted), unseal(credential.p12_password_encrypted)


def validate_certificate_der(data: bytes) -> bytes:
    """PEM or DER in, DER out; 400 on ``certificate`` for anything else."""
    from cryptography import x509

    try:
        cert = x509.load_pem_x509_certificate(data) if data.lstrip().startswith(b"-----") else (
            x509.load_der_x509_certificate(data)
        )
    except ValueError:
        raise ValidationError({"certificate": [_("Chứng thư số không đọc được (PEM hoặc DER).")]}) from None
    return cert.public_bytes(Encoding.DER)
