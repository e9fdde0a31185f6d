"""Bar charts for the statistics pages, laid out here and drawn as inline SVG by templates
(``templates/web/statistics/_chart_*.html``): no JavaScript, nothing fetched, and the page's
Content-Security-Policy stays strict (colours are SVG attributes, not inline styles).

Each chart is plain geometry in SVG user units. Labels must stay at least 11 px on a phone:
a chart up to ``FIT_WIDTH`` units wide is drawn with ``FIT_FONT`` labels and fits its card, never
narrower than ``FIT_MIN_PX`` (app.css ``.chart.fit``); a wider one keeps one unit to one pixel
with ``FONT_SIZE`` labels and scrolls sideways on a narrow screen.
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
FONT_SIZE = 12  # wide charts: drawn one unit to one px
FIT_WIDTH, FIT_FONT = 480, 16
FIT_MIN_PX = FIT_WIDTH * 11 / FIT_FONT  # 330 px: the narrowest a fitting chart is drawn
CHAR_WIDTH = 0.56  # of the font size, an average Vietnamese letter in a sans-serif face


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
    lines: tuple[str, ...] = ()  # the text broken to fit under its bar; empty: one line

    def __post_init__(self) -> None:
        object.__setattr__(self, "position", round(self.position, 1))
        if not self.lines:
            object.__setattr__(self, "lines", (self.text,))


def break_label(text: str, *, room: float, font: float) -> tuple[str, ...]:
    """One line if it fits ``room`` units, else two, broken at the space nearest the middle."""
    if len(text) * font * CHAR_WIDTH <= room or " " not in text:
        return (text,)
    spaces = [i for i, c in enumerate(text) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return (text[:cut], text[cut + 1:])


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
    def fit(self) -> bool:
        """Drawn to its card's width (and ``FIT_MIN_PX`` at least) rather than one unit a px."""
        return self.width <= FIT_WIDTH

    @property
    def left_label_x(self) -> float:
        """Where labels left of the plot end (value ticks, or recipients' names)."""
        return self.plot_left - 6

    @property
    def bottom_label_y(self) -> float:
        """The baseline of labels under the plot (categories, or value ticks)."""
        return round(self.plot_bottom + self.font_size * 1.25, 1)

    @property
    def line_height(self) -> float:
        return round(self.font_size * 1.15, 1)


def nice_ticks(top: int, count: int = 4) -> list[int]:
    """0 and round steps up to at least ``top`` (0, 5, 10, 15 for 13)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [int(step * i) for i in range(0, math.ceil(top / step) + 1)]


def column_chart(*, title: str, categories: Sequence[str | tuple[str, ...]],
                 series: Sequence[tuple[str, str, Sequence[int]]],
                 width: float = FIT_WIDTH, height: float = 250) -> Chart:
    """Vertical bars: for each category, one bar per series (``(name, color key, values)``).
    A category is its label, or the label's lines when the caller breaks it itself."""
    font = FIT_FONT if width <= FIT_WIDTH else FONT_SIZE
    slot = (width - 8 - 3.2 * font) / max(len(categories), 1)
    lines = [tuple(c) if isinstance(c, tuple) else break_label(c, room=slot - 4, font=font) for c in categories]
    names = ["/".join(c) if isinstance(c, tuple) else c for c in categories]
    label_rows = max((len(item) for item in lines), default=1)
    legend_room = font * 2 if len(series) > 1 else 0
    chart = Chart(title=title, width=width, height=height, plot_left=3.2 * font, plot_top=font,
                  plot_right=width - 8, font_size=font,
                  plot_bottom=height - font * (0.6 + 1.2 * label_rows) - legend_room)
    ticks = nice_ticks(max([v for _, _, values in series for v in values] + [0]))
    span = chart.plot_bottom - chart.plot_top
    scale = span / ticks[-1]
    chart.values = [Tick(chart.plot_bottom - t * scale, f"{t:,}".replace(",", ".")) for t in ticks]
    bar = min(48.0, slot * 0.8 / max(len(series), 1))
    for i, (category, name) in enumerate(zip(lines, names, strict=True)):
        start = chart.plot_left + i * slot + (slot - bar * len(series)) / 2
        chart.categories.append(Tick(chart.plot_left + (i + 0.5) * slot, name, category))
        for j, (series_name, color, values) in enumerate(series):
            value = values[i]
            chart.bars.append(Rect(
                x=start + j * bar, y=chart.plot_bottom - value * scale, width=bar * 0.92,
                height=value * scale, color=COLORS[color], value=value, label=f"{name} · {series_name}: {value}",
            ))
    if len(series) > 1:
        chart.legend_y = height - font * 1.1
        x = chart.plot_left
        for series_name, color, _values in series:
            chart.legend.append(LegendItem(x, COLORS[color], series_name))
            x += len(series_name) * font * CHAR_WIDTH + font * 2.2
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


def trend_chart(months: Sequence[MonthFigures], *, width: float = FIT_WIDTH, height: float = 250) -> Chart:
    """Received, completed and issued per month (wider for a full-width card)."""
    # The month alone under each bar, its year under the first month and every January.
    months = list(months)
    labels = [(f"{m.month:%m}", f"{m.month:%Y}") if i == 0 or m.month.month == 1 else (f"{m.month:%m}",)
              for i, m in enumerate(months)]
    return column_chart(
        title="Theo tháng", categories=labels,
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
