"""Statistics reports: asked for by a person, or made for every agency on the first of the
month by beat; rendered to PDF by a worker, then the people concerned are notified.

The request and the monthly run only record rows (and their outbox work) in one transaction;
``statistics_report_render`` is what the ``pdf.statistics_report`` task runs, safe to run twice.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.utils import timezone

from docflow.audit.services import EventSpec, event_record, events_record
from docflow.core.ids import uuid7
from docflow.documents.files import stored_file_put_bytes
from docflow.notifications.services import notification_create
from docflow.outbox.services import outbox_enqueue, outbox_enqueue_many
from docflow.rendering.report import render_statistics_report
from docflow.reports.models import ReportKind, StatisticsReport
from docflow.reports.sheets import statistics_sheet
from docflow.routing.statistics import Period, statistics_access_check
from docflow.tenancy.models import Agency, Membership
from docflow.core.scoping import agency_scope
from docflow.core.services import service, service_transaction
from docflow.tenancy.selectors import members_with_role

RENDER_TASK = "pdf.statistics_report"
READY_KIND = "statistics_report"
AUDIT_OBJECT = "statistics_report"
PDF = "application/pdf"


def _render_work(report: StatisticsReport) -> dict:
    return {
        "task_name": RENDER_TASK, "queue": "pdf", "dedup_key": f"statistics_report:{report.id}",
        "kwargs": {"agency_id": report.agency_id, "report_id": str(report.id)},
    }


@service
def statistics_report_request(*, actor: Membership, first: dt.date, last: dt.date) -> StatisticsReport:
    """Ask for a PDF report of the actor's agency for the days ``first`` to ``last`` (leaders,
    clerks, agency admins; 403 otherwise, 400 naming ``from``/``to`` for a wrong period).

    The report row, its audit event and the rendering work commit together; a worker renders
    it after commit and the requester is notified when it is ready.
    """
    statistics_access_check(member=actor)
    period = Period.checked(first=first, last=last)
    report = StatisticsReport.objects.create(
        agency_id=actor.agency_id, kind=ReportKind.ON_DEMAND, period_first=period.first,
        period_last=period.last, requested_by=actor.user,
    )
    event_record(
        agency_id=actor.agency_id, action="statistics_report.requested", object_type=AUDIT_OBJECT,
        object_id=report.id,
        data={"from": period.first.isoformat(), "to": period.last.isoformat()},
    )
    outbox_enqueue(**_render_work(report))
    return report


def statistics_reports_monthly(*, today: dt.date | None = None) -> int:
    """The monthly report of the month before ``today`` (default: today, local) for every active
    agency in Docflow; returns how many were created.

    Once per agency and month: rows already there (an earlier or a concurrent run) are left
    alone, so beat firing twice, or a retried task, creates and renders nothing twice. The rows,
    their audit events and their rendering work commit together, in one INSERT per table.
    """
    period = Period.month_before(today or timezone.localdate())
    with service_transaction():
        reports = StatisticsReport.objects.cross_agency("housekeeping")
        done = set(reports.filter(kind=ReportKind.MONTHLY, period_first=period.first)
                   .values_list("agency_id", flat=True))
        wanted = [
            StatisticsReport(id=uuid7(), agency_id=agency_id, kind=ReportKind.MONTHLY,
                             period_first=period.first, period_last=period.last)
            for agency_id in Agency.objects.filter(is_active=True, is_external=False)
            .order_by("pk").values_list("pk", flat=True)
            if agency_id not in done
        ]
        reports.bulk_create(wanted, ignore_conflicts=True)  # a concurrent run may have won some
        created = list(reports.filter(id__in=[r.id for r in wanted]))
        events_record(events=[
            EventSpec(agency_id=r.agency_id, action="statistics_report.monthly", object_type=AUDIT_OBJECT,
                      object_id=r.id, actor_label="Hệ thống",
                      data={"from": period.first.isoformat(), "to": period.last.isoformat()})
            for r in created
        ])
        if created:
            outbox_enqueue_many(tasks=[_render_work(r) for r in created])
    return len(created)


def statistics_report_render(*, agency_id: int, report_id: UUID | str) -> str | None:
    """Render and store the report's PDF; returns its SHA-256, None when the report is gone.

    Figures are taken now ("overdue" as of today). Set once: a report with a PDF is returned as
    it is, and of two concurrent runs only the first to commit sets it and notifies — the
    requester, or for a monthly report the agency's leaders, once each.
    """
    with agency_scope(agency_id):
        report = StatisticsReport.objects.select_related("agency").filter(pk=report_id).first()
        if report is None:
            return None
        if report.pdf_sha256:
            return report.pdf_sha256
        period = Period(first=report.period_first, last=report.period_last)
        sheet = statistics_sheet(agency=report.agency, period=period, today=timezone.localdate())
        stored = stored_file_put_bytes(data=render_statistics_report(sheet), content_type=PDF)
        with service_transaction():
            won = StatisticsReport.objects.filter(pk=report.pk, pdf_sha256="").update(
                pdf_sha256=stored.sha256, generated_at=timezone.now()
            )
            if not won:
                return StatisticsReport.objects.values_list("pdf_sha256", flat=True).get(pk=report.pk)
            event_record(
                agency_id=agency_id, action="statistics_report.ready", object_type=AUDIT_OBJECT,
                object_id=report.id, data={"sha256": stored.sha256},
            )
            _notify_ready(report, period)
        return stored.sha256


def _notify_ready(report: StatisticsReport, period: Period) -> None:
    if report.kind == ReportKind.MONTHLY:
        people = [m.user_id for m in members_with_role(agency=report.agency, role="leader")]
    else:
        people = [report.requested_by_id] if report.requested_by_id else []
    for user_id in people:
        notification_create(
            agency_id=report.agency_id, recipient_id=user_id, kind=READY_KIND,
            title=f"Báo cáo thống kê văn bản {period.label} đã sẵn sàng",
            body=report.agency.name, object_type=AUDIT_OBJECT, object_id=report.id,
            dedup_key=f"{READY_KIND}:{report.id}:{user_id}", email=report.kind == ReportKind.MONTHLY,
        )
