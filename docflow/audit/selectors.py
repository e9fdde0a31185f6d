"""Reading the audit log, always inside one agency's scope — except checking the chains and
exporting their heads, which are the operator's and read every agency."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from docflow.audit.chain import GENESIS, chain_check
from docflow.audit.models import AuditChainHead, AuditEvent


def events_for_object(*, object_type: str, object_id: UUID) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(object_type=object_type, object_id=object_id)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def recent_events(*, limit: int = 20) -> QuerySet[AuditEvent]:
    """The agency's newest events, in its chain's order (read down the (agency, sequence) index;
    a walk down every agency's events by time would pass over the others' rows)."""
    return AuditEvent.objects.select_related("actor").order_by("-sequence")[:limit]


def chain_verify(*, agency_ids: list[int] | None = None) -> dict[int, int]:
    """Check every agency's chain (or those of ``agency_ids``); ``{agency_id: events}``.

    Raises ``chain.Broken`` naming the first event that does not link: edited (its hash),
    deleted or reordered (its sequence or prev_hash), or the newest ones deleted (the head).
    Reads each chain in sequence order, in chunks: memory stays flat whatever its length.
    """
    events = AuditEvent.objects.cross_agency("audit")
    heads = {h.agency_id: h for h in AuditChainHead.objects.cross_agency("audit").all()}
    agencies = set(heads) | set(events.values_list("agency_id", flat=True).distinct().order_by())
    if agency_ids is not None:
        agencies &= set(agency_ids)
    checked = {}
    for agency_id in sorted(agencies):
        head = heads.get(agency_id)
        rows = events.filter(agency_id=agency_id).order_by("sequence").iterator(chunk_size=2000)
        try:
            checked[agency_id] = chain_check(rows, agency_id=agency_id, head_sequence=head.sequence if head else 0,
                                             head_hash=head.hash if head else None)
        finally:
            rows.close()  # a break mid-chain must not leave PostgreSQL's server-side cursor open
    return checked


def chain_heads_on(*, day: date) -> list[dict]:
    """Each agency's newest event at the end of ``day`` (local time): what to anchor outside."""
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    events = AuditEvent.objects.cross_agency("audit")
    last = events.filter(agency_id=OuterRef("agency_id"), created_at__lt=end).order_by("-sequence")
    heads = (AuditChainHead.objects.cross_agency("audit").select_related("agency").order_by("agency_id")
             .annotate(day_sequence=Subquery(last.values("sequence")[:1]), day_hash=Subquery(last.values("hash")[:1])))
    return [
        {"agency_id": h.agency_id, "agency_code": h.agency.code, "date": day.isoformat(),
         "sequence": h.day_sequence or 0, "hash": h.day_hash or GENESIS}
        for h in heads
    ]
