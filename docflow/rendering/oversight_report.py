"""The superior's monthly oversight report (theo dõi đơn vị cấp dưới) as a PDF: one line per
agency below, with the figures the administrative-reform index asks about under "hiện đại hóa
hành chính" (documents exchanged electronically, digitally signed, handled on time).

A pure function like the other renderers (plain data in, PDF bytes out, deterministic); it
uses the statistics report's typeface, styles and table (``report.py``), in landscape A4.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Spacer

from .report import _AGENCY, _CELL, _HEAD, _NOTE, _NUM, _SUB, _TITLE, _p, _table, format_days
from .typeface import REGULAR, ensure_fonts, render_lock

__all__ = ["OVERSIGHT_COLUMNS", "OversightLine", "OversightSheet", "format_share", "render_oversight_report"]

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 14 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN

# Heading, and the share of the text width, of each column; the CSV has the same headings.
OVERSIGHT_COLUMNS = (
    ("STT", 0.05), ("Đơn vị", 0.25), ("Mã định danh", 0.10), ("Văn bản đến", 0.07),
    ("Văn bản đi", 0.06), ("Tỷ lệ gửi, nhận điện tử", 0.09), ("Tỷ lệ ký số", 0.08),
    ("Xử lý đúng hạn", 0.07), ("Xử lý quá hạn", 0.07), ("Tỷ lệ đúng hạn", 0.07),
    ("Thời gian xử lý TB (ngày)", 0.09),
)

CRITERIA_NOTE = (
    "Các cột trả lời tiêu chí \u201chiện đại hóa hành chính\u201d của Chỉ số cải cách hành chính: "
    "Tỷ lệ gửi, nhận điện tử = (văn bản đến nhận qua hệ thống + văn bản đi không gửi bản giấy) / "
    "(văn bản đến + văn bản đi); Tỷ lệ ký số = văn bản đi được người có thẩm quyền ký số / văn bản đi; "
    "Xử lý đúng hạn, quá hạn = văn bản đến hoàn thành trong tháng không muộn hơn / muộn hơn hạn xử lý, "
    "cộng văn bản đang xử lý đã quá hạn có hạn trong tháng; Tỷ lệ đúng hạn = đúng hạn / văn bản hoàn "
    "thành trong tháng; Thời gian xử lý: từ khi văn bản đến đến khi hoàn thành. Chỉ có số liệu, không "
    "có văn bản của đơn vị cấp dưới."
)


@dataclass(frozen=True)
class OversightLine:
    code: str
    name: str
    received: int
    issued: int
    electronic_share: float | None
    signed_share: float | None
    on_time: int
    overdue: int
    on_time_share: float | None
    mean_handling_days: float | None
    depth: int = 1


@dataclass(frozen=True)
class OversightSheet:
    agency_name: str  # the superior's
    month_label: str  # "tháng 03/2026"
    generated_on: datetime.date
    lines: Sequence[OversightLine] = field(default_factory=tuple)


def format_share(value: float | None) -> str:
    """0.8333 → "83,3%", 0.21 → "21,0%"; None → "—"."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}".replace(".", ",") + "%"


def oversight_cells(index: int, line: OversightLine) -> list[str]:
    """The line's cells as text, in OVERSIGHT_COLUMNS order (the PDF and the CSV print these)."""
    return [
        str(index), line.name, line.code, str(line.received), str(line.issued),
        format_share(line.electronic_share), format_share(line.signed_share), str(line.on_time),
        str(line.overdue), format_share(line.on_time_share), format_days(line.mean_handling_days),
    ]


def _totals(lines: Sequence[OversightLine]) -> list[str]:
    received = sum(line.received for line in lines)
    issued = sum(line.issued for line in lines)
    on_time = sum(line.on_time for line in lines)
    overdue = sum(line.overdue for line in lines)
    return ["", "Tổng cộng", "", str(received), str(issued), "", "", str(on_time), str(overdue), "", ""]


def _page_number(canvas, doc_template) -> None:
    canvas.saveState()
    canvas.setFont(REGULAR, 9)
    canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN / 2, f"Trang {doc_template.page}")
    canvas.restoreState()


def render_oversight_report(sheet: OversightSheet) -> bytes:
    """The report as a landscape A4 PDF: heading, one line per agency below (sub-agencies
    indented by depth), totals, and what each column answers. Equal sheets give equal bytes."""
    ensure_fonts()
    widths = [TEXT_WIDTH * share for _, share in OVERSIGHT_COLUMNS]
    data = [[_p(heading, _HEAD) for heading, _ in OVERSIGHT_COLUMNS]]
    for index, line in enumerate(sheet.lines, start=1):
        cells = oversight_cells(index, line)
        cells[1] = "\u00a0\u00a0" * (line.depth - 1) + cells[1]
        data.append([_p(text, _CELL if column in (1, 2) else _NUM) for column, text in enumerate(cells)])
    if sheet.lines:
        data.append([_p(text, _HEAD if column == 1 else _NUM) for column, text in enumerate(_totals(sheet.lines))])
    story: list = [
        _p(sheet.agency_name.upper(), _AGENCY),
        Spacer(1, 3 * mm),
        _p("BÁO CÁO THEO DÕI ĐƠN VỊ CẤP DƯỚI: HIỆN ĐẠI HÓA HÀNH CHÍNH", _TITLE),
        _p(f"Kỳ báo cáo: {sheet.month_label}", _SUB),
        _p(f"Ngày lập: {sheet.generated_on:%d/%m/%Y}", _SUB),
        Spacer(1, 5 * mm),
        _table(data, widths) if sheet.lines else _p("Không có đơn vị cấp dưới.", _CELL),
        Spacer(1, 4 * mm),
        _p(CRITERIA_NOTE, _NOTE),
    ]
    buffer = io.BytesIO()
    frame = Frame(MARGIN, MARGIN, TEXT_WIDTH, PAGE_HEIGHT - 2 * MARGIN,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    template = BaseDocTemplate(
        buffer, pagesize=landscape(A4), title=f"Báo cáo theo dõi đơn vị cấp dưới {sheet.month_label}",
        creator="Docflow", lang="vi", invariant=1,
        pageTemplates=[PageTemplate(id="oversight", frames=[frame], onPage=_page_number)],
    )
    with render_lock:  # reportlab's font subsetting is not thread-safe (see typeface.py)
        template.build(story)
    return buffer.getvalue()
