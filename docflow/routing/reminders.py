"""Deadline reminders for incoming documents being handled (04, 05), run by Celery beat.

Every morning ``deadline_reminders_dispatch`` records one task per agency that has a copy due
tomorrow or overdue (once per agency and day); each runs ``agency_deadline_remind`` in that
agency's scope: the lead handler hears of a copy due tomorrow, the lead handler and the agency's
leaders hear of an overdue one, every day until it is handled. Every notification's dedup key
names the copy, the person and the day, so running either step any number of times in a day
notifies each person once per copy; two runs at once for one agency queue on the agency's row.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from docflow.outbox.services import outbox_enqueue_many
from docflow.routing.models import HANDLING_STATUSES, IncomingDocument
from docflow.routing.status import INCOMING_OBJECT
from docflow.notifications.services import Notice, notifications_create
from docflow.tenancy.models import Agency, Membership
from docflow.core.services import service

AGENCY_TASK = "notify.agency_deadline_reminders"
KIND_DUE_TOMORROW = "incoming_due_tomorrow"
KIND_OVERDUE = "incoming_overdue"


@service(scope=None)
def deadline_reminders_dispatch(*, day: date | None = None) -> int:
    """Record today's reminder work for every agency with a copy due tomorrow or overdue;
    returns how many agencies have some. Agencies already recorded for ``day`` are skipped."""
    day = day or timezone.localdate()
    agencies = list(
        IncomingDocument.objects.cross_agency("delivery")
        .filter(status_code__in=HANDLING_STATUSES, due_date__lte=day + timedelta(days=1))
        .order_by().values_list("agency_id", flat=True).distinct()
    )
    outbox_enqueue_many(tasks=[
        {"task_name": AGENCY_TASK, "queue": "notify", "dedup_key": f"reminders:{agency_id}:{day}",
         "kwargs": {"agency_id": agency_id, "day": day.isoformat()}}
        for agency_id in agencies
    ])
    return len(agencies)


@service(scope="agency_id")
def agency_deadline_remind(*, agency_id: int, day: date) -> int:
    """Notify about one agency's copies due the day after ``day`` (their lead handler) and past
    due on ``day`` (their lead handler and the agency's active leaders); returns how many
    notifications were made. A fixed number of queries whatever the number of copies."""
    tomorrow = day + timedelta(days=1)
    if Agency.objects.select_for_update().filter(pk=agency_id).first() is None:
        return 0
    copies = (
        IncomingDocument.objects.filter(status_code__in=HANDLING_STATUSES, due_date__lte=tomorrow)
        .exclude(due_date=day)  # due today: still in time, nothing to say
        .select_related("lead").defer("content")
    )
    leaders = list(
        Membership.objects.filter(is_active=True, is_leader=True).values_list("user_id", flat=True)
    )
    notices = []
    for copy in copies:
        if copy.due_date == tomorrow:
            people, kind, title = [copy.lead_id], KIND_DUE_TOMORROW, "Đến hạn xử lý ngày mai"
        else:
            late = (day - copy.due_date).days
            people, kind, title = [copy.lead_id, *leaders], KIND_OVERDUE, f"Quá hạn xử lý {late} ngày"
        body = f"{copy.sender_name}. Hạn xử lý: {copy.due_date:%d/%m/%Y}."
        if copy.lead_id:
            body += f" Chủ trì: {copy.lead.get_full_name()}."
        notices += [
            Notice(
                agency_id=agency_id, user_id=user_id, kind=kind,
                title=f"{title}: {copy.notation} {copy.subject}"[:300], body=body,
                object_type=INCOMING_OBJECT, object_id=copy.id,
                dedup_key=f"{kind}:{copy.id}:{user_id}:{day.isoformat()}",
            )
            for user_id in dict.fromkeys(u for u in people if u is not None)
        ]
    return len(notifications_create(notices=notices))
