"""The active agency's statistics as the renderers take them: the PDF sheet and the CSV files.

Reads only; every function works inside the agency scope its caller opened.
"""

from __future__ import annotations

import datetime as dt

from docflow.rendering.registers import render_register_csv
from docflow.rendering.report import RECIPIENT_COLUMNS, StatisticsLine, StatisticsSheet, format_days
from docflow.routing.statistics import (
    AgencyStatistics,
    Period,
    RecipientStatistics,
    agency_statistics,
    recipient_statistics,
)
from docflow.tenancy.models import Agency

AGENCY_COLUMNS = ("Cơ quan", "Mã định danh", "Từ ngày", "Đến ngày", "Văn bản đến", "Văn bản đi",
                  "Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Đang quá hạn",
                  "Thời gian xử lý TB (ngày)")


def statistics_sheet(*, agency: Agency, period: Period, today: dt.date) -> StatisticsSheet:
    """The agency's figures and, for what it sent, each recipient's: three queries."""
    own = agency_statistics(period=period, today=today)
    recipients = recipient_statistics(period=period, today=today)
    return StatisticsSheet(
        agency_name=agency.name, period_label=period.label, generated_on=today,
        agency=StatisticsLine(
            name=agency.name, code=agency.code, received=own.received, issued=own.issued,
            completed_on_time=own.completed_on_time, completed_late=own.completed_late,
            overdue_now=own.overdue_now, mean_handling_days=own.mean_handling_days,
        ),
        recipients=[
            StatisticsLine(
                name=r.agency_name, code=r.agency_code, received=r.received,
                completed_on_time=r.completed_on_time, completed_late=r.completed_late,
                overdue_now=r.overdue_now, mean_handling_days=r.mean_handling_days,
            )
            for r in recipients
        ],
    )


def agency_csv(*, agency: Agency, period: Period, figures: AgencyStatistics) -> bytes:
    """One row of the agency's figures (UTF-8 with BOM, for Excel)."""
    row = (
        agency.name, agency.code, f"{period.first:%d/%m/%Y}", f"{period.last:%d/%m/%Y}",
        figures.received, figures.issued, figures.completed_on_time, figures.completed_late,
        figures.overdue_now, format_days(figures.mean_handling_days),
    )
    return render_register_csv(AGENCY_COLUMNS, [row])


def recipients_csv(*, rows: list[RecipientStatistics]) -> bytes:
    """One row per recipient agency (UTF-8 with BOM, for Excel)."""
    return render_register_csv(RECIPIENT_COLUMNS, [
        (r.agency_name, r.agency_code, r.received, r.completed_on_time, r.completed_late,
         r.overdue_now, format_days(r.mean_handling_days))
        for r in rows
    ])
