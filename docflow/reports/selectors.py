"""Reading the active agency's statistics reports."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from docflow.core.errors import NotFound
from docflow.reports.models import StatisticsReport

LIST_ORDERING = ("-created_at", "-id")


def reports_list() -> QuerySet[StatisticsReport]:
    """The active agency's reports, newest first (one query)."""
    return StatisticsReport.objects.select_related("requested_by").order_by(*LIST_ORDERING)


def report_get(*, report_id: UUID | str) -> StatisticsReport:
    """One report of the active agency; NotFound otherwise (another agency's included)."""
    try:
        pk = report_id if isinstance(report_id, UUID) else UUID(str(report_id))
    except ValueError:
        raise NotFound("Không tìm thấy báo cáo.") from None
    report = StatisticsReport.objects.select_related("requested_by").filter(pk=pk).first()
    if report is None:
        raise NotFound("Không tìm thấy báo cáo.")
    return report
