"""Recording, sending and re-sending deferred work.

A service calls ``outbox_enqueue`` inside its transaction. The row commits with the service's
rows; on commit it is sent to Celery by task name. If the broker was down, the row stays unsent
and ``outbox_sweep`` (run by beat) sends it again. Tasks are idempotent, so a second send is safe.

A request never waits on a dead broker more than once: after a failed send this process leaves
its sends to the sweeper for ``BROKER_PAUSE_SECONDS``. ``send_count`` counts hand-offs to the
broker; a task handed off ``MAX_SENDS`` times without finishing is left alone (and logged), so
work that can never succeed is not re-driven forever.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any
from uuid import UUID

from celery import current_app
from celery.exceptions import Retry
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from docflow.outbox.models import OutboxTask

log = logging.getLogger(__name__)

OUTBOX_ID_KWARG = "outbox_id"
MAX_SENDS = 10
BROKER_PAUSE_SECONDS = 30.0
_broker_paused_until = 0.0  # per process: monotonic time before which sends are left to the sweeper


def outbox_enqueue(
    *, task_name: str, kwargs: dict[str, Any], queue: str = "default", dedup_key: str | None = None
) -> OutboxTask | None:
    """Record a task to run after the current transaction commits; sent on commit.

    Returns None when a task with the same ``dedup_key`` was already recorded.
    """
    if dedup_key is not None and OutboxTask.objects.filter(dedup_key=dedup_key).exists():
        return None
    try:
        with transaction.atomic():
            row = OutboxTask.objects.create(
                task_name=task_name, kwargs=kwargs, queue=queue, dedup_key=dedup_key
            )
    except IntegrityError:
        return None  # a concurrent transaction recorded the same work
    transaction.on_commit(lambda: outbox_send(outbox_id=row.id))
    return row


def outbox_enqueue_many(*, tasks: list[dict[str, Any]]) -> list[OutboxTask]:
    """Record many tasks in one INSERT (fan-out); each dict has task_name, kwargs, queue and
    optionally dedup_key. A task whose dedup_key is already recorded is skipped (not an error):
    its row in the returned list was not written, and sending it on commit finds nothing."""
    rows = OutboxTask.objects.bulk_create([OutboxTask(**t) for t in tasks], ignore_conflicts=True)
    ids = [row.id for row in rows]
    transaction.on_commit(lambda: [outbox_send(outbox_id=i) for i in ids])
    return rows


def outbox_send(*, outbox_id: UUID) -> bool:
    """Hand one recorded task to Celery. A broker failure is logged, not raised: the sweeper retries."""
    global _broker_paused_until
    # Django settings decide, so tests and the embedded mode switch with override_settings.
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    if not eager and time.monotonic() < _broker_paused_until:
        return False  # the broker just failed in this process: leave it to the sweeper
    row = OutboxTask.objects.filter(id=outbox_id, done_at__isnull=True).first()
    if row is None:
        return False
    kwargs = {**row.kwargs, OUTBOX_ID_KWARG: str(row.id)}
    OutboxTask.objects.filter(id=row.id).update(sent_at=timezone.now(), send_count=F("send_count") + 1)
    if row.send_count + 1 == MAX_SENDS:
        log.error("outbox: %s (%s) sent %d times without finishing; this is its last send",
                  row.task_name, row.id, MAX_SENDS)
    propagate = eager and settings.CELERY_TASK_EAGER_PROPAGATES
    try:
        if eager:
            _apply_eagerly(current_app.tasks[row.task_name], kwargs, propagate)
        else:
            current_app.send_task(row.task_name, kwargs=kwargs, queue=row.queue)
    except Exception:
        if propagate:
            raise
        log.exception("outbox: could not send %s (%s); the sweeper will retry", row.task_name, row.id)
        if not eager:
            _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
        OutboxTask.objects.filter(id=row.id).update(sent_at=None, send_count=F("send_count") - 1)
        return False
    return True


def _apply_eagerly(task, kwargs: dict[str, Any], propagate: bool) -> None:
    """Run the task in this process; an automatic retry runs again at once (no broker to wait
    on), up to the task's limit, after which its error is raised when errors propagate."""
    for retries in range((task.max_retries or 0) + 1):
        try:
            task.apply(kwargs=kwargs, throw=propagate, retries=retries)
            return
        except Retry:
            continue


def outbox_broker_resume() -> None:
    """Forget a recent broker failure in this process (the sweeper found the broker back)."""
    global _broker_paused_until
    _broker_paused_until = 0.0


def outbox_mark_done(*, outbox_id: UUID | str) -> None:
    OutboxTask.objects.filter(id=outbox_id, done_at__isnull=True).update(done_at=timezone.now())


def outbox_sweep(*, now=None, limit: int = 500) -> int:
    """Re-send tasks never sent, or sent long ago and not done (a lost message or a dead worker)."""
    outbox_broker_resume()  # the sweeper always tries; a failure pauses the rest of this sweep
    now = now or timezone.now()
    resend_after = timedelta(seconds=settings.DOCFLOW_OUTBOX_RESEND_AFTER_SECONDS)
    redeliver_after = timedelta(seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"])
    stale = OutboxTask.objects.filter(done_at__isnull=True, send_count__lt=MAX_SENDS).filter(
        (
            # never sent (broker down at commit)
            Q(sent_at__isnull=True, created_at__lt=now - resend_after)
        )
        | Q(sent_at__lt=now - redeliver_after)
    )
    ids = list(stale.order_by("created_at").values_list("id", flat=True)[:limit])
    return sum(1 for outbox_id in ids if outbox_send(outbox_id=outbox_id))


def outbox_purge(*, older_than_days: int = 30) -> int:
    """Delete finished rows past their usefulness."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = OutboxTask.objects.filter(done_at__lt=cutoff).delete()
    return deleted
