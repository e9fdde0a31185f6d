"""The package ``Signature`` (XML-DSig, enveloped, signxml): made with the agency's own key (the
PKCS#12 credential clerks sign issued PDFs with, docs/SIGNING.md) and checked on receipt against
the certificate the package carries. Integrity decides (a package changed after signing is
refused); whether the certificate chains to the trust roots (``DOCFLOW_TRUST_ROOTS``, the same
roots the PDF verification uses, docs/SIGNING.md) is recorded beside it, three-valued like a PDF
signature's ``trusted``."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree
from signxml import InvalidInput, InvalidSignature, XMLSigner, XMLVerifier, methods
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

from docflow.documents.signing.credentials import pkcs12_bytes
from docflow.documents.signing.models import CredentialKind, SigningCredential
from docflow.documents.signing.validation import certificate_trust, load_certificates
from docflow.exchange.edxml_tables import DSIG_NAMESPACE

UNSIGNED, VALID = "unsigned", "valid"
_PLACEHOLDER = f"{{{DSIG_NAMESPACE}}}Signature"


@dataclass(frozen=True)
class SignatureCheck:
    state: str  # unsigned | valid
    subject: str = ""
    signed_xml: bytes = b""
    trusted: bool | None = None  # the certificate chains to a trust root (None: could not tell)
    trust_detail: str = ""


def agency_credential(agency_id: int) -> SigningCredential | None:
    """The agency's own PKCS#12 key, the one that signs at issue; None when it has none here."""
    return (
        SigningCredential.objects.cross_agency("exchange")
        .filter(agency_id=agency_id, user__isnull=True, kind=CredentialKind.PKCS12).first()
    )


def placeholder(parent: etree._Element) -> etree._Element:
    """Where the signature goes (signxml fills an empty ds:Signature in place)."""
    return etree.SubElement(parent, _PLACEHOLDER, nsmap={"ds": DSIG_NAMESPACE}, Id="placeholder")


def package_sign(root: etree._Element, *, credential: SigningCredential) -> etree._Element:
    """``root`` signed (enveloped, URI="", the whole package) with the agency's key."""
    data, password = pkcs12_bytes(credential)
    key, cert, _chain = pkcs12.load_key_and_certificates(data, password or None)
    return package_sign_with(root, key=key, cert=cert)


def package_sign_with(root: etree._Element, *, key, cert: x509.Certificate) -> etree._Element:
    """``root`` signed with a private key and its certificate (carried in KeyInfo)."""
    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm=SignatureMethod.ECDSA_SHA256 if isinstance(key, ec.EllipticCurvePrivateKey)
        else SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    return signer.sign(root, key=key, cert=[cert.public_bytes(Encoding.PEM).decode()])


def package_verify(raw: bytes) -> SignatureCheck:
    """Check the package's XML-DSig signature; 400 on ``Signature`` when it does not verify.

    Without a ``ds:Signature`` the package is unsigned (accepted, recorded as such). A
    ``Signature`` element outside the XML-DSig namespace cannot be checked and is refused."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(raw, parser=parser)
    signatures = list(root.iter(_PLACEHOLDER))
    foreign = [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == "Signature"
               and etree.QName(e).namespace != DSIG_NAMESPACE]
    if not signatures and not foreign:
        return SignatureCheck(UNSIGNED)
    if foreign or len(signatures) > 1:
        raise ValidationError({"Signature": [_(
            "Chữ ký gói tin phải là một chữ ký XML-DSig (http://www.w3.org/2000/09/xmldsig#)."
        )]})
    certificates = signatures[0].findall(f".//{{{DSIG_NAMESPACE}}}X509Certificate")
    if not certificates or not (certificates[0].text or "").strip():
        raise ValidationError({"Signature": [_("Chữ ký gói tin thiếu chứng thư số (X509Certificate).")]})
    pem = "-----BEGIN CERTIFICATE-----\n" + "".join(certificates[0].text.split()) + "\n-----END CERTIFICATE-----\n"
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode())
        subject = certificate.subject.rfc4514_string()
        result = XMLVerifier().verify(raw, x509_cert=pem, expect_references=1)
    except (InvalidSignature, InvalidInput, ValueError) as exc:
        raise ValidationError({"Signature": [
            _("Chữ ký gói tin không hợp lệ: nội dung đã bị thay đổi sau khi ký (%(e)s).") % {"e": exc}
        ]}) from None
    if etree.QName(result.signed_xml).localname != etree.QName(root).localname:
        raise ValidationError({"Signature": [_("Chữ ký phải bao trùm cả gói tin (Reference URI=\"\").")]})
    trusted, detail = certificate_trust(
        certificate.public_bytes(Encoding.DER), trust_roots=load_certificates(settings.DOCFLOW_TRUST_ROOTS))
    return SignatureCheck(VALID, subject=subject, signed_xml=etree.tostring(result.signed_xml),
                          trusted=trusted, trust_detail=detail)
