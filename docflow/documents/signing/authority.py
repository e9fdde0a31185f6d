"""A small certificate authority made with ``cryptography``: the demo CA, and the CAs tests make.

Never for real use: real certificates come from a licensed provider (Ban Cơ yếu Chính phủ for
agencies); the demo CA's name says so.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEMO_CA_NAME = "Docflow DEMO CA — không dùng thật"


@dataclass(frozen=True)
class Authority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def _name(common_name: str, organisation: str = "") -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(parts)


def authority_make(*, name: str = DEMO_CA_NAME, years: int = 10,
                   now: datetime.datetime | None = None) -> Authority:
    now = now or datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(_name(name)).issuer_name(_name(name))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(key=key, certificate=cert)


def certificate_issue(
    authority: Authority, *, common_name: str, organisation: str = "", days: int = 730,
    not_before: datetime.datetime | None = None, crl_url: str = "", time_stamping: bool = False,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A signing certificate (non-repudiation) for a person or an agency, or a timestamp
    authority's (``time_stamping``)."""
    start = not_before or datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    # RSA for a timestamp authority: common TSA clients (pyHanko's test TSA too) expect it.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048) if time_stamping else (
        ec.generate_private_key(ec.SECP256R1()))
    builder = (
        x509.CertificateBuilder().subject_name(_name(common_name, organisation))
        .issuer_name(authority.certificate.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(
            [ExtendedKeyUsageOID.TIME_STAMPING] if time_stamping else [ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=time_stamping)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            authority.key.public_key()), critical=False)
    )
    if crl_url:
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)], relative_name=None,
            reasons=None, crl_issuer=None)]), critical=False)
    return key, builder.sign(authority.key, hashes.SHA256())


def pkcs12_make(key, certificate: x509.Certificate, authority: Authority, *, password: str,
                friendly_name: str = "docflow") -> bytes:
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode(), key, certificate, [authority.certificate],
        serialization.BestAvailableEncryption(password.encode()) if password else
        serialization.NoEncryption(),
    )


def crl_make(authority: Authority, *, revoked_serials: list[int]) -> bytes:
    """A DER CRL listing ``revoked_serials``, valid for a week."""
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateRevocationListBuilder().issuer_name(authority.certificate.subject)
        .last_update(now - datetime.timedelta(minutes=5)).next_update(now + datetime.timedelta(days=7))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            authority.key.public_key()), critical=False)
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial)
            .revocation_date(now - datetime.timedelta(minutes=10)).build()
        )
    return builder.sign(authority.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
