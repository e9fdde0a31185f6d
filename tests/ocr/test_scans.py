"""OCR on scans made in the run from our own official PDFs: rotated, speckled, as images."""

from __future__ import annotations

import datetime
import io

import pytest
from PIL import ImageDraw
from pypdf import PdfReader

from docflow.ocr.engine import SKEW_STEP, image_deskew, pdf_ocr, skew_angle
from docflow.ocr.images import images_to_pdf
from docflow.rendering.official import render_official_document
from tests.ocr.scans import image_bytes, official, page_image, require_ocr, scan_pdf, scanned

pytestmark = [pytest.mark.ocr]


@pytest.fixture(autouse=True)
def _tesseract():
    require_ocr()


CASES = [
    dict(notation="15/QĐ-UBND", doc_type_code="quyet_dinh", doc_type_name="Quyết định",
         subject="Về việc ban hành Quy chế công tác văn thư, lưu trữ"),
    dict(notation="07/UBND-VP", doc_type_code="cong_van", doc_type_name="Công văn",
         subject="Đôn đốc nộp báo cáo kết quả thực hiện nhiệm vụ năm 2025",
         issued_on=datetime.date(2025, 12, 28)),
    dict(notation="123/KH-UBND", doc_type_code="ke_hoach", doc_type_name="Kế hoạch",
         subject="Triển khai chuyển đổi số năm 2026", agency_name="UBND XÃ PHIÊNG BAN",
         parent_agency_name="UBND HUYỆN BẮC YÊN", place="Phiêng Ban"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["doc_type_code"])
def test_a_clean_scan_reads_number_notation_date_and_subject_exactly(case):
    doc = official(**case)
    read = pdf_ocr(scan_pdf(doc)).fields
    assert read.notation == doc.notation
    assert read.number == doc.notation.split("/")[0]
    assert read.issued_on == doc.issued_on.isoformat()
    assert read.subject == doc.subject
    assert read.sender_name == doc.agency_name and read.place == doc.place


def test_a_crooked_speckled_jpeg_scan_still_reads_its_number_and_date():
    doc = official()
    image = scanned(page_image(render_official_document(doc)), angle=-2.5, noise=0.01, seed=7)
    result = pdf_ocr(images_to_pdf([image_bytes(image, fmt="JPEG")]))
    assert (result.fields.notation, result.fields.issued_on) == ("15/QĐ-UBND", "2026-03-05")
    assert result.text_layer_added
    assert "Quy chế công tác văn thư" in PdfReader(io.BytesIO(result.pdf)).pages[0].extract_text()


def test_fields_that_are_not_on_the_scan_are_left_empty():
    image = page_image(render_official_document(official()))
    ImageDraw.Draw(image).rectangle((0, 0, image.width // 2, int(image.height * 0.16)), fill=255)
    read = pdf_ocr(images_to_pdf([image_bytes(image)])).fields
    assert (read.number, read.notation, read.sender_name) == ("", "", "")
    assert read.issued_on == "2026-03-05"  # the place-and-date line, on the right, is still there


def test_a_born_digital_pdf_keeps_its_bytes_and_gives_its_text():
    pdf = render_official_document(official())
    result = pdf_ocr(pdf)
    assert result.pdf == pdf and not result.text_layer_added
    assert result.fields.notation == "15/QĐ-UBND"


@pytest.mark.parametrize("angle", [3.0, -1.5])
def test_deskew_finds_the_angle_the_page_was_fed_at(angle):
    image = page_image(render_official_document(official()), dpi=100)
    assert abs(skew_angle(scanned(image, angle=angle)) + angle) <= SKEW_STEP
    assert image_deskew(image) is image  # an upright page is left alone
