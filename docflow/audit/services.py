"""Writing audit events. Called by other services inside their own transaction.

Every write appends to the agencies' hash chains: the heads of the agencies concerned are
locked in agency order (``SELECT … FOR UPDATE``: concurrent writers of one agency wait for each
other and keep one chain; the fixed order keeps two fan-outs from deadlocking), the events are
numbered and hashed, inserted in one statement (COPY on PostgreSQL), and the heads moved in
one UPDATE — two queries
more than a bare INSERT once an agency has a head.

An event's actor is the person the running service acts for (``docflow.core.services``:
``current_actor``) when the event is in that person's agency, unless the caller names one
(``actor_id``, ``None`` for nobody) or labels who acted (``actor_label``: the exchange, OCR, a
command).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db import connections, transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from docflow.audit.chain import GENESIS, CanonicalWriter, json_normal, link_hash
from docflow.audit.models import AuditChainHead, AuditEvent
from docflow.core.bulk import instances_like, rows_copy
from docflow.core.ids import uuid7
from docflow.core.scoping import rls_purpose
from docflow.core.services import Actor, current_actor


class _ServiceActor:
    """The default ``actor_id``: the running service's actor (see the module docstring)."""

    def __repr__(self) -> str:
        return "SERVICE_ACTOR"


SERVICE_ACTOR: Any = _ServiceActor()


@dataclass(frozen=True)
class EventSpec:
    """One event to record; used for bulk writes when an action touches many agencies."""

    agency_id: int
    action: str
    object_type: str
    object_id: UUID
    actor_id: int | None = SERVICE_ACTOR
    actor_label: str = ""
    state_before: str = ""
    state_after: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def actor_of(self, actor: Actor | None) -> int | None:
        """The user id recorded as this event's actor, ``actor`` being the service's."""
        if self.actor_id is not SERVICE_ACTOR:
            return self.actor_id
        if self.actor_label or actor is None or not actor.acts_in(self.agency_id):
            return None
        return actor.user_id


def event_record(
    *,
    agency_id: int,
    action: str,
    object_type: str,
    object_id: UUID,
    actor_id: int | None = SERVICE_ACTOR,
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
    """Append many events in one INSERT, whatever their agencies (routing fan-out), each linked
    into its agency's chain. Runs in the caller's transaction (opens one when there is none)."""
    now, actor = timezone.now(), current_actor()
    normal: dict[int, tuple[Any, Any]] = {}  # a fan-out's events share one data dict: normalized once

    def normal_of(data: Any) -> Any:
        if id(data) not in normal:
            normal[id(data)] = (data, json_normal(data))  # the dict kept: its id stays its own
        return normal[id(data)][1]

    rows = instances_like(AuditEvent(created_at=now), (
        {"id": uuid7(), "agency_id": e.agency_id, "actor_id": e.actor_of(actor), "actor_label": e.actor_label,
         "action": e.action, "object_type": e.object_type, "object_id": e.object_id,
         "state_before": e.state_before, "state_after": e.state_after, "data": normal_of(e.data)}
        for e in events
    ))
    if not rows:
        return []
    with transaction.atomic(savepoint=False):  # the caller's transaction, without a savepoint
        heads = _heads_locked(sorted({row.agency_id for row in rows}))
        canonical = CanonicalWriter()
        for row in rows:
            head = heads[row.agency_id]
            row.sequence, row.prev_hash = head[0] + 1, head[1]
            row.hash = link_hash(row.prev_hash, canonical(
                agency_id=row.agency_id, sequence=row.sequence, event_id=row.id, created_at=row.created_at,
                actor_id=row.actor_id, actor_label=row.actor_label, action=row.action,
                object_type=row.object_type, object_id=row.object_id, state_before=row.state_before,
                state_after=row.state_after, data=row.data,
            ))
            head[0], head[1] = row.sequence, row.hash
        # No scope check on purpose: it only inserts, each row names its agency (COPY on PostgreSQL).
        rows_copy(AuditEvent, rows, purpose="audit")
        _heads_move(heads, now)
    return rows


def _heads_locked(agency_ids: list[int]) -> dict[int, list]:
    """The agencies' chain heads, locked, in agency order, as ``[sequence, hash]`` by agency
    (values, not instances: a fan-out locks 10,000); created for a first event."""
    # Scopes off on purpose, as for the events: every head named is an agency this write is for.
    all_heads = AuditChainHead.objects.cross_agency("audit")

    def locked(ids: list[int]) -> dict[int, list]:
        return {agency: [sequence, hash_] for agency, sequence, hash_ in all_heads.select_for_update().filter(
            agency_id__in=ids).order_by("agency_id").values_list("agency_id", "sequence", "hash")}

    heads = locked(agency_ids)
    missing = [a for a in agency_ids if a not in heads]
    if missing:
        all_heads.bulk_create(
            [AuditChainHead(agency_id=a, sequence=0, hash=GENESIS) for a in missing], ignore_conflicts=True)
        heads.update(locked(missing))
    return heads


def _heads_move(heads: dict[int, list], now) -> None:
    """Every head (``{agency: [sequence, hash]}``) to its new sequence and hash in one UPDATE:
    on PostgreSQL joined to the new values as arrays (linear in the number of heads, where a
    CASE with a branch per head is quadratic: 10,000 recipients took minutes), elsewhere by CASE."""
    all_heads = AuditChainHead.objects.cross_agency("audit")
    if len(heads) == 1:
        [(agency, (sequence, hash_))] = heads.items()
        all_heads.filter(pk=agency).update(sequence=sequence, hash=hash_, updated_at=now)
        return
    connection = connections[all_heads.db]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(AuditChainHead._meta.db_table)
        key = connection.ops.quote_name(AuditChainHead._meta.pk.column)
        # Raw SQL runs no manager: the audit purpose named for the database here.
        with rls_purpose("audit"), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS h SET sequence = v.sequence, hash = v.hash, updated_at = %s "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) AS v(id, sequence, hash) "
                f"WHERE h.{key} = v.id",
                [now, list(heads), [h[0] for h in heads.values()], [h[1] for h in heads.values()]],
            )
        return
    all_heads.filter(pk__in=list(heads)).update(
        sequence=Case(*[When(pk=a, then=Value(h[0])) for a, h in heads.items()], output_field=IntegerField()),
        hash=Case(*[When(pk=a, then=Value(h[1])) for a, h in heads.items()]),
        updated_at=now,
    )
