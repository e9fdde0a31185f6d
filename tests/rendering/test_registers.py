"""Register books: render_register_pdf and render_register_csv."""

from __future__ import annotations

import csv
import io
import re

import pytest

from docflow.rendering import (
    INCOMING_REGISTER_COLUMNS,
    OUTGOING_REGISTER_COLUMNS,
    RegisterColumn,
    render_register_csv,
    render_register_pdf,
)
from rendering_helpers import page_texts, reader, squash

SUBJECT = "Quyết định về việc phê duyệt kế hoạch triển khai công tác chuyển đổi số năm 2024 trên địa bàn huyện"


def _outgoing_rows(count: int) -> list[list[str]]:
    return [
        [f"{i:02d}/QĐ-UBND", f"{i % 28 + 1:02d}/03/2024", f"{SUBJECT} (bản {i})" * (1 + i % 3),
         "Nguyễn Văn Anh", "Các phòng, ban;\nUBND các xã", "Văn phòng", "3", ""]
        for i in range(1, count + 1)
    ]


def test_column_presets_follow_the_decree_forms():
    assert [c.heading for c in OUTGOING_REGISTER_COLUMNS] == [
        "Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung", "Người ký",
        "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ghi chú",
    ]
    assert [c.heading for c in INCOMING_REGISTER_COLUMNS] == [
        "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Ngày tháng", "Tên loại và trích yếu nội dung",
        "Đơn vị hoặc người nhận", "Ký nhận", "Ghi chú",
    ]


def test_long_register_lists_every_row_once_and_repeats_the_header():
    pdf = render_register_pdf("Sổ đăng ký văn bản đi", 2024, OUTGOING_REGISTER_COLUMNS, _outgoing_rows(60))
    texts = [squash(t) for t in page_texts(pdf)]
    assert len(texts) >= 3
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in texts[0] and "Năm 2024" in texts[0]
    notations = re.findall(r"\b\d{2}/QĐ-UBND\b", " ".join(texts))
    assert sorted(notations) == [f"{i:02d}/QĐ-UBND" for i in range(1, 61)]
    for number, text in enumerate(texts, start=1):
        assert "Tên loại và trích yếu nội dung" in text, f"header missing on page {number}"
        assert "(1)" in text and "(8)" in text
        assert f"Trang {number}" in text
    assert "SỔ ĐĂNG KÝ" not in texts[1]  # the title is printed once, the header on every page


def test_register_pages_are_landscape_a4():
    page = reader(render_register_pdf("Sổ", 2024, INCOMING_REGISTER_COLUMNS, [])).pages[0]
    assert float(page.mediabox.width) == pytest.approx(841.89, abs=0.1)
    assert float(page.mediabox.height) == pytest.approx(595.28, abs=0.1)


def test_short_register_is_one_page_with_all_cells():
    rows = [["05/03/2024", "07", "Sở Nội vụ tỉnh Sơn La", "125/SNV-VP", "01/03/2024",
             "Công văn về việc tuyển dụng công chức", "Phòng Nội vụ", "", "Khẩn"]]
    pdf = render_register_pdf("Sổ đăng ký văn bản đến", 2024, INCOMING_REGISTER_COLUMNS, rows)
    texts = page_texts(pdf)
    assert len(texts) == 1
    text = squash(texts[0])
    for cell in rows[0]:
        assert cell in text


def test_a_huge_cell_splits_across_pages_instead_of_failing():
    rows = [["01/QĐ-UBND", "", "trích yếu " * 3000, "", "", "", "", ""]]
    pdf = render_register_pdf("Sổ", 2024, OUTGOING_REGISTER_COLUMNS, rows)
    assert len(reader(pdf).pages) > 2


def test_register_pdf_is_deterministic():
    rows = _outgoing_rows(5)
    first = render_register_pdf("Sổ", 2024, OUTGOING_REGISTER_COLUMNS, rows)
    assert render_register_pdf("Sổ", 2024, OUTGOING_REGISTER_COLUMNS, rows) == first


def test_row_of_wrong_length_is_rejected_with_its_index():
    rows = [["a"] * 8, ["b"] * 7]
    with pytest.raises(ValueError, match=r"rows\[1\]"):
        render_register_pdf("Sổ", 2024, OUTGOING_REGISTER_COLUMNS, rows)
    with pytest.raises(ValueError, match=r"rows\[1\]"):
        render_register_csv(OUTGOING_REGISTER_COLUMNS, rows)


def test_csv_has_bom_crlf_headings_and_vietnamese_rows():
    rows = _outgoing_rows(3)
    data = render_register_csv(OUTGOING_REGISTER_COLUMNS, rows)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    text = data.decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed[0] == [c.heading for c in OUTGOING_REGISTER_COLUMNS]
    assert parsed[1:] == rows  # commas, semicolons and the embedded newline round-trip
    assert len(parsed) == 4


def test_csv_accepts_plain_heading_strings_and_none_cells():
    data = render_register_csv(["Số đến", RegisterColumn("Ghi chú", 2)], [["01", None]])
    assert data.decode("utf-8-sig") == "Số đến,Ghi chú\r\n01,\r\n"


def test_empty_columns_are_rejected():
    with pytest.raises(ValueError, match="columns"):
        render_register_csv([], [])
