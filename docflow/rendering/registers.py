"""Register books (sổ đăng ký văn bản đi / đến) as PDF and as CSV.

The columns follow the register forms of Decree 30/2020/NĐ-CP, Appendix IV. The PDF is a
landscape A4 table whose heading rows repeat on every page and whose cells wrap long text; the
CSV carries a UTF-8 byte order mark because Excel otherwise opens it as a legacy code page and
garbles every Vietnamese letter.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, black
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from docflow.core.csv_safe import csv_writer

from .typeface import BOLD, REGULAR, compose, ensure_fonts, render_lock

__all__ = [
    "INCOMING_REGISTER_COLUMNS",
    "OUTGOING_REGISTER_COLUMNS",
    "RegisterColumn",
    "render_register_csv",
    "render_register_pdf",
]


@dataclass(frozen=True)
class RegisterColumn:
    """One column of a register: its printed heading and its relative width in the PDF."""

    heading: str
    width: float = 1.0


# Sổ đăng ký văn bản đi: columns (1)-(8) of the decree's form. Widths favour the subject.
OUTGOING_REGISTER_COLUMNS: tuple[RegisterColumn, ...] = (
    RegisterColumn("Số, ký hiệu văn bản", 1.3),
    RegisterColumn("Ngày tháng văn bản", 1.0),
    RegisterColumn("Tên loại và trích yếu nội dung", 3.4),
    RegisterColumn("Người ký", 1.3),
    RegisterColumn("Nơi nhận văn bản", 2.0),
    RegisterColumn("Đơn vị, người nhận bản lưu", 1.4),
    RegisterColumn("Số lượng bản", 0.7),
    RegisterColumn("Ghi chú", 1.0),
)

# Sổ đăng ký văn bản đến: columns (1)-(9) of the decree's form.
INCOMING_REGISTER_COLUMNS: tuple[RegisterColumn, ...] = (
    RegisterColumn("Ngày đến", 0.9),
    RegisterColumn("Số đến", 0.7),
    RegisterColumn("Tác giả", 1.6),
    RegisterColumn("Số, ký hiệu", 1.2),
    RegisterColumn("Ngày tháng", 0.9),
    RegisterColumn("Tên loại và trích yếu nội dung", 3.2),
    RegisterColumn("Đơn vị hoặc người nhận", 1.5),
    RegisterColumn("Ký nhận", 0.9),
    RegisterColumn("Ghi chú", 1.0),
)

PAGE_SIZE = landscape(A4)
MARGIN = 15 * mm
MARGIN_TOP = 18 * mm
HEADER_FILL = Color(0.92, 0.92, 0.92)

_TITLE = ParagraphStyle("reg_title", fontName=BOLD, fontSize=15, leading=19, alignment=TA_CENTER)
_YEAR = ParagraphStyle("reg_year", fontName=BOLD, fontSize=13, leading=17, alignment=TA_CENTER)
_HEAD = ParagraphStyle("reg_head", fontName=BOLD, fontSize=10, leading=12, alignment=TA_CENTER)
_INDEX = ParagraphStyle("reg_index", fontName=REGULAR, fontSize=9, leading=11, alignment=TA_CENTER)
_CELL = ParagraphStyle("reg_cell", fontName=REGULAR, fontSize=10, leading=12.5, alignment=TA_LEFT)


def _normalise_columns(columns: Iterable[RegisterColumn | str]) -> list[RegisterColumn]:
    result = [c if isinstance(c, RegisterColumn) else RegisterColumn(str(c)) for c in columns]
    if not result:
        raise ValueError("columns: at least one column is required")
    return result


def _check_rows(rows: Iterable[Sequence[object]], width: int) -> list[list[str]]:
    checked = []
    for index, row in enumerate(rows):
        cells = ["" if cell is None else compose(str(cell)) for cell in row]
        if len(cells) != width:
            raise ValueError(f"rows[{index}]: has {len(cells)} cells, expected {width} (one per column)")
        checked.append(cells)
    return checked


def _cell(text: str, style: ParagraphStyle) -> Paragraph:
    # Escape markup characters, and keep the clerk's line breaks (multi-line "Nơi nhận").
    return Paragraph(escape(compose(text)).replace("\n", "<br/>"), style)


def _draw_page_number(canvas, doc_template) -> None:
    canvas.saveState()
    canvas.setFont(REGULAR, 10)
    canvas.drawCentredString(PAGE_SIZE[0] / 2, MARGIN / 2, f"Trang {doc_template.page}")
    canvas.restoreState()


def render_register_pdf(
    title: str,
    year: int,
    columns: Sequence[RegisterColumn | str],
    rows: Iterable[Sequence[object]],
) -> bytes:
    """Render a register book as a landscape A4 PDF and return its bytes.

    ``title`` is printed upper-cased (e.g. "Sổ đăng ký văn bản đi") above "Năm <year>".
    ``columns`` are ``RegisterColumn`` (or plain heading strings, equal widths); the presets
    ``OUTGOING_REGISTER_COLUMNS`` and ``INCOMING_REGISTER_COLUMNS`` are the decree's forms.
    Each row is a sequence of cell texts, one per column (``None`` prints empty); a row of the
    wrong length raises ``ValueError`` naming it. The heading row and the column-number row
    "(1) (2) ..." repeat on every page; every page is numbered at the bottom. Deterministic.
    """
    cols = _normalise_columns(columns)
    body = _check_rows(rows, len(cols))
    ensure_fonts()

    table_width = PAGE_SIZE[0] - 2 * MARGIN
    total = sum(max(c.width, 0.01) for c in cols)
    widths = [table_width * max(c.width, 0.01) / total for c in cols]

    data: list[list[Paragraph]] = [
        [_cell(c.heading, _HEAD) for c in cols],
        [_cell(f"({i})", _INDEX) for i in range(1, len(cols) + 1)],
    ]
    data.extend([_cell(text, _CELL) for text in row] for row in body)

    # splitInRow lets a single very long cell continue on the next page instead of failing.
    table = Table(data, colWidths=widths, repeatRows=2, splitInRow=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 1), HEADER_FILL),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))

    buffer = io.BytesIO()
    frame = Frame(MARGIN, MARGIN, table_width, PAGE_SIZE[1] - MARGIN - MARGIN_TOP,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    template = BaseDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        pageTemplates=[PageTemplate(id="register", frames=[frame], onPage=_draw_page_number)],
        title=f"{title} {year}",
        creator="Docflow",
        lang="vi",
        invariant=1,
    )
    story = [_cell(title.upper(), _TITLE), _cell(f"Năm {year}", _YEAR), Spacer(1, 5 * mm), table]
    with render_lock:  # reportlab's font subsetting is not thread-safe (see typeface.py)
        template.build(story)
    return buffer.getvalue()


def render_register_csv(
    columns: Sequence[RegisterColumn | str],
    rows: Iterable[Sequence[object]],
) -> bytes:
    """Return the register as CSV bytes: UTF-8 with BOM, CRLF line ends, headings first.

    Same ``columns`` and ``rows`` rules as ``render_register_pdf``.
    """
    cols = _normalise_columns(columns)
    body = _check_rows(rows, len(cols))
    text = io.StringIO()
    writer = csv_writer(text, lineterminator="\r\n")  # CRLF: what Excel itself writes; no formulas
    writer.writerow(compose(c.heading) for c in cols)
    writer.writerows(body)
    return text.getvalue().encode("utf-8-sig")
