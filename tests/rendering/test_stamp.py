"""stamp_incoming: the "ĐẾN" stamp on page 1 of a received PDF."""

from __future__ import annotations

import datetime
import io

import pytest
from pypdf import PdfWriter
from pypdf.generic import RectangleObject
from reportlab.lib.pagesizes import A4, A7
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from docflow.rendering import StampError, render_official_document, stamp_incoming
from docflow.rendering.official import HEADER_LEFT_WIDTH, MARGIN_LEFT
from rendering_helpers import (
    find_item,
    long_body,
    make_document,
    overlaps,
    page_texts,
    poppler_lines,
    reader,
    squash,
    stamp_rect,
    text_items,
)

RECEIVED = datetime.datetime(2024, 3, 5, 14, 30)


def _stamp(pdf: bytes, **overrides: object) -> bytes:
    kwargs: dict[str, object] = {
        "agency_name": "Ủy ban nhân dân xã Phiêng Ban",
        "incoming_number": 7,
        "received_at": RECEIVED,
        "handling_note": "Đ/c Chủ tịch",
    }
    kwargs.update(overrides)
    return stamp_incoming(pdf, **kwargs)


@pytest.fixture(scope="module")
def three_pages() -> bytes:
    pdf = render_official_document(make_document(body=long_body(22)))
    assert len(reader(pdf).pages) == 3
    return pdf


def _plain_pdf(pagesize=A4, pages: int = 1, rotate: int = 0, mediabox: tuple | None = None) -> bytes:
    """A PDF drawn by hand, with optional /Rotate and a mediabox not starting at (0, 0)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=pagesize, invariant=1)
    for number in range(1, pages + 1):
        canvas.drawString(100, 100, f"Plain page {number}")
        canvas.showPage()
    canvas.save()
    writer = PdfWriter(clone_from=io.BytesIO(buffer.getvalue()))
    for page in writer.pages:
        if rotate:
            page.rotate(rotate)
        if mediabox:
            page.mediabox = RectangleObject(mediabox)
            page.cropbox = RectangleObject(mediabox)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_stamp_on_first_page_only_and_other_pages_untouched(three_pages):
    stamped = _stamp(three_pages)
    before, after = reader(three_pages), reader(stamped)
    assert len(after.pages) == len(before.pages) == 3

    first = squash(after.pages[0].extract_text())
    for expected in ["ỦY BAN NHÂN DÂN XÃ PHIÊNG BAN", "ĐẾN", "Số: 07", "Ngày: 05/03/2024", "Giờ: 14:30",
                     "Chuyển: Đ/c Chủ tịch", "Lưu hồ sơ số:"]:
        assert expected in first, expected
    # Everything the sender printed on page 1 is still there.
    for line in before.pages[0].extract_text().splitlines():
        assert squash(line) in first

    for index in (1, 2):
        assert after.pages[index].extract_text() == before.pages[index].extract_text()
        assert after.pages[index].get_contents().get_data() == before.pages[index].get_contents().get_data()
        assert "ĐẾN" not in after.pages[index].extract_text()
        assert "Số: 07" not in after.pages[index].extract_text()


def _cong_van(**changes):
    values = {"doc_type_code": "cong_van", "doc_type_name": "Công văn", "notation": "125/UBND-VP",
              "subject": "triển khai hệ thống quản lý văn bản", "recipients": ["Lưu: VT, VP"],
              "addressees": ["Ủy ban nhân dân xã Phiêng Ban", "Ủy ban nhân dân xã Song Pe"],
              "body": "\n".join(["Ủy ban nhân dân huyện đề nghị các xã triển khai hệ thống."] * 6)}
    return make_document(**{**values, **changes})


LONG_SUBJECT = ("triển khai hệ thống quản lý văn bản và điều hành, chữ ký số và liên thông văn bản "
                "bốn cấp chính quyền trên địa bàn huyện năm 2024")
LAYOUTS = {
    "decision": lambda: make_document(issuing_authority="ỦY BAN NHÂN DÂN HUYỆN BẮC YÊN"),
    "decision, long subject, flash": lambda: make_document(subject=f"Về việc {LONG_SUBJECT}", urgency="flash"),
    "cong van": _cong_van,
    "cong van, one addressee": lambda: _cong_van(addressees=["Sở Nội vụ tỉnh Sơn La"]),
    "cong van, long subject": lambda: _cong_van(subject=LONG_SUBJECT),
    "cong van, long recipient list": lambda: _cong_van(
        addressees=[f"Ủy ban nhân dân xã số {n} huyện Bắc Yên" for n in range(1, 19)], subject=LONG_SUBJECT),
    "submission": lambda: make_document(doc_type_code="to_trinh", doc_type_name="Tờ trình",
                                        addressees=["Ủy ban nhân dân tỉnh Sơn La"]),
    "multi-page plan": lambda: make_document(doc_type_code="ke_hoach", doc_type_name="Kế hoạch",
                                             body=long_body(22)),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_stamp_lies_outside_every_text_line_under_the_number_of_an_official_document(layout):
    original = render_official_document(LAYOUTS[layout]())
    stamped = _stamp(original, file_code="03.2024.VP")
    box = stamp_rect(stamped)
    lines = poppler_lines(original)
    assert [text for rect, text in lines if overlaps(box, rect)] == []
    block_bottom = next(rect for rect, text in lines if text.startswith("Số:"))[3]
    for rect, _ in sorted(lines, key=lambda line: line[0][1]):  # the V/v and marks under the number
        if 0 <= rect[1] - block_bottom < 10 and rect[2] <= MARGIN_LEFT + HEADER_LEFT_WIDTH:
            block_bottom = rect[3]
    assert box[1] >= block_bottom  # below the number and its V/v lines
    assert box[0] < A4[0] / 2 and box[1] < A4[1] / 2  # left column, upper half
    assert (box[2] - box[0]) >= 0.6 * 50 * mm * 0.99  # never shrunk past legibility
    text = squash(reader(stamped).pages[0].extract_text())
    assert "Lưu hồ sơ số: 03.2024.VP" in text and "Chuyển: Đ/c Chủ tịch" in text


def _dense_top_pdf() -> bytes:
    """A letter with no official header: text lines from the top margin down to mid-page."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    for row in range(30):
        canvas.drawString(60, A4[1] - 40 - row * 14, "Nội dung dòng " * 6 + str(row))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@pytest.mark.parametrize("pdf", [_dense_top_pdf, lambda: _plain_pdf(pages=2)], ids=["dense top", "plain"])
def test_stamp_on_any_other_pdf_also_lies_outside_its_text(pdf):
    original = pdf()
    box = stamp_rect(_stamp(original))
    assert [text for rect, text in poppler_lines(original) if overlaps(box, rect)] == []


def test_file_code_is_blank_when_none_is_known(three_pages):
    text = squash(reader(_stamp(three_pages)).pages[0].extract_text())
    assert "Lưu hồ sơ số:" in text
    assert "Lưu hồ sơ số: 0" not in text


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_stamp_reads_upright_at_the_visible_top_left_of_rotated_pages(rotate):
    stamped = _stamp(_plain_pdf(rotate=rotate))
    page = reader(stamped).pages[0]
    _, x, y = find_item(page, "ĐẾN")
    w, h = A4
    # The visible top-left corner in user space, for each /Rotate value.
    corner = {90: (0, 0), 180: (w, 0), 270: (w, h)}[rotate]
    assert abs(x - corner[0]) < 40 * mm and abs(y - corner[1]) < 40 * mm
    assert "Plain page 1" in page.extract_text()


def test_stamp_follows_a_cropbox_not_at_the_origin():
    box = (100, 200, 100 + A4[0], 200 + A4[1])
    page = reader(_stamp(_plain_pdf(mediabox=box))).pages[0]
    _, x, y = find_item(page, "ĐẾN")
    assert box[0] < x < box[0] + 30 * mm
    assert box[3] - 20 * mm < y < box[3]


def test_stamp_shrinks_to_fit_a_small_page():
    page = reader(_stamp(_plain_pdf(pagesize=A7))).pages[0]
    for _, x, y in text_items(page):
        assert 0 <= x <= A7[0] and 0 <= y <= A7[1]
    assert "Số: 07" in page.extract_text()


def test_aware_datetimes_are_shown_in_vietnam_time(three_pages):
    utc = datetime.datetime(2024, 12, 31, 18, 5, tzinfo=datetime.timezone.utc)  # 01:05 on 1 January
    text = squash(reader(_stamp(three_pages, received_at=utc)).pages[0].extract_text())
    assert "Ngày: 01/01/2025" in text and "Giờ: 01:05" in text


def test_string_numbers_are_printed_as_given(three_pages):
    text = squash(reader(_stamp(three_pages, incoming_number="1234/Đ")).pages[0].extract_text())
    assert "Số: 1234/Đ" in text


def test_stamping_is_deterministic(three_pages):
    assert _stamp(three_pages) == _stamp(three_pages)
    assert _stamp(three_pages) != _stamp(three_pages, incoming_number=8)


def test_multi_page_plain_pdf_keeps_its_pages():
    original = _plain_pdf(pages=4)
    texts = page_texts(_stamp(original))
    assert len(texts) == 4
    assert [squash(t) for t in texts[1:]] == ["Plain page 2", "Plain page 3", "Plain page 4"]


def _encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(_plain_pdf()))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")  # RC4 needs no extra package
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a PDF"),
        (b"hello, this is not a pdf", "not a PDF"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "damaged|no pages"),
        ("%PDF-1.4", "expected bytes"),
    ],
)
def test_invalid_input_raises_stamp_error(data, message):
    with pytest.raises(StampError, match=message):
        _stamp(data)


def test_encrypted_pdf_raises_stamp_error():
    with pytest.raises(StampError, match="encrypted"):
        _stamp(_encrypted_pdf())


def test_stamp_error_is_a_value_error_and_checks_arguments(three_pages):
    assert issubclass(StampError, ValueError)
    with pytest.raises(StampError, match="incoming_number"):
        _stamp(three_pages, incoming_number=0)
    with pytest.raises(StampError, match="received_at"):
        _stamp(three_pages, received_at=datetime.date(2024, 3, 5))


def test_a_page_that_cannot_be_measured_is_still_stamped_at_its_top_left(three_pages, monkeypatch, caplog):
    from docflow.rendering import stamp as stamp_module

    def refuse(*args, **kwargs):
        raise ValueError("unreadable content stream")

    monkeypatch.setattr(stamp_module, "page_boxes", refuse)
    stamped = _stamp(three_pages)
    page, box = reader(stamped).pages[0], stamp_rect(stamped)
    assert box[0] == pytest.approx(8 * mm, abs=0.5) and box[1] == pytest.approx(4 * mm, abs=0.5)
    assert "Số: 07" in page.extract_text()
    assert "cannot be measured" in caplog.text


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_stamp_on_a_rotated_official_page_avoids_its_text(rotate):
    original = render_official_document(make_document())
    writer = PdfWriter(clone_from=io.BytesIO(original))
    writer.pages[0].rotate(rotate)
    buffer = io.BytesIO()
    writer.write(buffer)
    stamped = _stamp(buffer.getvalue())
    # /Rotate leaves user space alone: the unrotated page's lines are where the text is.
    box = stamp_rect(stamped)
    assert [text for rect, text in poppler_lines(original) if overlaps(box, rect)] == []
    assert "ĐẾN" in reader(stamped).pages[0].extract_text()
