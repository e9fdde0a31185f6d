"""Benchmark: signing and verification per second on one core, against the unsigned render.

Run from the repository root:

    python bench/bench_signing.py              # about 3 s per measurement
    python bench/bench_signing.py --seconds 1  # quicker

In one warm process, with a CA and two EC P-256 keys made for the run (PKCS#12 loaded once, as
a worker does):
- the unsigned official render (what issue did before signing) — the baseline;
- sign-at-approve: render with number/date fields + the leader's PAdES signature;
- sign-at-issue: fill number and date + the agency's signature on an approved PDF;
- verification of the two-signature PDF (integrity, difference analysis, chain; no network).
Prints documents per second and each one's ratio to the unsigned render. Not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.sign import signers

from bench.harness import rate, rate_table  # noqa: E402
from docflow.documents.signing import pades
from docflow.documents.signing.authority import (
    authority_make,
    certificate_issue,
    pkcs12_make,
)
from docflow.documents.signing.validation import validate_pdf
from docflow.rendering.official import OfficialDocument, render_official_document

DOC = OfficialDocument(
    agency_name="ỦY BAN NHÂN DÂN\nHUYỆN BẮC YÊN", notation="05/QĐ-UBND", place="Bắc Yên",
    issued_on=datetime.date(2026, 12, 1), doc_type_code="quyet_dinh", doc_type_name="Quyết định",
    subject="Về việc ban hành Quy chế công tác văn thư, lưu trữ", signer_position="Chủ tịch",
    signer_name="Lò Văn Minh",
    body="\n".join(["Điều 1. Ban hành kèm theo Quyết định này Quy chế công tác văn thư."] * 12),
)


def _signer(authority, name: str) -> signers.SimpleSigner:
    key, cert = certificate_issue(authority, common_name=name)
    return signers.SimpleSigner.load_pkcs12_data(
        pkcs12_make(key, cert, authority, password="bench"), passphrase=b"bench", other_certs=())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    seconds = parser.parse_args().seconds
    authority = authority_make(name="Docflow bench CA")
    root = asn1_x509.Certificate.load(authority.certificate.public_bytes(Encoding.DER))
    leader, agency = _signer(authority, "Lò Văn Minh"), _signer(authority, "UBND huyện Bắc Yên")
    now = datetime.datetime.now(datetime.UTC)
    fields_doc = dataclasses.replace(DOC, notation="", number_date_fields=True)

    def approve() -> bytes:
        return pades.sign_approved(render_official_document(fields_doc), signer=leader,
                                   appearance=pades.Appearance("Lò Văn Minh"), when=now)

    approved = approve()

    def issue() -> bytes:
        return pades.sign_issued(approved, number_line="Số: 05/QĐ-UBND", date_line="Bắc Yên, ngày 01 tháng 12 năm 2026",
                                 signer=agency, appearance=pades.Appearance("UBND huyện Bắc Yên"), when=now)

    issued = issue()
    assert [r["valid"] and r["trusted"] for r in validate_pdf(issued, trust_roots=[root])] == [True, True]

    unsigned = rate(lambda: render_official_document(DOC), seconds)
    rows = [
        ("unsigned official render (baseline)", unsigned),
        ("sign at approve (render + leader's PAdES)", rate(approve, seconds)),
        ("sign at issue (fill + agency's PAdES)", rate(issue, seconds)),
        ("verify two-signature PDF", rate(lambda: validate_pdf(issued, trust_roots=[root]), seconds)),
    ]
    rate_table(rows)


if __name__ == "__main__":
    main()
