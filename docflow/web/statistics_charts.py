"""Bar charts for the statistics pages, laid out here and drawn as inline SVG by templates
(``templates/web/statistics/_chart_*.html``): no JavaScript, nothing fetched, and the page's
Content-Security-Policy stays strict (colours are SVG attributes, not inline styles).

Each chart is plain geometry in SVG user units, drawn one unit to one CSS pixel (a narrow
screen scrolls it rather than shrinking it), so labels stay ``FONT_SIZE`` px on a phone too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from docflow.routing.statistics import MonthFigures, RecipientStatistics

# Received, issued, on time, late, overdue (the same as the PDF report).
COLORS = {"received": "#3f6bad", "issued": "#737373", "completed": "#33a05a",
          "on_time": "#33a05a", "late": "#d98c1a", "overdue": "#bf2929"}
MAX_RECIPIENT_BARS = 30
FONT_SIZE = 12  # px: charts are never scaled down, so this is what a phone shows


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    color: str
    value: int
    label: str  # what a screen reader or a tooltip says about this bar

    def __post_init__(self) -> None:  # one decimal is plenty for a screen, and short markup
        for name in ("x", "y", "width", "height"):
            object.__setattr__(self, name, round(getattr(self, name), 1))


@dataclass(frozen=True)
class Tick:
    position: float
    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "position", round(self.position, 1))


@dataclass(frozen=True)
class LegendItem:
    x: float
    color: str
    text: str


@dataclass
class Chart:
    title: str
    width: float
    height: float
    plot_left: float
    plot_top: float
    plot_right: float
    plot_bottom: float
    bars: list[Rect] = field(default_factory=list)
    categories: list[Tick] = field(default_factory=list)  # labels along the category axis
    values: list[Tick] = field(default_factory=list)  # gridlines along the value axis
    legend: list[LegendItem] = field(default_factory=list)
    legend_y: float = 0.0
    font_size: int = FONT_SIZE

    @property
    def left_label_x(self) -> float:
        """Where labels left of the plot end (value ticks, or recipients' names)."""
        return self.plot_left - 6

    @property
    def bottom_label_y(self) -> float:
        """The baseline of labels under the plot (categories, or value ticks)."""
        return self.plot_bottom + 14


def nice_ticks(top: int, count: int = 4) -> list[int]:
    """0 and round steps up to at least ``top`` (0, 5, 10, 15 for 13)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [int(step * i) for i in range(0, math.ceil(top / step) + 1)]


def column_chart(*, title: str, categories: Sequence[str], series: Sequence[tuple[str, str, Sequence[int]]],
                 width: float = 480, height: float = 250) -> Chart:
    """Vertical bars: for each category, one bar per series (``(name, color key, values)``)."""
    chart = Chart(title=title, width=width, height=height, plot_left=44, plot_top=12,
                  plot_right=width - 8, plot_bottom=height - (56 if len(series) > 1 else 36))
    ticks = nice_ticks(max([v for _, _, values in series for v in values] + [0]))
    span = chart.plot_bottom - chart.plot_top
    scale = span / ticks[-1]
    chart.values = [Tick(chart.plot_bottom - t * scale, f"{t:,}".replace(",", ".")) for t in ticks]
    slot = (chart.plot_right - chart.plot_left) / max(len(categories), 1)
    bar = min(48.0, slot * 0.8 / max(len(series), 1))
    for i, category in enumerate(categories):
        start = chart.plot_left + i * slot + (slot - bar * len(series)) / 2
        chart.categories.append(Tick(chart.plot_left + (i + 0.5) * slot, category))
        for j, (name, color, values) in enumerate(series):
            value = values[i]
            chart.bars.append(Rect(
                x=start + j * bar, y=chart.plot_bottom - value * scale, width=bar * 0.92,
                height=value * scale, color=COLORS[color], value=value, label=f"{category} · {name}: {value}",
            ))
    if len(series) > 1:
        chart.legend_y = height - 14
        chart.legend = [LegendItem(chart.plot_left + k * 130, COLORS[color], name)
                        for k, (name, color, _) in enumerate(series)]
    return chart


def summary_chart(*, received: int, issued: int, on_time: int, late: int, overdue: int) -> Chart:
    """The period's five counts side by side."""
    names = ["Văn bản đến", "Văn bản đi", "Đúng hạn", "Quá hạn", "Đang quá hạn"]
    values = [received, issued, on_time, late, overdue]
    colors = ["received", "issued", "on_time", "late", "overdue"]
    chart = column_chart(title="Số liệu trong kỳ", categories=names, series=[("Số văn bản", "received", values)])
    chart.bars = [
        Rect(b.x, b.y, b.width, b.height, COLORS[c], b.value, f"{n}: {b.value}")
        for b, c, n in zip(chart.bars, colors, names, strict=True)
    ]
    return chart


def trend_chart(months: Sequence[MonthFigures], *, width: float = 480, height: float = 250) -> Chart:
    """Received, completed and issued per month (wider for a full-width card)."""
    return column_chart(
        title="Theo tháng", categories=[f"{m.month:%m/%y}" for m in months],
        series=[("Văn bản đến", "received", [m.received for m in months]),
                ("Hoàn thành", "completed", [m.completed for m in months]),
                ("Văn bản đi", "issued", [m.issued for m in months])],
        width=width, height=height,
    )


def recipients_chart(rows: Sequence[RecipientStatistics]) -> Chart:
    """Horizontal stacked bars per recipient (those sent the most first): completed on time,
    completed late, overdue now."""
    rows = sorted(rows, key=lambda r: (-r.received, r.agency_code))[:MAX_RECIPIENT_BARS]
    band, left, width = 22.0, 260.0, 960.0
    height = len(rows) * band + 60
    chart = Chart(title="Theo cơ quan nhận", width=width, height=height, plot_left=left, plot_top=8,
                  plot_right=width - 12, plot_bottom=8 + len(rows) * band)
    parts = (("Đúng hạn", "on_time", "completed_on_time"), ("Quá hạn", "late", "completed_late"),
             ("Đang quá hạn", "overdue", "overdue_now"))
    ticks = nice_ticks(max([sum(getattr(r, p[2]) for p in parts) for r in rows] + [0]))
    scale = (chart.plot_right - chart.plot_left) / ticks[-1]
    chart.values = [Tick(left + t * scale, str(t)) for t in ticks]
    for i, row in enumerate(rows):
        y, x = chart.plot_top + i * band, left
        name = row.agency_name if len(row.agency_name) <= 42 else row.agency_name[:41] + "…"
        chart.categories.append(Tick(y + band / 2, name))
        for label, color, attribute in parts:
            value = getattr(row, attribute)
            if value:
                chart.bars.append(Rect(x, y + 3, value * scale, band - 6, COLORS[color], value,
                                       f"{row.agency_name} · {label}: {value}"))
            x += value * scale
    chart.legend_y = height - 14
    chart.legend = [LegendItem(left + k * 130, COLORS[color], label) for k, (label, color, _) in enumerate(parts)]
    return chart
