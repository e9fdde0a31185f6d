"""Validation of every signature in a PDF with pyHanko: integrity, the CMS signature, what the
later revisions changed (difference analysis), the chain to the trust roots and revocation.

``trusted`` is three-valued: True (chains to a root, not revoked, in its validity period), False
(another CA, expired, revoked, ...), None when it could not be checked (revocation information
unreachable, no trust roots configured). Pure: bytes and certificates in, plain dicts out.
"""

from __future__ import annotations

import datetime
import io
import logging
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from docflow.documents.signing.pades import AGENCY_FIELD, PERSONAL_FIELD, VIETNAM

log = logging.getLogger(__name__)
CERT_SUFFIXES = {".pem", ".crt", ".cer", ".der"}
# Subindications that mean "we could not find out", not "it is wrong".
COULD_NOT_CHECK = {AdESIndeterminate.TRY_LATER, AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE}
REVOKED = {AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE}
KIND_PERSONAL, KIND_AGENCY = "personal", "agency"


def load_certificates(folder: Path | None) -> list[asn1_x509.Certificate]:
    """Every certificate (PEM, possibly several per file, or DER) in ``folder``."""
    if folder is None or not Path(folder).is_dir():
        return []
    found = []
    for path in sorted(Path(folder).iterdir()):
        if path.suffix.lower() not in CERT_SUFFIXES:
            continue
        data = path.read_bytes()
        try:
            if pem.detect(data):
                found += [asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True)]
            else:
                found.append(asn1_x509.Certificate.load(data))
        except ValueError:
            log.warning("trust roots: %s is not a certificate, skipped", path)
    return found


def _kind(field_name: str, index: int) -> str:
    if field_name.startswith(AGENCY_FIELD):
        return KIND_AGENCY
    if field_name == PERSONAL_FIELD:
        return KIND_PERSONAL
    return KIND_PERSONAL if index == 0 else KIND_AGENCY  # other vendors: the signer signs first


def _signer_name(cert: asn1_x509.Certificate | None) -> str:
    if cert is None:
        return ""
    native = cert.subject.native
    return str(native.get("common_name") or native.get("organization_name") or cert.subject.human_friendly)


def _trust(status, roots_known: bool) -> tuple[bool | None, str]:
    if not roots_known:
        return None, "no trust roots configured"
    if status.trusted:
        return True, "chain to a trust root"
    problem = status.trust_problem_indic
    if problem in COULD_NOT_CHECK:
        return None, f"could not check revocation ({problem.name})"
    return False, problem.name if problem is not None else "untrusted"


def _integrity(status) -> tuple[bool, str]:
    if not status.intact:
        return False, "content changed after signing"
    if not status.valid:
        return False, "signature value does not verify"
    if status.modification_level == ModificationLevel.OTHER or status.docmdp_ok is False:
        return False, "later revision makes changes the signature does not permit"
    return True, "intact"


def validate_pdf(
    data: bytes, *, trust_roots: list, other_certs: list = (), crls: list[bytes] = (),
    fetch: bool = False, moment: datetime.datetime | None = None,
) -> list[dict]:
    """One dict per signature, in signing order: ``{signer, kind, signed_at, valid, trusted,
    detail}``. A file that cannot be read gives one entry saying so, never an exception."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception as exc:  # a damaged PDF must read as "invalid", never crash the worker
        return [_unreadable(f"unreadable PDF ({type(exc).__name__})")]
    def context(mode: str) -> ValidationContext:
        return ValidationContext(
            trust_roots=list(trust_roots), other_certs=list(other_certs),
            crls=[asn1_crl.CertificateList.load(c) for c in crls], allow_fetching=fetch,
            revocation_mode=mode, moment=moment,
        )

    results = []
    for index, embedded in enumerate(signatures):
        try:
            status = validate_pdf_signature(embedded, signer_validation_context=context("hard-fail"))
            trusted, trust = _trust(status, bool(trust_roots))
            if trusted is False and status.trust_problem_indic not in REVOKED:
                # Good apart from revocation information we could not get: "could not check".
                lenient = validate_pdf_signature(embedded, signer_validation_context=context("soft-fail"),
                                                 skip_diff=True)
                if lenient.trusted:
                    trusted, trust = None, "could not check revocation (no CRL/OCSP answer)"
        except Exception as exc:  # malformed CMS and the like
            results.append({**_unreadable(f"signature unreadable ({type(exc).__name__})"),
                            "kind": _kind(embedded.field_name or "", index)})
            continue
        valid, integrity = _integrity(status)
        stamp = status.timestamp_validity  # PAdES B-T: the time comes from the timestamp authority
        signed_at = stamp.timestamp if stamp is not None else status.signer_reported_dt
        if stamp is not None:
            trust += "; timestamped" + ("" if stamp.intact and stamp.valid and stamp.trusted else " (timestamp not trusted)")
        results.append({
            "signer": _signer_name(status.signing_cert), "kind": _kind(embedded.field_name or "", index),
            "signed_at": signed_at.astimezone(VIETNAM).isoformat() if signed_at else None,
            "valid": valid, "trusted": trusted, "detail": f"{integrity}; {trust}",
        })
    return results


def _unreadable(detail: str) -> dict:
    return {"signer": "", "kind": KIND_PERSONAL, "signed_at": None, "valid": False,
            "trusted": None, "detail": detail}


def signed_with(data: bytes, *, certificate_der: bytes) -> bool:
    """True when the PDF's last signature is intact, verifies, and was made with this
    certificate (an external signature checked before it is accepted; trust is for later)."""
    try:
        embedded = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures[-1]
        if embedded.signer_cert.dump() != certificate_der:
            return False
        status = validate_pdf_signature(embedded, signer_validation_context=ValidationContext(
            trust_roots=[], allow_fetching=False, revocation_mode="soft-fail"), skip_diff=True)
    except Exception:  # whatever came back is unusable: refused, never a 500
        return False
    return bool(status.intact and status.valid)


def certificate_trust(cert_der: bytes, *, trust_roots: list, other_certs: list = (),
                      moment: datetime.datetime | None = None) -> tuple[bool | None, str]:
    """Whether a signing certificate (DER) chains to one of ``trust_roots``, with the same
    three values as a PDF signature's ``trusted``: True, False (another CA, expired, ...), None
    (no trust roots configured, or revocation could not be checked). Used for signatures that are
    not PDFs (the edXML package's XML-DSig)."""
    import asyncio

    from pyhanko_certvalidator import CertificateValidator
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, ValidationError

    if not trust_roots:
        return None, "no trust roots configured"
    try:
        cert = asn1_x509.Certificate.load(cert_der)
    except ValueError:
        return False, "unreadable certificate"
    context = ValidationContext(trust_roots=list(trust_roots), other_certs=list(other_certs),
                                allow_fetching=False, revocation_mode="soft-fail", moment=moment)
    validator = CertificateValidator(cert, validation_context=context)
    try:
        asyncio.run(validator.async_validate_usage({"digital_signature"}))
    except PathBuildingError:
        return False, "no chain to a trust root"
    except (PathValidationError, ValidationError) as exc:
        return False, str(exc)[:200]
    except Exception as exc:  # a malformed certificate must read as untrusted, never crash
        return False, f"certificate unreadable ({type(exc).__name__})"
    return True, "chain to a trust root"
