"""Reading a user's notifications inside the active agency scope."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from docflow.notifications.models import Notification, NotificationPreference


def notifications_for_user(*, user_id: int) -> QuerySet[Notification]:
    """Unread first, newest first (``is_read`` is annotated for keyset pagination)."""
    return (
        Notification.objects.filter(recipient_id=user_id)
        .annotate(is_read=ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField()))
        .order_by("is_read", "-created_at", "-id")
    )


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def notification_preferences_of_user(*, user_id: int) -> dict[str, NotificationPreference]:
    """The user's preferences in the active agency, by kind (kinds without a row: both on)."""
    return {p.kind: p for p in NotificationPreference.objects.filter(user_id=user_id)}
