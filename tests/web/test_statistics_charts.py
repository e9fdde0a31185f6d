"""The statistics charts' geometry: labels that fit under their bars at a size a phone can read."""

from __future__ import annotations

from datetime import date

from docflow.routing.statistics import MonthFigures
from docflow.web.statistics_charts import (
    CHAR_WIDTH,
    FIT_FONT,
    FIT_MIN_PX,
    FONT_SIZE,
    break_label,
    summary_chart,
    trend_chart,
)


def _months(first: date, count: int) -> list[MonthFigures]:
    months, year, month = [], first.year, first.month
    for _ in range(count):
        months.append(MonthFigures(month=date(year, month, 1), received=3, completed=2, issued=1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def test_a_label_too_long_for_its_bar_is_broken_at_the_middle_space():
    assert break_label("Đang quá hạn", room=200, font=16) == ("Đang quá hạn",)
    assert break_label("Đang quá hạn", room=60, font=16) == ("Đang", "quá hạn")
    assert break_label("Văn bản đến", room=60, font=16) == ("Văn bản", "đến")


def test_summary_labels_fit_their_slots_and_read_at_11_px_when_the_chart_is_narrowest():
    chart = summary_chart(received=4, issued=2, on_time=1, late=1, overdue=0)
    assert chart.fit and chart.font_size == FIT_FONT
    assert chart.font_size * FIT_MIN_PX / chart.width >= 11
    slot = (chart.plot_right - chart.plot_left) / len(chart.categories)
    for tick in chart.categories:
        assert all(len(line) * chart.font_size * CHAR_WIDTH <= slot for line in tick.lines), tick
    assert chart.categories[-1].lines == ("Đang", "quá hạn")
    lowest = chart.bottom_label_y + chart.line_height * (max(len(t.lines) for t in chart.categories) - 1)
    assert lowest <= chart.height


def test_trend_names_each_month_and_the_year_under_the_first_month_and_january():
    chart = trend_chart(_months(date(2025, 11, 1), 4))
    assert [t.lines for t in chart.categories] == [("11", "2025"), ("12",), ("01", "2026"), ("02",)]
    assert chart.bars[0].label == "11/2025 · Văn bản đến: 3"
    assert chart.legend[1].x > chart.legend[0].x + len("Văn bản đến") * chart.font_size * CHAR_WIDTH


def test_a_wide_chart_keeps_one_unit_a_pixel_and_scrolls_instead():
    chart = trend_chart(_months(date(2026, 1, 1), 12), width=1000, height=230)
    assert not chart.fit and chart.font_size == FONT_SIZE >= 11
