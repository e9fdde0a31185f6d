"""Writing audit events. Called by other services inside their own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from docflow.audit.models import AuditEvent


@dataclass(frozen=True)
class EventSpec:
    """One event to record; used for bulk writes when an action touches many agencies."""

    agency_id: int
    action: str
    object_type: str
    object_id: UUID
    actor_id: int | None = None
    actor_label: str = ""
    state_before: str = ""
    state_after: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def event_record(
    *,
    agency_id: int,
    action: str,
    object_type: str,
    object_id: UUID,
    actor_id: int | None = None,
    actor_label: str = "",
    state_before: str = "",
    state_after: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the caller's transaction so both commit or neither."""
    return events_record(
        events=[
            EventSpec(
                agency_id=agency_id, action=action, object_type=object_type,
                object_id=object_id, actor_id=actor_id, actor_label=actor_label,
                state_before=state_before, state_after=state_after, data=data or {},
            )
        ]
    )[0]


def events_record(*, events: Iterable[EventSpec]) -> list[AuditEvent]:
    """Append many events in one INSERT, whatever their agencies (routing fan-out)."""
    rows = [
        AuditEvent(
            agency_id=e.agency_id, actor_id=e.actor_id, actor_label=e.actor_label,
            action=e.action, object_type=e.object_type, object_id=e.object_id,
            state_before=e.state_before, state_after=e.state_after, data=e.data,
        )
        for e in events
    ]
    # bulk_create bypasses the scope check on purpose: it only inserts, each row names its agency.
    return AuditEvent.objects.with_scopes_disabled().bulk_create(rows)
