"""Thin tasks of the national axis connector (docflow/exchange/axis): send, poll, directory.

Sends run from outbox rows: issuing's and status reports' own (``exchange.document_push`` and
``exchange.status_push`` in tasks.py hand axis recipients to ``axis_attempt``) and the recall's
revocations (``axis.document_send``). An axis that cannot
take a package now raises ``AxisUnavailable``, a ``ConnectionError``, which the base task
retries with exponential backoff, capped, with jitter. When the tries are spent the outbox row
is still not done and the sweeper sends it again: the package waits, it is not lost.
"""

from __future__ import annotations

from docflow.exchange.axis.client import AxisUnavailable
from docflow.exchange.axis.services import (
    axis_directory_sync,
    axis_document_send,
    axis_poll,
)
from workers.base import DocflowTask
from workers.celery import app


def axis_attempt(task, send, **kwargs) -> bool:
    """One send. Under a worker the base task's autoretry takes ``AxisUnavailable``; embedded
    (eager) mode has no broker to wait on, so it tries again at once, and after its last try
    leaves the outbox row undone for the sweeper instead of failing the request that sent it."""
    try:
        return send(**kwargs)
    except AxisUnavailable as exc:
        if not task.request.is_eager:
            raise
        raise task.retry(exc=exc, max_retries=task.request.retries + 1) from exc


@app.task(name="axis.document_send", base=DocflowTask, bind=True)
def document_send(self, *, agency_id: int, document_id: str, external_agency_id: int, business: str = "new") -> bool:
    return axis_attempt(self, axis_document_send, agency_id=agency_id, document_id=document_id,
                        external_agency_id=external_agency_id, business=business)


@app.task(name="axis.poll", base=DocflowTask)
def poll() -> int:
    return axis_poll().received


@app.task(name="axis.directory_sync", base=DocflowTask)
def directory_sync() -> int:
    return axis_directory_sync().created

