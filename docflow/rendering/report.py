"""The statistics report (báo cáo thống kê văn bản) as a PDF: tables and bar charts.

``render_statistics_report`` is a pure function like the other renderers: plain data in, PDF
bytes out, deterministic (reportlab's ``invariant`` mode). The charts are reportlab graphics
(vector), drawn in the same bundled typeface as the text so Vietnamese labels print correctly.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color, black
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from .typeface import BOLD, REGULAR, compose, ensure_fonts, render_lock

__all__ = [
    "RECIPIENT_COLUMNS",
    "StatisticsLine",
    "StatisticsSheet",
    "format_days",
    "render_statistics_report",
]

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
HEADER_FILL = Color(0.92, 0.92, 0.92)
# Colours of the series: received, on time, late, overdue (readable in greyscale print too).
SERIES_COLORS = (Color(0.25, 0.42, 0.68), Color(0.20, 0.56, 0.33), Color(0.85, 0.55, 0.10),
                 Color(0.75, 0.16, 0.16), Color(0.45, 0.45, 0.45))
MAX_CHARTED_RECIPIENTS = 30

RECIPIENT_COLUMNS = ("Cơ quan nhận", "Mã định danh", "Đã gửi", "Hoàn thành đúng hạn",
                     "Hoàn thành quá hạn", "Đang quá hạn", "Thời gian xử lý TB (ngày)")


@dataclass(frozen=True)
class StatisticsLine:
    """One line of figures: the agency itself, or one recipient agency (``code`` set)."""

    name: str
    received: int
    completed_on_time: int
    completed_late: int
    overdue_now: int
    mean_handling_days: float | None
    issued: int | None = None
    code: str = ""


@dataclass(frozen=True)
class StatisticsSheet:
    """What the report prints: the agency's figures, and per recipient those of what it sent."""

    agency_name: str
    period_label: str  # "tháng 01/2025" or "01/01/2025 – 31/03/2025"
    generated_on: datetime.date
    agency: StatisticsLine
    recipients: Sequence[StatisticsLine] = field(default_factory=tuple)


def format_days(value: float | None) -> str:
    """4.25 → "4,25" (Vietnamese decimal comma); None → "—"."""
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _style(name: str, font: str, size: float, align: int = TA_LEFT) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.3, alignment=align)


_AGENCY = _style("st_agency", BOLD, 12, TA_CENTER)
_TITLE = _style("st_title", BOLD, 15, TA_CENTER)
_SUB = _style("st_sub", REGULAR, 12, TA_CENTER)
_H2 = _style("st_h2", BOLD, 12)
_CELL = _style("st_cell", REGULAR, 10)
_HEAD = _style("st_head", BOLD, 10, TA_CENTER)
_NUM = _style("st_num", REGULAR, 10, TA_RIGHT)
_NOTE = _style("st_note", REGULAR, 9)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(compose(text)), style)


def _table(rows: list[list[Paragraph]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, black),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _summary(line: StatisticsLine) -> list:
    rows = [
        ("Văn bản đến trong kỳ", str(line.received)),
        ("Văn bản đi phát hành trong kỳ", "—" if line.issued is None else str(line.issued)),
        ("Hoàn thành đúng hạn trong kỳ", str(line.completed_on_time)),
        ("Hoàn thành quá hạn trong kỳ", str(line.completed_late)),
        ("Đang quá hạn (lúc lập báo cáo)", str(line.overdue_now)),
        ("Thời gian xử lý trung bình (ngày)", format_days(line.mean_handling_days)),
    ]
    data = [[_p("Chỉ tiêu", _HEAD), _p("Số liệu", _HEAD)]]
    data += [[_p(label, _CELL), _p(value, _NUM)] for label, value in rows]
    return [_table(data, [TEXT_WIDTH * 0.7, TEXT_WIDTH * 0.3]), Spacer(1, 4 * mm), _summary_chart(line)]


def _summary_chart(line: StatisticsLine) -> Drawing:
    """One bar per count, labelled under it and with its value above it."""
    values = [line.received, line.issued or 0, line.completed_on_time, line.completed_late, line.overdue_now]
    labels = ["Đến", "Đi", "Đúng hạn", "Quá hạn", "Đang quá hạn"]
    drawing = Drawing(TEXT_WIDTH, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 10 * mm, TEXT_WIDTH - 25 * mm, 45 * mm
    chart.data = [values]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 9
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(values + [1]) * 1.15
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 8
    chart.barLabels.nudge = 6
    for index, color in enumerate((SERIES_COLORS[0], SERIES_COLORS[4], *SERIES_COLORS[1:4])):
        chart.bars[(0, index)].fillColor = color
    drawing.add(chart)
    return drawing


def _recipients(lines: Sequence[StatisticsLine]) -> list:
    data = [[_p(h, _HEAD) for h in RECIPIENT_COLUMNS]]
    for line in lines:
        data.append([
            _p(line.name, _CELL), _p(line.code, _CELL), _p(str(line.received), _NUM),
            _p(str(line.completed_on_time), _NUM), _p(str(line.completed_late), _NUM),
            _p(str(line.overdue_now), _NUM), _p(format_days(line.mean_handling_days), _NUM),
        ])
    widths = [0.30, 0.16, 0.09, 0.12, 0.11, 0.10, 0.12]
    story: list = [_table(data, [TEXT_WIDTH * w for w in widths]), Spacer(1, 4 * mm)]
    charted = sorted(lines, key=lambda l: (-l.received, l.code))[:MAX_CHARTED_RECIPIENTS]
    if charted:
        if len(lines) > len(charted):
            story.append(_p(f"Biểu đồ: {len(charted)} cơ quan nhận nhiều văn bản nhất.", _NOTE))
        story.append(_recipient_chart(charted))
    return story


def _recipient_chart(lines: Sequence[StatisticsLine]) -> Drawing:
    """Per recipient, stacked: completed on time, completed late, overdue now."""
    row = 6 * mm
    height = len(lines) * row + 22 * mm
    drawing = Drawing(TEXT_WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 55 * mm, 16 * mm
    chart.width, chart.height = TEXT_WIDTH - 60 * mm, len(lines) * row
    series = [
        [l.completed_on_time for l in reversed(lines)],
        [l.completed_late for l in reversed(lines)],
        [l.overdue_now for l in reversed(lines)],
    ]
    chart.data = series
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [compose(l.name)[:38] for l in reversed(lines)]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max([sum(values) for values in zip(*series)] + [1]) * 1.1
    for index, color in enumerate(SERIES_COLORS[1:4]):
        chart.bars[index].fillColor = color
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 55 * mm, 6 * mm
    legend.fontName, legend.fontSize = REGULAR, 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 40 * mm
    legend.colorNamePairs = list(zip(SERIES_COLORS[1:4], ["Đúng hạn", "Quá hạn", "Đang quá hạn"]))
    drawing.add(legend)
    return drawing


def _page_number(canvas, doc_template) -> None:
    canvas.saveState()
    canvas.setFont(REGULAR, 9)
    canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN / 2, f"Trang {doc_template.page}")
    canvas.restoreState()


def render_statistics_report(sheet: StatisticsSheet) -> bytes:
    """The report as an A4 PDF: heading, the agency's figures (table and bar chart) and, when
    it sent documents, a table per recipient agency with a stacked bar chart of on time, late
    and overdue. Deterministic: equal sheets give equal bytes."""
    ensure_fonts()
    story: list = [
        _p(sheet.agency_name.upper(), _AGENCY),
        Spacer(1, 4 * mm),
        _p("BÁO CÁO THỐNG KÊ TÌNH HÌNH XỬ LÝ VĂN BẢN", _TITLE),
        _p(f"Kỳ báo cáo: {sheet.period_label}", _SUB),
        _p(f"Ngày lập: {sheet.generated_on:%d/%m/%Y}", _SUB),
        Spacer(1, 6 * mm),
        _p("I. Văn bản của cơ quan", _H2),
        Spacer(1, 2 * mm),
        *_summary(sheet.agency),
    ]
    if sheet.recipients:
        story += [
            Spacer(1, 6 * mm),
            _p("II. Tình hình xử lý văn bản đã gửi, theo cơ quan nhận", _H2),
            Spacer(1, 2 * mm),
            *_recipients(sheet.recipients),
        ]
    buffer = io.BytesIO()
    frame = Frame(MARGIN, MARGIN, TEXT_WIDTH, PAGE_HEIGHT - 2 * MARGIN,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    template = BaseDocTemplate(
        buffer, pagesize=A4, title=f"Báo cáo thống kê {sheet.period_label}", creator="Docflow",
        lang="vi", invariant=1,
        pageTemplates=[PageTemplate(id="report", frames=[frame], onPage=_page_number)],
    )
    with render_lock:  # reportlab's font subsetting is not thread-safe (see typeface.py)
        template.build(story)
    return buffer.getvalue()
