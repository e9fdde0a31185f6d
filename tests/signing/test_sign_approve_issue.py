"""The leader signs at approval, the agency at issue: two intact, trusted signatures in order."""

from __future__ import annotations

import io

from pypdf import PdfReader

from docflow.documents.files import stored_file_open
from docflow.documents.signing.validation import load_certificates, validate_pdf
from docflow.core.scoping import cross_agency
from tests.documents.story import approved, issued, sending_office


def _bytes(sha256: str) -> bytes:
    with stored_file_open(sha256=sha256) as fh:
        return fh.read()


def _check(data: bytes, pki) -> list[dict]:
    return validate_pdf(data, trust_roots=load_certificates(pki.folder))


def test_approve_then_issue_gives_two_trusted_signatures_signer_then_agency(pki):
    office = sending_office(name="Ủy ban nhân dân huyện Bắc Yên", place="Bắc Yên")
    pki.keys_for(office)
    document = issued(office)
    with cross_agency("system"):  # the test reads outside any scope
        document.refresh_from_db()

    results = _check(_bytes(document.pdf_sha256), pki)

    assert [(r["kind"], r["valid"], r["trusted"]) for r in results] == [
        ("personal", True, True), ("agency", True, True),
    ]
    assert results[0]["signer"] == office.leader.user.get_full_name()
    assert results[1]["signer"] == office.agency.name
    text = PdfReader(io.BytesIO(_bytes(document.pdf_sha256))).get_form_text_fields()
    assert text["so_van_ban"] == f"Số: {document.notation}"
    assert "ngày" in text["ngay_ban_hanh"] and str(document.issued_at.year) in text["ngay_ban_hanh"]


def test_approved_pdf_is_signed_by_the_leader_only_and_has_no_number(pki):
    office = sending_office()
    pki.keys_for(office)
    document = approved(office)
    with cross_agency("system"):  # the test reads outside any scope
        document.refresh_from_db()

    results = _check(_bytes(document.approved_pdf_sha256), pki)

    assert [(r["kind"], r["valid"], r["trusted"]) for r in results] == [("personal", True, True)]
    assert not PdfReader(io.BytesIO(_bytes(document.approved_pdf_sha256))).get_form_text_fields()["so_van_ban"]


def test_agency_without_keys_approves_and_issues_unsigned_as_before(db):
    office = sending_office()
    document = issued(office)
    with cross_agency("system"):  # the test reads outside any scope
        document.refresh_from_db()

    assert document.approved_pdf_sha256 == ""
    assert _check(_bytes(document.pdf_sha256), type("P", (), {"folder": None})) == []


def test_with_a_timestamp_authority_both_signatures_carry_a_trusted_timestamp(pki, monkeypatch):
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign.timestamps import DummyTimeStamper

    from docflow.documents.signing import sign
    from docflow.documents.signing.authority import certificate_issue

    key, cert = certificate_issue(pki.authority, common_name="Docflow test TSA", time_stamping=True)
    tsa = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
    )
    monkeypatch.setattr(sign, "timestamper_for", lambda: tsa)
    office = sending_office()
    pki.keys_for(office)
    document = issued(office)
    with cross_agency("system"):  # the test reads outside any scope
        document.refresh_from_db()

    results = _check(_bytes(document.pdf_sha256), pki)

    assert [(r["valid"], r["trusted"]) for r in results] == [(True, True), (True, True)]
    assert all(r["detail"].endswith("; timestamped") for r in results)


def test_an_issued_pdf_with_both_signatures_passes_the_upload_check_as_it_arrives_elsewhere(pki, tmp_path):
    from docflow.documents.content_checks import PDF, upload_check

    office = sending_office()
    pki.keys_for(office)
    document = issued(office)
    with cross_agency("system"):  # the test reads outside any scope
        document.refresh_from_db()
    path = tmp_path / "signed.pdf"
    path.write_bytes(_bytes(document.pdf_sha256))
    assert upload_check(path=str(path), name="quyet-dinh.pdf").content_type == PDF
