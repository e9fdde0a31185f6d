"""Thin tasks. Each takes ids, calls one docflow service, and is safe to run twice."""

from __future__ import annotations

from docflow.notifications.services import notification_email_send
from docflow.outbox.services import outbox_purge, outbox_sweep
from workers.base import DocflowTask
from workers.celery import app


@app.task(name="outbox.sweep", base=DocflowTask)
def sweep_outbox() -> int:
    return outbox_sweep()


@app.task(name="outbox.purge", base=DocflowTask)
def purge_outbox() -> int:
    return outbox_purge()


@app.task(name="notify.notification_email", base=DocflowTask)
def notification_email(*, agency_id: int, notification_id: str) -> bool:
    return notification_email_send(agency_id=agency_id, notification_id=notification_id)
