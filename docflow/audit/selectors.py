"""Reading the audit log, always inside one agency's scope."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from docflow.audit.models import AuditEvent


def events_for_object(*, object_type: str, object_id: UUID) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(object_type=object_type, object_id=object_id)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def recent_events(*, limit: int = 20) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("actor").order_by("-created_at", "-id")[:limit]
