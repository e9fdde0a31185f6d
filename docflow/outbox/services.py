"""Recording, sending and re-sending deferred work.

A service calls ``outbox_enqueue`` inside its transaction. The row commits with the service's
rows; on commit it is sent to Celery by task name, and only once the broker took it is the row
marked sent. If the broker was down (or this process died in between), the row stays unsent and
``outbox_sweep`` (run by beat) sends it again.

Every message carries its row's id (``outbox_id``). The task that runs it takes the row's lease
(``outbox_claim``) and keeps it renewed while it runs (``workers.base``), and marks the row done
when it finished; a run that finds its row done, or leased by another live run, does nothing.
So a message sent twice, redelivered by Redis, or re-sent by the sweeper costs one UPDATE.
The sweeper re-sends a row that is sent but neither done nor leased after
``DOCFLOW_OUTBOX_REDRIVE_AFTER_SECONDS`` only when its message is really lost (a restarted
Redis, or its worker died before or while running it), not when it waits its turn: every
message carries the time it was sent (``SENT_AT_HEADER``, the row's ``sent_at``), and a row is
lost only when its queue is empty or the oldest message still waiting there was sent after it.
docs/RUNTIME.md explains how these times, the lease and Celery's settings were chosen together.

A request never waits on a dead broker more than once: after a failed send this process leaves
its sends to the sweeper for ``BROKER_PAUSE_SECONDS``. ``send_count`` counts hand-offs to the
broker; a task handed off ``MAX_SENDS`` times without finishing is left alone (and logged), so
work that can never succeed is not re-driven forever.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any, NamedTuple
from uuid import UUID

from celery import current_app
from celery.exceptions import Retry
from django.conf import settings
from kombu.exceptions import ChannelError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from docflow.outbox.models import OutboxTask
from docflow.core.services import savepoint

log = logging.getLogger(__name__)

OUTBOX_ID_KWARG = "outbox_id"
SENT_AT_HEADER = "docflow_sent_at"  # the message's send time (epoch seconds), the row's sent_at
# Two sends of one queue may reach the broker in the other order than their times (two processes
# publishing at once): a row sent this little before the oldest waiting message may still wait.
SEND_ORDER_SLACK = timedelta(seconds=5)
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
        with savepoint():
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
    """Hand one recorded task to Celery, then record the hand-off (``sent_at``, ``send_count``).

    Published first, marked second: a process that dies in between leaves the row unsent, so
    the sweeper sends it again within ``DOCFLOW_OUTBOX_RESEND_AFTER_SECONDS`` (the run that comes
    second finds the row done). A broker failure is logged, not raised: the sweeper retries.
    """
    global _broker_paused_until
    # Django settings decide, so tests and the embedded mode switch with override_settings.
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    if not eager and time.monotonic() < _broker_paused_until:
        return False  # the broker just failed in this process: leave it to the sweeper
    row = OutboxTask.objects.filter(id=outbox_id, done_at__isnull=True).first()
    if row is None:
        return False
    kwargs = {**row.kwargs, OUTBOX_ID_KWARG: str(row.id)}
    if row.send_count + 1 == MAX_SENDS:
        log.error("outbox: %s (%s) sent %d times without finishing; this is its last send",
                  row.task_name, row.id, MAX_SENDS)
    propagate = eager and settings.CELERY_TASK_EAGER_PROPAGATES
    sent_at = timezone.now()
    try:
        if eager:
            _apply_eagerly(current_app.tasks[row.task_name], kwargs, propagate)
        else:
            current_app.send_task(row.task_name, kwargs=kwargs, queue=row.queue,
                                  headers={SENT_AT_HEADER: sent_at.timestamp()})
    except Exception:
        if propagate:
            raise
        log.exception("outbox: could not send %s (%s); the sweeper will retry", row.task_name, row.id)
        if not eager:
            _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
        return False
    OutboxTask.objects.filter(id=row.id).update(sent_at=sent_at, send_count=F("send_count") + 1)
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


def outbox_claim(*, outbox_id: UUID | str, owner: str, seconds: float) -> bool:
    """Take the row's lease for ``seconds`` for the run ``owner`` (its Celery task id).

    False when the row is done or gone, or a live lease of another run holds it: the caller
    then does nothing. The same owner (a retry or a redelivery of the same message) takes it back.
    """
    now = timezone.now()
    return OutboxTask.objects.filter(id=outbox_id, done_at__isnull=True).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_owner=owner)
    ).update(lease_owner=owner, lease_until=now + timedelta(seconds=seconds)) == 1


def outbox_lease_renew(*, leases: list[tuple[str, str]], seconds: float) -> int:
    """Extend the leases ``(outbox_id, owner)`` still held by their owner; returns how many."""
    until = timezone.now() + timedelta(seconds=seconds)
    return sum(
        OutboxTask.objects.filter(id=outbox_id, lease_owner=owner, done_at__isnull=True)
        .update(lease_until=until)
        for outbox_id, owner in leases
    )


def outbox_release(*, outbox_id: UUID | str, owner: str) -> None:
    """Give up the lease of a run that failed, so the sweeper may re-drive the row."""
    OutboxTask.objects.filter(id=outbox_id, lease_owner=owner).update(lease_until=None)


def outbox_mark_done(*, outbox_id: UUID | str) -> None:
    """The row's task finished: a later copy of its message does nothing; the lease is given up."""
    OutboxTask.objects.filter(id=outbox_id, done_at__isnull=True).update(
        done_at=timezone.now(), lease_until=None
    )


def outbox_sweep(*, now=None, limit: int = 500) -> int:
    """Re-send tasks not done that no live run holds: never sent (the broker was down at commit,
    or the sender died) after ``DOCFLOW_OUTBOX_RESEND_AFTER_SECONDS``; sent but neither done nor
    leased after ``DOCFLOW_OUTBOX_REDRIVE_AFTER_SECONDS`` and really lost — a restarted Redis, or
    a worker that died with it. A queue is first in, first out, and a worker takes the lease as
    it starts a message (one prefetched per process), so a row is lost when its queue is empty,
    or when the oldest message still waiting there was sent after the row: the queue moved past
    it. A row sent after that oldest message waits its turn and is not copied, however long the
    backlog. Where the broker cannot say (embedded mode, the broker away, a message without its
    send time), the time doubles with each earlier send instead, so a long queue holds few copies."""
    outbox_broker_resume()  # the sweeper always tries; a failure pauses the rest of this sweep
    now = now or timezone.now()
    resend_after = timedelta(seconds=settings.DOCFLOW_OUTBOX_RESEND_AFTER_SECONDS)
    redrive_after = settings.DOCFLOW_OUTBOX_REDRIVE_AFTER_SECONDS
    redrive_before = now - timedelta(seconds=redrive_after)
    pending = OutboxTask.objects.filter(done_at__isnull=True, send_count__lt=MAX_SENDS).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )
    sent_queues = set(
        pending.filter(sent_at__lt=redrive_before).values_list("queue", flat=True).distinct()
    )
    lost = Q(sent_at__isnull=True, created_at__lt=now - resend_after)
    unknown = []
    for queue, backlog in queue_backlog(queues=sent_queues).items():
        if backlog is not None and backlog.waiting == 0:
            lost |= Q(queue=queue, sent_at__lt=redrive_before)
        elif backlog is not None and backlog.oldest_sent_at is not None:
            passed = backlog.oldest_sent_at - SEND_ORDER_SLACK
            lost |= Q(queue=queue, sent_at__lt=min(redrive_before, passed))
        else:
            unknown.append(queue)
    if unknown:
        doubling = Q()
        for sends in range(1, MAX_SENDS):
            doubling |= Q(send_count=sends, sent_at__lt=now - timedelta(seconds=redrive_after * 2 ** (sends - 1)))
        lost |= Q(queue__in=unknown) & doubling
    ids = list(pending.filter(lost).order_by("created_at").values_list("id", flat=True)[:limit])
    return sum(1 for outbox_id in ids if outbox_send(outbox_id=outbox_id))


class Backlog(NamedTuple):
    """Messages waiting in one queue at the broker, and when the oldest of them was sent (None
    when it carries no send time)."""

    waiting: int
    oldest_sent_at: datetime | None


def queue_backlog(*, queues: set[str]) -> dict[str, Backlog | None]:
    """Each of ``queues``' backlog at the broker; None where it cannot say (embedded mode, the
    broker away). Celery's Redis transport pushes on the left and pops on the right, so the
    oldest waiting message is the list's last item; other brokers report the count only."""
    if not queues or settings.CELERY_TASK_ALWAYS_EAGER:
        return dict.fromkeys(queues)
    backlogs: dict[str, Backlog | None] = dict.fromkeys(queues)
    try:
        with current_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1)
            for queue in queues:
                with connection.channel() as channel:
                    try:
                        waiting = channel.queue_declare(queue=queue, passive=True).message_count
                    except ChannelError:
                        waiting = 0  # Redis drops an emptied list: no such queue
                    oldest = _oldest_sent_at(channel, queue) if waiting else None
                    backlogs[queue] = Backlog(waiting=waiting, oldest_sent_at=oldest)
    except Exception:
        log.warning("outbox: could not ask the broker how much work waits", exc_info=True)
    return backlogs


def _oldest_sent_at(channel, queue: str) -> datetime | None:
    """The send time the oldest message waiting in ``queue`` carries, read without taking it."""
    client = getattr(channel, "client", None)
    if client is None or not hasattr(client, "lindex"):
        return None
    raw = client.lindex(queue, -1)
    try:
        stamp = json.loads(raw)["headers"][SENT_AT_HEADER]
        return datetime.fromtimestamp(float(stamp), tz=dt_timezone.utc)
    except (TypeError, ValueError, KeyError):
        return None  # emptied meanwhile, or not sent through the outbox


def outbox_purge(*, older_than_days: int = 30) -> int:
    """Delete finished rows past their usefulness."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = OutboxTask.objects.filter(done_at__lt=cutoff).delete()
    return deleted
