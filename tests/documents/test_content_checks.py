"""Content checks on their own: what passes and what does not, whatever the file is called."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from docflow.documents.content_checks import PDF, content_type_detect
from docflow.rendering.official import OfficialDocument, render_official_document
from tests.documents import story


def detect(tmp_path, data: bytes) -> str:
    path = tmp_path / "upload"
    path.write_bytes(data)
    return content_type_detect(str(path))


def test_an_official_document_rendered_by_docflow_passes(tmp_path):
    pdf = render_official_document(OfficialDocument(
        agency_name="UBND XÃ PHIÊNG BAN", notation="01/QĐ-UBND", place="Phiêng Ban",
        issued_on=datetime.date(2026, 5, 3), doc_type_code="quyet_dinh", doc_type_name="Quyết định",
        subject="Về việc thành lập tổ công tác", body="Điều 1. Thành lập.\nĐiều 2. Hiệu lực.",
        signer_position="Chủ tịch", signer_name="Lò Văn Minh",
    ))
    assert detect(tmp_path, pdf) == PDF


def test_dangerous_words_printed_on_a_page_are_text_not_actions(tmp_path):
    import io

    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=0)
    canvas.drawString(72, 720, "Huong dan: tat /JavaScript va /Launch /JS /EmbeddedFile")
    canvas.save()
    pdf = buffer.getvalue()
    assert b"/JavaScript" in pdf  # in the page's uncompressed content stream
    assert detect(tmp_path, pdf) == PDF


def test_javascript_hidden_in_an_object_stream_is_found(tmp_path):
    data = story.pdf_with_open_action_js_in_object_stream()
    assert b"JavaScript" not in data
    with pytest.raises(ValidationError) as refused:
        detect(tmp_path, data)
    assert "file" in refused.value.message_dict


def test_a_truncated_pdf_is_refused_as_broken(tmp_path):
    with pytest.raises(ValidationError):
        detect(tmp_path, b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R")


# Hostile files (issue #19) ---------------------------------------------------------------------

import resource  # noqa: E402

from docflow.documents.content_checks import (  # noqa: E402
    DOCX, PNG, SCANS, upload_check,
)
from tests.documents import hostile_files as hostile  # noqa: E402


def check(tmp_path, data: bytes, name: str = "tep", **kwargs):
    path = tmp_path / "upload"
    path.write_bytes(data)
    return upload_check(path=str(path), name=name, **kwargs)


def refusal(tmp_path, data: bytes, name: str = "tep", **kwargs) -> str:
    with pytest.raises(ValidationError) as refused:
        check(tmp_path, data, name, **kwargs)
    assert list(refused.value.message_dict) == ["file"]
    return refused.value.message_dict["file"][0]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_small_pdf_of_compressed_bombs_is_refused_without_the_check_taking_our_memory(tmp_path):
    data = hostile.pdf_of_compressed_bombs()  # 16 object streams of 70 MiB each
    assert len(data) < 1_200_000
    before = peak_rss_mib()
    message = refusal(tmp_path, data, "bao-cao.pdf")
    assert "phức tạp" in message
    assert peak_rss_mib() - before < 64  # the inflating happened, bounded, in a child process


def test_a_pdf_check_that_runs_out_of_its_memory_limit_is_a_refusal_not_a_crash(tmp_path, settings):
    settings.DOCFLOW_PDF_MAX_DECODED_BYTES = 10 ** 12  # no budget: only the address-space limit holds
    settings.DOCFLOW_PDF_CHECK_MEMORY_BYTES = 48 * 1024 * 1024
    message = refusal(tmp_path, hostile.pdf_of_compressed_bombs(streams=2), "bao-cao.pdf")
    assert "phức tạp" in message


OPENS_SOMETHING = {
    "a URL on open": {"root": {"/OpenAction": hostile.action("/URI", URI="https://evil.example/")}},
    "a network share on open": {"root": {"/OpenAction": hostile.action("/GoToR", F="\\\\host\\share\\x.pdf", D=[0, "/Fit"])}},
    "a form submitted on open": {"root": {"/OpenAction": hostile.action("/SubmitForm", F="https://evil.example/")}},
    "data imported on open": {"root": {"/OpenAction": hostile.action("/ImportData", F="x.fdf")}},
    "a program launched on open": {"root": {"/OpenAction": hostile.action("/Launch", F="cmd.exe")}},
    "named actions on open": {"root": {"/OpenAction": hostile.action("/Named", N="/Print")}},
    "XFA forms": {"root": {"/AcroForm": {"/Fields": [], "/XFA": "<xdp:xdp/>"}}},
    "additional actions on the page": {"page": {"/AA": {"/O": hostile.action("/GoTo", D=[0, "/Fit"])}}},
    "a link that submits a form": {"annotation": {"/Subtype": "/Link", "/A": hostile.action("/SubmitForm", F="x")}},
    "a link to a file share": {"annotation": {"/Subtype": "/Link", "/A": hostile.action("/URI", URI="file://host/share")}},
    "a movie annotation": {"annotation": {"/Subtype": "/Movie"}},
    "a portfolio": {"root": {"/Collection": {"/View": "/D"}}},
}


@pytest.mark.parametrize("what", OPENS_SOMETHING)
def test_a_pdf_that_does_anything_but_show_itself_is_refused(tmp_path, what):
    message = refusal(tmp_path, hostile.pdf_with(**OPENS_SOMETHING[what]), "cong-van.pdf")
    assert "JavaScript" in message


ALLOWED_PDFS = {
    "an open action that goes to page one": {"root": {"/OpenAction": hostile.action("/GoTo", D=[0, "/Fit"])}},
    "a destination array on open": {"root": {"/PageMode": "/UseOutlines"}},
    "a web link a reader clicks": {"annotation": {"/Subtype": "/Link", "/A": hostile.action("/URI", URI="https://dichvucong.gov.vn/")}},
    "a highlight": {"annotation": {"/Subtype": "/Highlight"}},
}


@pytest.mark.parametrize("what", ALLOWED_PDFS)
def test_what_an_official_pdf_may_contain_passes(tmp_path, what):
    assert check(tmp_path, hostile.pdf_with(**ALLOWED_PDFS[what]), "cong-van.pdf").content_type == PDF


def test_a_png_with_a_pdf_appended_named_pdf_is_refused_as_a_polyglot(tmp_path):
    data = hostile.png_with_pdf_appended()
    assert "đa định dạng" in refusal(tmp_path, data, "x.pdf")
    assert "đa định dạng" in refusal(tmp_path, data, "x.png")  # whatever it is called
    assert "đa định dạng" in refusal(tmp_path, data, "scan.png", allowed=SCANS)


def test_a_pdf_with_a_zip_appended_is_refused_as_a_polyglot(tmp_path):
    assert "đa định dạng" in refusal(tmp_path, hostile.pdf_with_zip_appended(), "x.pdf")


@pytest.mark.parametrize("name", ["ke-hoach.exe", "trang.html", "bao-cao.svg", "tep.pdf.js", "a.PHP"])
def test_a_name_not_on_the_allow_list_is_refused_naming_file(tmp_path, name):
    assert "phần mở rộng" in refusal(tmp_path, story.pdf_bytes(), name)


def test_the_stored_name_always_carries_the_extension_of_what_the_file_is(tmp_path):
    assert check(tmp_path, story.pdf_bytes(), "Quyết định số 5").name == "Quyết định số 5.pdf"
    assert check(tmp_path, story.PNG_BYTES, "anh.PNG").name == "anh.png"
    assert check(tmp_path, story.JPEG_BYTES, "anh.jpeg").name == "anh.jpeg"
    assert "không khớp" in refusal(tmp_path, story.PNG_BYTES, "anh.pdf")
    assert "không khớp" in refusal(tmp_path, story.office_zip("docx"), "bang.xlsx")


def test_ninety_five_entries_of_one_mebibyte_do_not_add_up_under_the_ratio_exemption(tmp_path):
    data = hostile.docx_of_exempt_sized_entries()
    assert len(data) < 1024 * 1024
    assert "bom nén" in refusal(tmp_path, data, "du-thao.docx")


def test_an_ordinary_docx_with_many_small_parts_still_passes(tmp_path):
    parts = {f"word/part{i}.xml": ("<w:p>" + "Điều %d. Nội dung. " % i * 40 + "</w:p>").encode() for i in range(200)}
    assert check(tmp_path, story.office_zip("docx", extra=parts), "du-thao.docx").content_type == DOCX


@pytest.mark.parametrize("entities", [False, True], ids=["a doctype", "entities"])
def test_a_docx_whose_content_types_has_a_dtd_is_refused_not_an_error(tmp_path, entities):
    assert "Office" in refusal(tmp_path, hostile.docx_with_dtd(entities=entities), "du-thao.docx")


def test_scans_take_tiff_and_attachments_do_not(tmp_path):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (8, 8), 255).save(buffer, format="TIFF")
    assert check(tmp_path, buffer.getvalue(), "trang-1.tif", allowed=SCANS).content_type == "image/tiff"
    assert "Chỉ nhận" in refusal(tmp_path, buffer.getvalue(), "trang-1.tif")
    assert check(tmp_path, story.PNG_BYTES, "trang-1.png", allowed=SCANS).content_type == PNG
