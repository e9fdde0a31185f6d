"""The official PDF of an issued document: made after the issue commits, stored once by hash,
served by ``GET /api/v1/outgoing/{id}/pdf/`` (202 with Retry-After until it exists)."""

from __future__ import annotations

import io

import pytest
from celery import current_app
from django.utils import timezone
from pypdf import PdfReader

from docflow.core.scoping import cross_agency
from docflow.documents.files import stored_file_open
from docflow.documents.models import OutgoingDocument, StoredFile
from docflow.documents.pdf import document_pdf_render
from docflow.rendering.official import MARGIN_TOP, format_vietnamese_date_line
from docflow.tenancy.models import AgencyLevel
from docflow.core.scoping import agency_scope
from tests.documents.story import draft, issued, sending_office
from tests.factories import AgencyFactory
from tests.rendering.rendering_helpers import long_body, squash, text_items, vietnamese_letters

pytestmark = pytest.mark.django_db

BODY = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n"
    "Xét đề nghị của Văn phòng - Thống kê xã.\n"
    "Điều 1. Thành lập tổ công tác chuyển đổi số của xã.\n"
    "Bảng chữ cái: " + " ".join(sorted(vietnamese_letters())) + "."
)


def commune_office(**fields):
    district = AgencyFactory(name="Ủy ban nhân dân huyện Bắc Yên", short_name="UBND HUYỆN BẮC YÊN",
                             level=AgencyLevel.DISTRICT, place="Bắc Yên")
    agency = AgencyFactory(name="Ủy ban nhân dân xã Phiêng Ban", short_name="UBND XÃ PHIÊNG BAN",
                           parent=district, place="Phiêng Ban", **fields)
    return sending_office(agency)


def issue_and_render(office, django_capture_on_commit_callbacks, **fields) -> OutgoingDocument:
    with django_capture_on_commit_callbacks(execute=True):
        document = issued(office, **fields)
    with agency_scope(office.agency):
        return OutgoingDocument.objects.get(pk=document.pk)


def pdf_pages(document: OutgoingDocument):
    with stored_file_open(sha256=document.pdf_sha256) as fh:
        return PdfReader(io.BytesIO(fh.read())).pages


def test_issued_decision_pdf_prints_number_date_subject_signer_and_every_letter(
    django_capture_on_commit_callbacks,
):
    office = commune_office()
    songpe = AgencyFactory(name="Ủy ban nhân dân xã Song Pe")
    document = issue_and_render(
        office, django_capture_on_commit_callbacks, body=BODY, signer_authority="TM.",
        recipients=[songpe.code], external_places=["Đảng ủy xã"],
    )

    assert document.pdf_sha256
    assert StoredFile.objects.get(sha256=document.pdf_sha256).content_type == "application/pdf"
    pages = pdf_pages(document)
    raw = "\n".join(page.extract_text() for page in pages)
    text = squash(raw)
    assert "ỦY BAN NHÂN DÂN XÃ PHIÊNG BAN" in text
    assert "HUYỆN BẮC YÊN" not in text  # a People's Committee prints no governing body
    assert f"Số: {document.notation}" in text and document.notation == "01/QĐ-UBND"
    assert format_vietnamese_date_line("Phiêng Ban", timezone.localdate(document.issued_at)) in text
    assert "QUYẾT ĐỊNH" in text
    assert "Về việc thành lập tổ công tác chuyển đổi số" in text
    assert "Điều 1. Thành lập tổ công tác chuyển đổi số của xã." in text
    assert [letter for letter in sorted(vietnamese_letters()) if letter not in raw] == []
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in text and "Lò Văn Minh" in text
    assert "- Ủy ban nhân dân xã Song Pe;" in text
    assert "- Đảng ủy xã;" in text
    assert "- Lưu: VT, VP." in text


def _top_margin_numbers(page) -> list[str]:
    top = float(page.mediabox.height) - MARGIN_TOP
    return [text for text, _, y in text_items(page) if y > top]


def test_five_page_body_is_numbered_from_page_two(django_capture_on_commit_callbacks):
    office = commune_office()
    document = issue_and_render(office, django_capture_on_commit_callbacks, body=long_body(45))

    pages = pdf_pages(document)
    assert len(pages) >= 5
    assert _top_margin_numbers(pages[0]) == []
    assert [_top_margin_numbers(p) for p in pages[1:]] == [[str(n)] for n in range(2, len(pages) + 1)]
    assert "Lò Văn Minh" in pages[-1].extract_text()


def test_department_prints_its_governing_body_above_its_own_name(django_capture_on_commit_callbacks):
    province = AgencyFactory(name="Ủy ban nhân dân tỉnh Sơn La", short_name="UBND TỈNH SƠN LA",
                             level=AgencyLevel.PROVINCE)
    office = sending_office(AgencyFactory(name="Sở Nội vụ", symbol="SNV", parent=province,
                                          level=AgencyLevel.DEPARTMENT, place="Sơn La"))
    document = issue_and_render(office, django_capture_on_commit_callbacks, signer_authority="KT.",
                                signer_position="Phó Giám đốc")

    text = squash(pdf_pages(document)[0].extract_text())
    assert "UBND TỈNH SƠN LA SỞ NỘI VỤ" in text
    assert "Số: 01/QĐ-SNV" in text
    assert "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC Lò Văn Minh" in text


def test_acting_head_signs_under_q_chu_tich_without_a_position_line(django_capture_on_commit_callbacks):
    office = commune_office()
    document = issue_and_render(office, django_capture_on_commit_callbacks, signer_authority="Q.",
                                signer_position="Phó Chủ tịch")

    text = squash(pdf_pages(document)[0].extract_text())
    assert "Q. CHỦ TỊCH Lò Văn Minh" in text
    assert "PHÓ CHỦ TỊCH" not in text


def test_a_district_wide_document_groups_its_recipients_and_still_renders(
    django_capture_on_commit_callbacks,
):
    office = commune_office()
    communes = [AgencyFactory() for _ in range(70)]
    department = AgencyFactory(name="Sở Tài chính", symbol="STC", level=AgencyLevel.DEPARTMENT)
    places = [f"Thôn {n}" for n in range(30)]
    document = issue_and_render(
        office, django_capture_on_commit_callbacks,
        recipients=[a.code for a in communes] + [department.code], external_places=places,
    )

    text = squash("\n".join(p.extract_text() for p in pdf_pages(document)))
    assert "- UBND các xã, phường, thị trấn (70 cơ quan);" in text
    assert "- Sở Tài chính;" in text  # a level of one agency keeps its name
    assert "(1 cơ quan)" not in text
    assert "- Thôn 13;" in text and "Thôn 14;" not in text
    assert "- Các nơi khác (16 nơi);" in text
    assert "- Lưu: VT, VP." in text


def test_rendering_again_stores_nothing_new_and_a_stale_task_ends_quietly(
    django_capture_on_commit_callbacks,
):
    office = commune_office()
    document = issue_and_render(office, django_capture_on_commit_callbacks)
    files = StoredFile.objects.count()

    task = current_app.tasks["pdf.render_outgoing"]
    again = task.apply(kwargs={"agency_id": office.agency.pk, "document_id": str(document.pk)}).get()
    assert again == document.pdf_sha256
    assert StoredFile.objects.count() == files
    # A draft, or an id that is gone, is not rendered and is not an error.
    other = draft(office)
    assert document_pdf_render(agency_id=office.agency.pk, document_id=other.pk) is None
    assert task.apply(kwargs={"agency_id": office.agency.pk,
                              "document_id": "0190a0c8-0000-7000-8000-000000000000"}).get() is None
    # Another agency's id is not found from this agency either.
    stranger = sending_office()
    assert document_pdf_render(agency_id=stranger.agency.pk, document_id=document.pk) is None


def test_pdf_endpoint_answers_202_until_rendered_then_the_pdf(client_for, django_capture_on_commit_callbacks):
    office = commune_office()
    document = issued(office)
    with cross_agency("system"):  # a document issued before issue made the PDF itself
        OutgoingDocument.objects.filter(pk=document.pk).update(pdf_sha256="")
    api = client_for(office.staff)
    url = f"/api/v1/outgoing/{document.pk}/pdf/"

    pending = api.get(url)
    assert pending.status_code == 202 and int(pending["Retry-After"]) > 0

    document_pdf_render(agency_id=office.agency.pk, document_id=document.pk)
    ready = api.get(url)
    assert ready.status_code == 200 and ready["Content-Type"] == "application/pdf"
    assert b"".join(ready.streaming_content).startswith(b"%PDF-")

    assert api.get(f"/api/v1/outgoing/{draft(office).pk}/pdf/").status_code == 409
    assert client_for(sending_office().clerk).get(url).status_code == 404
