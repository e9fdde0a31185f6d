"""Reading a user's notifications inside the active agency scope."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from docflow.notifications.models import Notification, NotificationPreference

# Read, or its work done by someone: either way it no longer calls for attention.
SEEN = Q(read_at__isnull=False) | Q(done_at__isnull=False)


def notifications_for_user(*, user_id: int) -> QuerySet[Notification]:
    """Unread first, newest first (``is_read`` — read or done — is annotated for keyset
    pagination)."""
    return (
        Notification.objects.filter(recipient_id=user_id)
        .annotate(is_read=ExpressionWrapper(SEEN, output_field=BooleanField()))
        .order_by("is_read", "-created_at", "-id")
    )


def unread_count(*, user_id: int) -> int:
    """The bell's number: neither read nor done."""
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True, done_at__isnull=True).count()


def notification_kinds_of_user(*, user_id: int) -> set[str]:
    """The kinds the user has received in the active agency."""
    return set(Notification.objects.filter(recipient_id=user_id).order_by().values_list("kind", flat=True).distinct())


def notification_preferences_of_user(*, user_id: int) -> dict[str, NotificationPreference]:
    """The user's preferences in the active agency, by kind (kinds without a row: bell and
    email at once)."""
    return {p.kind: p for p in NotificationPreference.objects.filter(user_id=user_id)}
