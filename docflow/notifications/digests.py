"""The daily digest: at 17:00 (Asia/Ho_Chi_Minh) each person who chose it for some kinds gets
one Vietnamese email of the day's notifications of those kinds whose work is still undone.

``digests_dispatch`` (beat) records one task per agency with a digest preference, once per
agency and day; each runs ``agency_digests_send`` in that agency's scope. A person's digest is
claimed by a ``NotificationDigest`` row (unique per agency, person and day) in the transaction
that sends it, so any number of runs send it once; a refused send rolls the claim back and the
task retries. The day runs from the previous day's 17:00 to this day's, so nothing falls between.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError
from django.utils import timezone

from docflow.notifications.emails import digest_email_message
from docflow.notifications.models import Notification, NotificationDigest, NotificationPreference
from docflow.outbox.services import outbox_enqueue_many
from docflow.core.scoping import agency_scope
from docflow.core.services import service_transaction

AGENCY_TASK = "notify.agency_digests"
DIGEST_HOUR = time(17, 0)


def digest_window(day: date) -> tuple[datetime, datetime]:
    """From the day before's 17:00 to ``day``'s 17:00, local time."""
    end = timezone.make_aware(datetime.combine(day, DIGEST_HOUR))
    return end - timedelta(days=1), end


def digests_dispatch(*, day: date | None = None) -> int:
    """Record ``day``'s digest work for every agency where someone chose a digest; returns how
    many agencies. An agency already recorded for ``day`` is skipped."""
    day = day or timezone.localdate()
    agencies = list(
        NotificationPreference.objects.cross_agency("notify").filter(email=True, digest=True)
        .order_by().values_list("agency_id", flat=True).distinct()
    )
    with service_transaction():
        outbox_enqueue_many(tasks=[
            {"task_name": AGENCY_TASK, "queue": "notify", "dedup_key": f"digest:{agency_id}:{day}",
             "kwargs": {"agency_id": agency_id, "day": day.isoformat()}}
            for agency_id in agencies
        ])
    return len(agencies)


def agency_digests_send(*, agency_id: int, day: date) -> int:
    """Send ``day``'s digest to every person of the agency who has one due; returns how many
    were sent. Three reads whatever the number of people, then one claim and one send each."""
    start, end = digest_window(day)
    with agency_scope(agency_id):
        kinds_of: dict[int, set[str]] = defaultdict(set)
        for user_id, kind in NotificationPreference.objects.filter(email=True, digest=True).values_list(
            "user_id", "kind"
        ):
            kinds_of[user_id].add(kind)
        already = set(NotificationDigest.objects.filter(day=day).values_list("user_id", flat=True))
        pending: dict[int, list[Notification]] = defaultdict(list)
        for n in (
            Notification.objects.filter(
                recipient_id__in=[u for u in kinds_of if u not in already],
                kind__in={k for kinds in kinds_of.values() for k in kinds},
                done_at__isnull=True, emailed_at__isnull=True,
                created_at__gte=start, created_at__lt=end,
            ).select_related("recipient", "agency").order_by("created_at", "id")
        ):
            if n.kind in kinds_of[n.recipient_id]:
                pending[n.recipient_id].append(n)
        return sum(_send(agency_id, user_id, day, notes) for user_id, notes in pending.items())


def _send(agency_id: int, user_id: int, day: date, notes: list[Notification]) -> bool:
    try:
        with service_transaction():
            NotificationDigest.objects.create(agency_id=agency_id, user_id=user_id, day=day, count=len(notes))
            address = notes[0].recipient.email
            if address:
                digest_email_message(notifications=notes, day=day, address=address).send()
            Notification.objects.filter(id__in=[n.id for n in notes]).update(emailed_at=timezone.now())
    except IntegrityError:  # another run claimed this person's digest first
        return False
    return bool(address)
