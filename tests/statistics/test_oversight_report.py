"""The superior's monthly report: CSV cells a spreadsheet would run are neutralised; the PDF
prints every agency below, with what each column answers."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from pypdf import PdfReader

from docflow.reports.oversight import OversightRow
from docflow.reports.oversight_sheets import neutralised, oversight_csv, oversight_pdf

MARCH = dt.date(2026, 3, 1)


def row(name: str, code: str = "000.00.31.H52", **figures) -> OversightRow:
    return OversightRow(month=MARCH, agency_code=code, agency_name=name, **figures)


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_is_prefixed(cell):
    assert neutralised(cell) == "'" + cell


def test_plain_cells_stay_as_they_are():
    assert [neutralised(c) for c in ("UBND xã A", "12", "83,3%", "—", "")] == ["UBND xã A", "12", "83,3%", "—", ""]


def test_the_csv_neutralises_an_agency_name_starting_with_a_formula():
    rows = [row('=HYPERLINK("http://x","y")', received=3, received_electronic=2, issued=1, issued_electronic=1,
                issued_signed=1, on_time=2, completed_late=1, overdue_open=1),
            row("@cmd", code="000.01.31.H52")]
    header, first, second = list(csv.reader(io.StringIO(oversight_csv(rows=rows).decode("utf-8-sig"))))
    assert header[5:7] == ["Tỷ lệ gửi, nhận điện tử", "Tỷ lệ ký số"]
    assert first == ["1", '\'=HYPERLINK("http://x","y")', "000.00.31.H52", "3", "1", "75,0%", "100,0%", "2", "2",
                     "66,7%", "—"]
    assert second[1] == "'@cmd" and second[5:7] == ["—", "—"]


def test_the_pdf_lists_every_agency_below_and_the_criteria():
    rows = [row(f"Ủy ban nhân dân xã Thử {i}", code=f"000.{i:02d}.31.H52", received=i) for i in range(45)]
    data = oversight_pdf(superior_name="Ủy ban nhân dân tỉnh Sơn La", month=MARCH, rows=rows, today=dt.date(2026, 4, 1))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "tháng 03/2026" in text and "hiện đại hóa hành chính" in text
    assert all(f"000.{i:02d}.31.H52" in text for i in range(45))
