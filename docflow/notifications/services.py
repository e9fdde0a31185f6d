"""Creating notifications and sending their emails."""

from __future__ import annotations

import logging
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from docflow.core.errors import NotFound
from docflow.notifications.emails import notification_email_message
from docflow.notifications.models import Notification, NotificationPreference
from docflow.outbox.services import outbox_enqueue

log = logging.getLogger(__name__)

EMAIL_TASK = "notify.notification_email"


def notification_create(
    *,
    agency_id: int,
    recipient_id: int,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedup_key: str,
    email: bool = True,
) -> Notification | None:
    """Create one in-app notification, once per ``dedup_key``; its email is sent after commit.

    The recipient's preference for ``kind`` in this agency is respected: with the bell off the
    notification is kept already read (a record, not a call for attention), with email off no
    email is sent, with both off nothing is created. Returns None when nothing was created
    (already there because a task ran twice, or turned off).
    """
    preference = (
        NotificationPreference.objects.with_scope(agency=agency_id)
        .filter(user_id=recipient_id, kind=kind)
        .first()
    )
    in_app = preference.in_app if preference else True
    email = email and (preference.email if preference else True)
    if not in_app and not email:
        return None
    with transaction.atomic():
        notification, created = Notification.objects.with_scopes_disabled().get_or_create(
            dedup_key=dedup_key,
            defaults=dict(
                agency_id=agency_id, recipient_id=recipient_id, kind=kind,
                title=title[:300], body=body, link=link,
                read_at=None if in_app else timezone.now(),
            ),
        )
        if not created:
            return None
        if email:
            outbox_enqueue(
                task_name=EMAIL_TASK,
                kwargs={"agency_id": agency_id, "notification_id": str(notification.id)},
                queue="notify",
                dedup_key=f"email:{notification.id}",
            )
    return notification


def notification_email_send(*, agency_id: int, notification_id: UUID | str) -> bool:
    """Email one notification to its recipient, at most once (plain text and HTML, from the
    kind's Vietnamese templates; see ``notifications.emails``).

    The row is claimed (``emailed_at`` set) in the same transaction that sends, so a task run
    twice sends once; a failure to send rolls the claim back and the task retries.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.with_scope(agency=agency_id)
            .select_for_update(of=("self",))  # the recipient's and agency's rows stay free
            .select_related("recipient", "agency")
            .filter(id=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return False
        address = notification.recipient.email
        if address:
            notification_email_message(notification=notification, address=address).send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return bool(address)


def notifications_mark_read(*, recipient_id: int) -> int:
    """Mark all of the recipient's unread notifications in the active agency read."""
    return Notification.objects.filter(recipient_id=recipient_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_mark_read(*, recipient_id: int, notification_id: UUID | str) -> None:
    """Mark one of the recipient's notifications read; NotFound when it is not theirs."""
    notification = Notification.objects.filter(id=notification_id, recipient_id=recipient_id).first()
    if notification is None:
        raise NotFound("Không tìm thấy thông báo.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


@transaction.atomic
def notification_preference_set(
    *, agency_id: int, user_id: int, kind: str, in_app: bool, email: bool
) -> NotificationPreference:
    """Set how ``user_id`` receives ``kind`` in this agency (one row per person and kind)."""
    preference, _created = NotificationPreference.objects.with_scope(agency=agency_id).update_or_create(
        agency_id=agency_id, user_id=user_id, kind=kind,
        defaults={"in_app": in_app, "email": email},
    )
    return preference
