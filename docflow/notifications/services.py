"""Creating notifications, gathering, marking them done, read, and sending their emails."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.utils import timezone

from docflow.core.errors import NotFound
from docflow.core.ids import uuid7
from docflow.core.scoping import agency_scope
from docflow.core.services import service, service_transaction
from docflow.notifications.emails import notification_email_message
from docflow.notifications.models import Notification, NotificationPreference
from docflow.outbox.services import outbox_enqueue_many

log = logging.getLogger(__name__)

EMAIL_TASK = "notify.notification_email"


@dataclass(frozen=True, kw_only=True)
class Notice:
    """One notification to make: for whom, of which kind, about which object."""

    agency_id: int
    user_id: int
    kind: str
    title: str
    dedup_key: str
    body: str = ""
    object_type: str = ""
    object_id: UUID | str | None = None
    email: bool = True  # worth an email at once (when the person's preference allows)


@dataclass(frozen=True)
class Reach:
    """How one person takes one kind: in the bell, by email at once, in the daily digest."""

    in_app: bool = True
    email_now: bool = True
    digest: bool = False

    @property
    def wanted(self) -> bool:
        return self.in_app or self.email_now or self.digest


def _reaches(agency_ids: set[int], user_ids: set[int], kinds: set[str]) -> dict[tuple, Reach]:
    """Each (agency, person, kind)'s preference, one query; no row means bell and email."""
    return {
        (p.agency_id, p.user_id, p.kind): Reach(
            in_app=p.in_app, email_now=p.email and not p.digest, digest=p.email and p.digest
        )
        for p in NotificationPreference.objects.cross_agency("notify").filter(
            agency_id__in=agency_ids, user_id__in=user_ids, kind__in=kinds
        )
    }


def notifications_create(*, notices: Iterable[Notice]) -> list[Notification]:
    """Create many notifications in a few statements, each once per dedup key, honouring each
    person's preference for its kind (bell off: kept read; email off or in the digest: no email
    now; nothing wanted: none). Returns the rows made; their emails are sent after commit.

    A row another transaction made meanwhile is skipped by the INSERT; its email work then
    finds no row and ends quietly.
    """
    notices = list(notices)
    if not notices:
        return []
    existing = set(
        Notification.objects.cross_agency("notify")
        .filter(dedup_key__in=[n.dedup_key for n in notices]).values_list("dedup_key", flat=True)
    )
    notices = [n for n in dict((n.dedup_key, n) for n in notices).values() if n.dedup_key not in existing]
    reaches = _reaches({n.agency_id for n in notices}, {n.user_id for n in notices},
                             {n.kind for n in notices})
    now, rows, emails = timezone.now(), [], []
    for n in notices:
        reach = reaches.get((n.agency_id, n.user_id, n.kind), Reach())
        if not (reach.in_app or (n.email and reach.email_now) or reach.digest):
            continue
        row = Notification(
            id=uuid7(), agency_id=n.agency_id, recipient_id=n.user_id, kind=n.kind,
            title=n.title[:300], body=n.body, object_type=n.object_type, object_id=n.object_id,
            dedup_key=n.dedup_key, read_at=None if reach.in_app else now,
        )
        rows.append(row)
        if n.email and reach.email_now:
            emails.append({
                "task_name": EMAIL_TASK, "queue": "notify", "dedup_key": f"email:{row.id}",
                "kwargs": {"agency_id": n.agency_id, "notification_id": str(row.id)},
            })
    # No savepoint inside the caller's transaction: ON CONFLICT DO NOTHING refuses no row, and
    # any other error fails the caller's whole transaction anyway.
    with service_transaction(savepoint=False):
        Notification.objects.cross_agency("notify").bulk_create(rows, ignore_conflicts=True)
        if emails:
            outbox_enqueue_many(tasks=emails)
    return rows


def notification_create(
    *,
    agency_id: int,
    recipient_id: int,
    kind: str,
    title: str,
    dedup_key: str,
    body: str = "",
    object_type: str = "",
    object_id: UUID | str | None = None,
    email: bool = True,
) -> Notification | None:
    """Create one notification, once per ``dedup_key`` (see ``notifications_create``); None
    when nothing was made (already there because a task ran twice, or turned off)."""
    made = notifications_create(notices=[Notice(
        agency_id=agency_id, user_id=recipient_id, kind=kind, title=title, body=body,
        object_type=object_type, object_id=object_id, dedup_key=dedup_key, email=email,
    )])
    return made[0] if made else None


def notification_gather(
    *,
    agency_id: int,
    recipient_ids: Iterable[int],
    kind: str,
    object_type: str,
    object_id: UUID | str,
    part: str,
    state: list | str,
    title: Callable[[dict], str],
    body: str = "",
    now: datetime | None = None,
) -> list[Notification]:
    """Gather an event about ``object_id`` into one notification per person and clock hour.

    The first event of the hour creates it, later ones update it: ``parts[part] = state``,
    ``count`` + 1, the title written again by ``title(parts)``, unread again (bell on). The
    row is inserted with ON CONFLICT DO NOTHING on (recipient, kind, object, hour) and then
    locked, so concurrent events queue on it and none is lost. Gathered kinds send no email
    at once; a person who chose the digest gets them there. Runs in the caller's transaction.
    """
    now = now or timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    people = list(dict.fromkeys(u for u in recipient_ids if u is not None))
    reaches = _reaches({agency_id}, set(people), {kind})
    wanted = {u: reaches.get((agency_id, u, kind), Reach()) for u in people}
    wanted = {u: d for u, d in wanted.items() if d.wanted}
    if not wanted:
        return []
    with agency_scope(agency_id):  # the rows and their saves are the agency's (its database scope too)
        manager = Notification.objects.with_scope(agency=agency_id)
        manager.bulk_create([
            Notification(
                id=uuid7(), agency_id=agency_id, recipient_id=u, kind=kind, title="", body=body,
                object_type=object_type, object_id=object_id, gathered_hour=hour, count=0, parts={},
                dedup_key=f"{kind}:{object_id}:{u}:{hour:%Y%m%d%H}",
            )
            for u in wanted
        ], ignore_conflicts=True)
        rows = list(
            manager.select_for_update().filter(
                recipient_id__in=list(wanted), kind=kind, object_id=object_id, gathered_hour=hour
            ).order_by("recipient_id")  # one order of locks: two events never deadlock
        )
        for row in rows:
            row.parts = {**row.parts, part: state}
            row.count += 1
            row.title = title(row.parts)[:300]
            row.body, row.updated_at = body, now
            row.read_at = None if wanted[row.recipient_id].in_app else now
            row.save(update_fields=["parts", "count", "title", "body", "updated_at", "read_at"])
    return rows


def notifications_done(
    *,
    agency_id: int,
    object_type: str,
    object_id: UUID | str,
    kinds: Iterable[str],
    recipient_ids: Iterable[int] | None = None,
) -> int:
    """Mark done every notification of ``kinds`` about the object, whoever did the work: one
    UPDATE in the caller's transaction. Done ones leave the unread count and stay listed."""
    rows = Notification.objects.with_scope(agency=agency_id).filter(
        object_type=object_type, object_id=object_id, kind__in=list(kinds), done_at__isnull=True
    )
    if recipient_ids is not None:
        rows = rows.filter(recipient_id__in=list(recipient_ids))
    return rows.update(done_at=timezone.now())


def notification_email_send(*, agency_id: int, notification_id: UUID | str) -> bool:
    """Email one notification to its recipient: never lost, repeated only under the same
    Message-ID (plain text and HTML, from the kind's Vietnamese templates; see
    ``notifications.emails``).

    Send, then record: the task runs under its outbox row's lease (``workers/base.py``), so no
    second live run of it exists; it is run again only after a run died (its lease lapsed) or
    failed. ``emailed_at`` is committed in its own short transaction right after the SMTP server
    accepted the message, with nothing in between; a run that finds it set sends nothing. A send
    that fails (the SMTP server refused, or the process died before the server accepted) records
    nothing and is sent again by the retry or the sweeper. A process that dies between the
    server's accept and that commit sends the message again on the next run, with the SAME
    Message-ID (``<notification.<id>@docflow>``), so mail systems drop the repeat: at least once,
    de-duplicated by id, as webhooks are by X-Docflow-Id. Returns whether a message was sent; a
    recipient without an address is recorded as done and sent nothing.
    """
    notification = (
        Notification.objects.with_scope(agency=agency_id)
        .select_related("recipient", "agency")
        .filter(id=notification_id)
        .first()
    )
    if notification is None or notification.emailed_at is not None:
        return False
    address = notification.recipient.email
    if address:
        message = notification_email_message(notification=notification, address=address)
        message.extra_headers["Message-ID"] = notification_message_id(notification_id=notification.id)
        message.send()  # raises when refused: nothing recorded, the task retries
    with service_transaction():  # at once after the accept: the window of a repeat is this commit
        Notification.objects.with_scope(agency=agency_id).filter(
            id=notification.id, emailed_at__isnull=True
        ).update(emailed_at=timezone.now())
    return bool(address)


def notification_message_id(*, notification_id: UUID | str) -> str:
    """The Message-ID every e-mail of this notification carries, however often it is sent."""
    return f"<notification.{notification_id}@docflow>"


def notifications_mark_read(*, recipient_id: int) -> int:
    """Mark all of the recipient's unread notifications in the active agency read."""
    return Notification.objects.filter(recipient_id=recipient_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_mark_read(*, recipient_id: int, notification_id: UUID | str) -> Notification:
    """Mark one of the recipient's notifications read and return it; NotFound when it is not theirs."""
    notification = Notification.objects.filter(id=notification_id, recipient_id=recipient_id).first()
    if notification is None:
        raise NotFound("Không tìm thấy thông báo.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@service(scope="agency_id")
def notification_preference_set(
    *, agency_id: int, user_id: int, kind: str, in_app: bool, email: bool, digest: bool = False
) -> NotificationPreference:
    """Set how ``user_id`` receives ``kind`` in this agency (one row per person and kind):
    ``email`` with ``digest`` sends it in the 17:00 digest instead of at once."""
    preference, _created = NotificationPreference.objects.with_scope(agency=agency_id).update_or_create(
        agency_id=agency_id, user_id=user_id, kind=kind,
        defaults={"in_app": in_app, "email": email, "digest": email and digest},
    )
    return preference
