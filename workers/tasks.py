"""Thin tasks. Each takes ids, calls one docflow service, and is safe to run twice."""

from __future__ import annotations

import smtplib
from datetime import date

from django.conf import settings

from docflow.documents.pdf import document_pdf_render
from docflow.exchange.inbound import inbound_notify
from docflow.exchange.outbound import delivery_push, status_report_push
from docflow.exchange.webhooks import WebhookFailed
from docflow.notifications.digests import agency_digests_send, digests_dispatch
from docflow.notifications.services import notification_email_send
from docflow.outbox.services import outbox_purge, outbox_sweep
from docflow.records.transfers import archive_package_build
from docflow.reports.oversight_rollup import oversight_rollup_rebuild
from docflow.reports.services import statistics_report_render, statistics_reports_monthly
from docflow.routing.issue_notifications import document_issued_notify, document_recall_notify
from docflow.routing.register_books import register_book_pdf_render
from docflow.routing.intake_scans import intake_scan_ocr
from docflow.routing.reminders import agency_deadline_remind, deadline_reminders_dispatch
from docflow.routing.stamping import incoming_attachments_stamp
from docflow.documents.signing.verification import file_verify
from docflow.exchange.axis.services import (
    axis_carries,
    axis_document_send,
    axis_recall_enqueue,
    axis_status_send,
    report_via_axis,
)
from workers.axis_tasks import axis_attempt
from workers.base import DocflowTask, retry_countdown
from workers.celery import app


@app.task(name="outbox.sweep", base=DocflowTask)
def sweep_outbox() -> int:
    return outbox_sweep()


@app.task(name="outbox.purge", base=DocflowTask)
def purge_outbox() -> int:
    return outbox_purge()


# An SMTP server that refuses for now is tried again with the base's backoff and jitter.
@app.task(name="notify.notification_email", base=DocflowTask,
          autoretry_for=(*DocflowTask.autoretry_for, smtplib.SMTPException))
def notification_email(*, agency_id: int, notification_id: str) -> bool:
    return notification_email_send(agency_id=agency_id, notification_id=notification_id)


def _webhook_attempt(task, push, **kwargs) -> bool:
    """One push; a refused one is retried with the base's backoff and jitter, then left to pull.\n    Every attempt carries the same message id; a push already taken is not posted again\n    (``webhooks.webhook_post``)."""
    attempt = task.request.retries + 1
    while True:
        try:
            return push(attempt=attempt, **kwargs)
        except WebhookFailed as exc:
            if attempt > settings.DOCFLOW_EXCHANGE_WEBHOOK_RETRIES:
                return False  # every attempt is in the delivery log; the pull feed still has it
            if task.request.is_eager:
                attempt += 1  # embedded mode has no broker to wait on: the next try is now
                continue
            countdown = retry_countdown(task.request.retries)
            raise task.retry(exc=exc, countdown=countdown, max_retries=None) from exc


@app.task(name="exchange.document_push", base=DocflowTask, bind=True)
def exchange_document_push(self, *, agency_id: int, document_id: str, external_agency_id: int) -> bool:
    if axis_carries(external_agency_id=external_agency_id):  # an agency on another vendor's system
        return axis_attempt(self, axis_document_send, agency_id=agency_id, document_id=document_id,
                            external_agency_id=external_agency_id)
    return _webhook_attempt(
        self, delivery_push, agency_id=agency_id, document_id=document_id,
        external_agency_id=external_agency_id,
    )


@app.task(name="exchange.inbound_notify", base=DocflowTask)
def exchange_inbound_notify(*, inbound_id: str) -> int:
    return inbound_notify(inbound_id=inbound_id)


@app.task(name="exchange.status_push", base=DocflowTask, bind=True)
def exchange_status_push(self, *, agency_id: int, report_id: str) -> bool:
    if report_via_axis(agency_id=agency_id, report_id=report_id):
        return axis_attempt(self, axis_status_send, agency_id=agency_id, report_id=report_id)
    return _webhook_attempt(self, status_report_push, agency_id=agency_id, report_id=report_id)


@app.task(name="pdf.render_outgoing", base=DocflowTask)
def render_outgoing_pdf(*, agency_id: int, document_id: str) -> str | None:
    return document_pdf_render(agency_id=agency_id, document_id=document_id)


@app.task(name="pdf.stamp_incoming", base=DocflowTask)
def stamp_incoming_attachments(*, agency_id: int, incoming_id: str) -> int:
    return incoming_attachments_stamp(agency_id=agency_id, incoming_id=incoming_id)


@app.task(name="signing.verify_file", base=DocflowTask)
def verify_file(*, sha256: str) -> bool:
    return file_verify(sha256=sha256) is not None


@app.task(name="pdf.ocr_scan", base=DocflowTask)
def ocr_scan(*, agency_id: int, scan_id: str) -> str:
    return intake_scan_ocr(agency_id=agency_id, scan_id=scan_id)


@app.task(name="pdf.register_book", base=DocflowTask)
def render_register_book(*, agency_id: int, register_id: str, year: int) -> str | None:
    return register_book_pdf_render(agency_id=agency_id, register_id=register_id, year=year)


@app.task(name="notify.deadline_reminders", base=DocflowTask)
def deadline_reminders() -> int:
    return deadline_reminders_dispatch()


@app.task(name="notify.agency_deadline_reminders", base=DocflowTask)
def agency_deadline_reminders(*, agency_id: int, day: str) -> int:
    return agency_deadline_remind(agency_id=agency_id, day=date.fromisoformat(day))


@app.task(name="notify.digests", base=DocflowTask)
def notification_digests() -> int:
    return digests_dispatch()


@app.task(name="notify.agency_digests", base=DocflowTask,
          autoretry_for=(*DocflowTask.autoretry_for, smtplib.SMTPException))
def agency_notification_digests(*, agency_id: int, day: str) -> int:
    return agency_digests_send(agency_id=agency_id, day=date.fromisoformat(day))


@app.task(name="notify.document_issued", base=DocflowTask)
def notify_document_issued(*, agency_id: int, document_id: str) -> int:
    return document_issued_notify(agency_id=agency_id, document_id=document_id)


@app.task(name="notify.document_recall_requested", base=DocflowTask)
def notify_document_recall_requested(*, agency_id: int, document_id: str) -> int:
    axis_recall_enqueue(agency_id=agency_id, document_id=document_id)  # revocations to axis recipients
    return document_recall_notify(agency_id=agency_id, document_id=document_id)


@app.task(name="pdf.statistics_report", base=DocflowTask)
def render_statistics_report(*, agency_id: int, report_id: str) -> str | None:
    return statistics_report_render(agency_id=agency_id, report_id=report_id)


@app.task(name="reports.monthly", base=DocflowTask)
def monthly_statistics_reports() -> int:
    return statistics_reports_monthly()


@app.task(name="reports.oversight_rollup", base=DocflowTask)
def rebuild_oversight_rollup() -> int:
    return oversight_rollup_rebuild()


@app.task(name="records.archive_package", base=DocflowTask)
def build_archive_package(*, agency_id: int, transfer_id: str) -> str | None:
    return archive_package_build(agency_id=agency_id, transfer_id=transfer_id)
