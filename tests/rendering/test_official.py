"""render_official_document and format_vietnamese_date_line (Decree 30/2020/NĐ-CP layout)."""

from __future__ import annotations

import datetime
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from docflow.rendering import format_vietnamese_date_line, render_official_document
from docflow.rendering.flowables import RuledParagraph
from docflow.rendering.official import (
    HEADER_GUTTER,
    HEADER_LEFT_WIDTH,
    HEADER_RIGHT_WIDTH,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    MOTTO,
    NATIONAL_TITLE,
    PAGE_HEIGHT,
    PAGE_WIDTH,
)
from docflow.rendering.typeface import BOLD, BOLD_ITALIC, ITALIC, REGULAR, ensure_fonts, missing_glyphs
from rendering_helpers import (
    LONG_PARAGRAPH,
    find_item,
    long_body,
    make_document,
    page_texts,
    reader,
    squash,
    text_items,
    vietnamese_letters,
)

# --- the date line ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (datetime.date(2018, 5, 3), "Bắc Yên, ngày 03 tháng 5 năm 2018"),
        (datetime.date(2024, 1, 3), "Bắc Yên, ngày 03 tháng 01 năm 2024"),
        (datetime.date(2024, 2, 5), "Bắc Yên, ngày 05 tháng 02 năm 2024"),
        (datetime.date(2024, 12, 3), "Bắc Yên, ngày 03 tháng 12 năm 2024"),
        (datetime.date(2024, 3, 10), "Bắc Yên, ngày 10 tháng 3 năm 2024"),
        (datetime.date(2024, 10, 31), "Bắc Yên, ngày 31 tháng 10 năm 2024"),
        (datetime.date(2024, 2, 29), "Bắc Yên, ngày 29 tháng 02 năm 2024"),
    ],
)
def test_date_line_pads_days_below_10_and_months_1_and_2(date, expected):
    assert format_vietnamese_date_line("Bắc Yên", date) == expected


def test_date_line_without_place_starts_with_capital_ngay():
    assert format_vietnamese_date_line("  ", datetime.date(2024, 1, 9)) == "Ngày 09 tháng 01 năm 2024"


# --- content of the first page ---------------------------------------------------------------


def test_one_page_decision_carries_every_required_element(document):
    pdf = render_official_document(document)
    texts = page_texts(pdf)
    assert len(texts) == 1
    text = squash(texts[0])
    for expected in [
        "UBND TỈNH SƠN LA",
        "UBND HUYỆN BẮC YÊN",
        NATIONAL_TITLE,
        MOTTO,
        "Số: 05/QĐ-UBND",
        "Bắc Yên, ngày 03 tháng 5 năm 2018",
        "QUYẾT ĐỊNH",
        "Về việc ban hành Quy chế công tác văn thư, lưu trữ",
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Nguyễn Văn Anh",
        "Nơi nhận:",
        "- Như Điều 2;",
        "- TT Huyện ủy;",
        "- Lưu: VT, VP.",
    ]:
        assert expected in text, expected
    assert pdf.startswith(b"%PDF-")


def _centre(item: tuple[str, float, float], font: str, size: float) -> float:
    text, x, _ = item
    return x + stringWidth(text, font, size) / 2


def test_header_is_two_columns_with_number_level_with_date(document):
    page = reader(render_official_document(document)).pages[0]
    agency = find_item(page, "UBND HUYỆN BẮC YÊN")
    title = find_item(page, NATIONAL_TITLE[:10])
    motto = find_item(page, MOTTO)
    number = find_item(page, "Số: 05/QĐ-UBND")
    date = find_item(page, "Bắc Yên, ngày")
    type_name = find_item(page, "QUYẾT ĐỊNH")
    left_centre = MARGIN_LEFT + (HEADER_LEFT_WIDTH - HEADER_GUTTER) / 2
    right_centre = MARGIN_LEFT + HEADER_LEFT_WIDTH + HEADER_GUTTER + (HEADER_RIGHT_WIDTH - HEADER_GUTTER) / 2
    # Agency block and number centred in the left column; title, motto, date in the right one.
    assert _centre(agency, BOLD, 13) == pytest.approx(left_centre, abs=1)
    assert _centre(number, REGULAR, 13) == pytest.approx(left_centre, abs=1)
    assert _centre(title, BOLD, 13) == pytest.approx(right_centre, abs=1)
    assert _centre(motto, BOLD, 14) == pytest.approx(right_centre, abs=1)
    assert _centre(date, ITALIC, 14) == pytest.approx(right_centre, abs=1)
    assert title[1] + stringWidth(title[0], BOLD, 13) <= PAGE_WIDTH - MARGIN_RIGHT + 0.5  # one line
    assert abs(number[2] - date[2]) < 3  # "Số:" and the date share a line
    assert number[2] < agency[2] and date[2] < motto[2] < title[2]
    assert type_name[2] < number[2]  # type name below the header block
    assert title[2] > PAGE_HEIGHT - MARGIN_TOP - 20  # the header starts at the top margin


def test_signature_block_right_and_recipients_left_on_one_level(document):
    page = reader(render_official_document(document)).pages[0]
    _, recip_x, recip_y = find_item(page, "Nơi nhận:")
    _, auth_x, auth_y = find_item(page, "TM. ỦY BAN NHÂN DÂN")
    _, name_x, name_y = find_item(page, "Nguyễn Văn Anh")
    assert recip_x == pytest.approx(MARGIN_LEFT, abs=1)  # flush with the left margin
    assert auth_x > float(page.mediabox.width) / 2
    assert abs(recip_y - auth_y) < 4
    assert auth_y - name_y > 60  # room for signature and seal between position and name


def test_motto_rule_is_as_long_as_the_motto():
    ensure_fonts()
    style = ParagraphStyle("m", fontName=BOLD, fontSize=14, leading=16)
    ruled = RuledParagraph(Paragraph(MOTTO, style), ratio=1.0)
    ruled.wrap(300, 100)
    assert ruled.rule_length() == pytest.approx(stringWidth(MOTTO, BOLD, 14), abs=0.01)
    half = RuledParagraph(Paragraph("UBND HUYỆN BẮC YÊN", style), ratio=0.4)
    half.wrap(300, 100)
    assert half.rule_length() == pytest.approx(0.4 * stringWidth("UBND HUYỆN BẮC YÊN", BOLD, 14), abs=0.01)


# --- Vietnamese text -------------------------------------------------------------------------


def test_every_vietnamese_letter_has_a_glyph_in_every_face():
    letters = vietnamese_letters()
    assert len(letters) == 134
    for face in (REGULAR, BOLD, ITALIC, BOLD_ITALIC):
        assert missing_glyphs("".join(letters), face) == set(), face


def test_every_vietnamese_letter_survives_render_and_extraction():
    letters = sorted(vietnamese_letters())
    # Letters as words inside a sentence, plus one long real sentence with many of them.
    body = "Bảng chữ cái: " + " ".join(letters) + ".\nỦy ban nhân dân huyện Bắc Yên đề nghị."
    text = page_texts(render_official_document(make_document(body=body)))[0]
    missing = [letter for letter in letters if letter not in text]
    assert missing == []
    assert "Ủy ban nhân dân huyện Bắc Yên đề nghị." in text


def test_decomposed_input_is_printed_as_composed_letters():
    composed = "Về việc điều chỉnh kế hoạch"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    text = squash(page_texts(render_official_document(make_document(subject=decomposed)))[0])
    assert composed in text


def test_markup_characters_in_user_text_are_printed_literally():
    doc = make_document(subject="Về việc A & B <khẩn>", body="Giá trị x < 5 & y > 3.")
    text = squash(page_texts(render_official_document(doc))[0])
    assert "Về việc A & B <khẩn>" in text
    assert "Giá trị x < 5 & y > 3." in text


# --- pagination ------------------------------------------------------------------------------


def _top_margin_numbers(page) -> list[str]:
    top = float(page.mediabox.height) - MARGIN_TOP
    return [text for text, _, y in text_items(page) if y > top]


def test_long_body_paginates_with_numbers_from_page_two():
    pdf = render_official_document(make_document(body=long_body(45)))
    pages = reader(pdf).pages
    assert len(pages) >= 5
    assert _top_margin_numbers(pages[0]) == []
    for number, page in enumerate(pages[1:], start=2):
        assert _top_margin_numbers(page) == [str(number)]
    last = squash(pages[-1].extract_text())
    # The signature is never alone on the last page: the last paragraph travels with it.
    assert "Mục 45." in last
    assert "Nguyễn Văn Anh" in last
    assert "Mục 1." in squash(pages[0].extract_text())


# --- công văn, marks, signer variants --------------------------------------------------------


def test_cong_van_has_vv_under_the_number_and_no_type_name():
    doc = make_document(
        doc_type_code="cong_van",
        doc_type_name="Công văn",
        notation="125/UBND-VP",
        subject="triển khai hệ thống quản lý văn bản",
    )
    page = reader(render_official_document(doc)).pages[0]
    text = squash(page.extract_text())
    assert "V/v triển khai hệ thống quản lý văn bản" in text
    assert "CÔNG VĂN" not in text
    _, number_x, number_y = find_item(page, "Số: 125/UBND-VP")
    _, vv_x, vv_y = find_item(page, "V/v")
    assert vv_y < number_y and number_y - vv_y < 25  # right under the number
    assert vv_x < float(page.mediabox.width) / 2  # in the left column


@pytest.mark.parametrize(
    ("urgency", "secrecy", "marks"),
    [
        ("urgent", "normal", ["KHẨN"]),
        ("very_urgent", "confidential", ["THƯỢNG KHẨN", "MẬT"]),
        ("flash", "top_secret", ["HỎA TỐC", "TUYỆT MẬT"]),
        ("normal", "secret", ["TỐI MẬT"]),
    ],
)
def test_urgency_and_secrecy_marks_sit_under_the_number(urgency, secrecy, marks):
    page = reader(render_official_document(make_document(urgency=urgency, secrecy=secrecy))).pages[0]
    _, _, number_y = find_item(page, "Số:")
    _, _, type_y = find_item(page, "QUYẾT ĐỊNH")
    left_centre = MARGIN_LEFT + (HEADER_LEFT_WIDTH - HEADER_GUTTER) / 2
    for mark in marks:
        item = find_item(page, mark)
        assert type_y < item[2] < number_y
        assert _centre(item, BOLD, 13) == pytest.approx(left_centre, abs=1)  # centred under "Số:"


def test_normal_document_has_no_marks(document):
    text = page_texts(render_official_document(document))[0]
    assert "KHẨN" not in text and "HỎA TỐC" not in text and "MẬT" not in text


def test_deputy_signature_and_recipient_normalisation():
    doc = make_document(
        signer_authority="KT.",
        signer_authority_of="Chủ tịch",
        signer_position="Phó Chủ tịch",
        recipients=["- Lưu: VT.", "  - Sở Nội vụ;", "", "Văn phòng UBND tỉnh."],
    )
    lines = [line.strip() for line in page_texts(render_official_document(doc))[0].splitlines()]
    assert "KT. CHỦ TỊCH" in lines
    assert "PHÓ CHỦ TỊCH" in lines
    recipients = lines[lines.index("Nơi nhận:") + 1:][:3]
    assert recipients == ["- Sở Nội vụ;", "- Văn phòng UBND tỉnh;", "- Lưu: VT."]


def test_recipients_get_filing_line_when_missing():
    doc = make_document(signer_authority="", signer_authority_of="", recipients=["Sở Nội vụ"])
    text = page_texts(render_official_document(doc))[0]
    assert "- Sở Nội vụ;" in text and "- Lưu: VT." in text
    assert "TM." not in text


# --- determinism and validation --------------------------------------------------------------


def test_identical_input_gives_identical_bytes(document):
    first = render_official_document(document)
    assert render_official_document(make_document()) == first
    assert render_official_document(make_document(notation="06/QĐ-UBND")) != first


LONG_WORD = "Dự-án-" * 40  # wider than a line: Paragraph splits it


@pytest.mark.parametrize("changes", [
    {},
    {"body": "\n\n".join(f"{i}. {LONG_PARAGRAPH}" for i in range(1, 43))},  # five pages
    {"body": f"Điều 1. {LONG_PARAGRAPH}\nKhoản <a> & “b” \u00a0 hai\u00a0dấu cách  giữa\n"
             f"{LONG_WORD}\nTừ có gạch\u00admềm ở giữa {LONG_PARAGRAPH}"},
    {"doc_type_code": "cong_van", "doc_type_name": "Công văn", "urgency": "flash",
     "secrecy": "secret", "addressees": ("UBND các xã", "Phòng Nội vụ"), "number_date_fields": True},
])
def test_the_faster_paragraphs_print_the_same_bytes_as_reportlabs(monkeypatch, changes):
    import docflow.rendering.official as official

    document = make_document(**changes)
    fast = render_official_document(document)
    monkeypatch.setattr(official, "FastParagraph", Paragraph)
    assert render_official_document(document) == fast


@pytest.mark.parametrize(
    ("field", "value"),
    [("urgency", "rất khẩn"), ("secrecy", "mật"), ("signer_authority", "KT"), ("issued_on", "2024-01-01"),
     ("agency_name", " ")],
)
def test_invalid_fields_raise_value_error_naming_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        make_document(**{field: value})


def test_document_is_frozen_and_recipients_a_tuple(document):
    assert document.recipients == ("Như Điều 2", "TT Huyện ủy", "Lưu: VT, VP")
    with pytest.raises(AttributeError):
        document.notation = "x"  # type: ignore[misc]


def test_package_imports_without_django():
    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import docflow.rendering; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'"
    )
    result = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_concurrent_rendering_from_a_cold_start_is_race_free():
    """Fresh process, 12 threads rendering documents, registers and stamps at once.

    Font registration must happen once, and reportlab's non-thread-safe font subsetting must not
    corrupt output: every thread's bytes must equal a sequential render of the same input.
    """
    root = Path(__file__).resolve().parents[2]
    here = Path(__file__).resolve().parent
    code = """
import datetime, sys, threading, traceback
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from rendering_helpers import long_body, make_document
from docflow.rendering import (OUTGOING_REGISTER_COLUMNS, render_official_document,
                               render_register_pdf, stamp_incoming, typeface)
assert not typeface._registered
jobs = [
    lambda: render_official_document(make_document()),
    lambda: render_official_document(make_document(body=long_body(12), urgency="flash")),
    lambda: render_register_pdf("Sổ", 2024, OUTGOING_REGISTER_COLUMNS, [["01/QĐ", "", "Trích yếu " * 40] + [""] * 5] * 30),
] * 4
results, errors, barrier = {}, [], threading.Barrier(len(jobs))
def work(index):
    try:
        barrier.wait()
        results[index] = jobs[index]()
    except Exception:
        errors.append(traceback.format_exc())
threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
[t.start() for t in threads]
[t.join() for t in threads]
assert not errors, errors[0]
for index, job in enumerate(jobs):
    assert results[index] == job(), f"job {index} differs from its sequential render"
pdf = results[0]
stamps = [None] * 6
def stamp(i):
    stamps[i] = stamp_incoming(pdf, agency_name="UBND XÃ A", incoming_number=i + 1,
                               received_at=datetime.datetime(2024, 1, 2, 3, 4))
threads = [threading.Thread(target=stamp, args=(i,)) for i in range(6)]
[t.start() for t in threads]
[t.join() for t in threads]
for i in range(6):
    assert stamps[i] == stamp_incoming(pdf, agency_name="UBND XÃ A", incoming_number=i + 1,
                                       received_at=datetime.datetime(2024, 1, 2, 3, 4)), i
"""
    result = subprocess.run([sys.executable, "-c", code, str(root), str(here)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
