"""What verification reports for damaged, changed, foreign, expired and revoked signatures:
each as what it is, never as valid and trusted."""

from __future__ import annotations

import datetime
import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

from docflow.documents.signing import pades
from docflow.documents.signing.authority import (
    authority_make,
    certificate_issue,
    crl_make,
    pkcs12_make,
)
from docflow.documents.signing.validation import load_certificates, validate_pdf
from docflow.rendering.official import OfficialDocument, render_official_document
from tests.signing.pki import PASSWORD

NOW = datetime.datetime.now(datetime.UTC)


def _prepared() -> bytes:
    return render_official_document(OfficialDocument(
        agency_name="ỦY BAN NHÂN DÂN\nHUYỆN BẮC YÊN", notation="", place="Bắc Yên",
        issued_on=datetime.date(2026, 12, 1), doc_type_code="quyet_dinh", doc_type_name="Quyết định",
        subject="Về việc thử ký số", body="Điều 1. Nội dung.", signer_position="Chủ tịch",
        signer_name="Lò Văn Minh", number_date_fields=True,
    ))


def _signer(pki_or_authority, name: str, **kwargs) -> signers.SimpleSigner:
    authority = getattr(pki_or_authority, "authority", pki_or_authority)
    key, cert = certificate_issue(authority, common_name=name, **kwargs)
    return signers.SimpleSigner.load_pkcs12_data(
        pkcs12_make(key, cert, authority, password=PASSWORD), passphrase=PASSWORD.encode(), other_certs=())


def _two_signatures(leader, agency) -> bytes:
    approved = pades.sign_approved(_prepared(), signer=leader, appearance=pades.Appearance("Lò Văn Minh"), when=NOW)
    return pades.sign_issued(approved, number_line="Số: 15/QĐ-UBND", date_line="Bắc Yên, ngày 01 tháng 12 năm 2026",
                             signer=agency, appearance=pades.Appearance("UBND huyện Bắc Yên"), when=NOW)


@pytest.fixture
def signed(pki) -> bytes:
    return _two_signatures(_signer(pki, "Lò Văn Minh"), _signer(pki, "UBND huyện Bắc Yên"))


def _roots(pki):
    return load_certificates(pki.folder)


def test_two_signature_pdf_validates(pki, signed):
    assert [(r["valid"], r["trusted"]) for r in validate_pdf(signed, trust_roots=_roots(pki))] == [(True, True)] * 2


def test_one_changed_byte_is_reported_as_changed(pki, signed):
    at = signed.index(b"Do")  # inside the first page's content, covered by both signatures
    damaged = signed[:at] + b"D0" + signed[at + 2:]

    results = validate_pdf(damaged, trust_roots=_roots(pki))

    assert results and not any(r["valid"] for r in results)
    assert all("changed" in r["detail"] or "unreadable" in r["detail"] for r in results)


def test_third_revision_adding_page_content_breaks_both_signatures(pki, signed):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 100 Td (GIA MAO) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)

    results = validate_pdf(out.getvalue(), trust_roots=_roots(pki))

    assert [r["valid"] for r in results] == [False, False]
    assert all("does not permit" in r["detail"] for r in results)


def test_certificate_of_another_ca_is_not_trusted(pki):
    stranger = authority_make(name="Some other CA")
    data = _two_signatures(_signer(stranger, "Người lạ"), _signer(pki, "UBND huyện Bắc Yên"))

    first, second = validate_pdf(data, trust_roots=_roots(pki))

    assert (first["valid"], first["trusted"]) == (True, False)
    assert "CHAIN" in first["detail"]
    assert second["trusted"] is True


def test_expired_certificate_is_not_trusted(pki):
    old = NOW - datetime.timedelta(days=30)
    data = _two_signatures(_signer(pki, "Hết hạn", not_before=old, days=2), _signer(pki, "UBND huyện Bắc Yên"))

    first = validate_pdf(data, trust_roots=_roots(pki))[0]

    assert first["valid"] is True and first["trusted"] is False
    assert "EXPIRED" in first["detail"] or "OUT_OF_BOUNDS" in first["detail"]


def test_revoked_certificate_is_reported_revoked_and_unknown_status_as_could_not_check(pki):
    url = "http://crl.invalid/test-ca.crl"
    leader = _signer(pki, "Bị thu hồi", crl_url=url)
    data = _two_signatures(leader, _signer(pki, "UBND huyện Bắc Yên"))
    serial = pki.authority and leader.signing_cert.serial_number
    crl = crl_make(pki.authority, revoked_serials=[serial])

    revoked = validate_pdf(data, trust_roots=_roots(pki), crls=[crl])[0]
    unknown = validate_pdf(data, trust_roots=_roots(pki))[0]  # the CRL cannot be fetched

    assert revoked["trusted"] is False and "REVOKED" in revoked["detail"]
    assert unknown["trusted"] is None and "could not check" in unknown["detail"], unknown["detail"]


def test_unreadable_file_is_invalid_not_an_error(pki):
    assert validate_pdf(b"%PDF-1.7 rubbish", trust_roots=_roots(pki))[0]["valid"] is False


def test_the_den_stamp_copy_is_a_labelled_working_copy_and_the_original_stays_signed(pki, signed):
    from pypdf import PdfReader

    from docflow.rendering.stamp import WORKING_COPY_LINE, stamp_incoming

    stamped = stamp_incoming(signed, agency_name="UBND xã Phiêng Ban", incoming_number=7, received_at=NOW)

    text = PdfReader(io.BytesIO(stamped)).pages[0].extract_text()
    assert WORKING_COPY_LINE.split(",")[0] in text
    assert validate_pdf(stamped, trust_roots=_roots(pki)) == []  # no broken signature shown
    assert [r["valid"] for r in validate_pdf(signed, trust_roots=_roots(pki))] == [True, True]
