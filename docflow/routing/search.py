"""Search over the active agency's documents: its incoming copies and its outgoing documents.

Both kinds keep a folded ``search_text`` (``docflow.core.search``): incoming copies the
notation, subject, sender, signer and content (shared by the copies of one envelope:
``CopyText``); outgoing documents the notation, subject, body and signer. Results are ranked (word similarity on PostgreSQL, recency on SQLite) and never
leave the scoped agency: every query goes through the tenant managers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from docflow.core.scoping import current_agency_id
from docflow.core.search import search_ranked
from docflow.documents.models import OutgoingDocument
from docflow.routing.models import IncomingDocument
from docflow.tenancy.selectors import agency_history_scope

SEARCH_KINDS = ("incoming", "outgoing")
MAX_RESULTS = 100
INCOMING_FIELDS = ("id", "notation", "subject", "sender_name", "signer_name", "content",
                   "delivered_at", "status_code")
OUTGOING_FIELDS = ("id", "notation", "subject", "body", "state", "created_at", "issued_at",
                   "signer__full_name", "signer__first_name", "signer__last_name", "signer__username")


@dataclass(frozen=True)
class SearchHit:
    """One document found: what a result line shows, and the text its excerpt comes from."""

    kind: str  # "incoming" or "outgoing"
    id: UUID
    notation: str
    subject: str
    sender: str  # the sending agency (incoming); empty for our own documents
    signer: str
    text: str  # content of an incoming copy, body of an outgoing document
    date: datetime  # arrival (incoming), issue or else creation (outgoing)
    status: str  # incoming status code, or outgoing state
    rank: float


def documents_search(*, q: str, kinds: Sequence[str] = SEARCH_KINDS, limit: int = 20) -> list[SearchHit]:
    """The scoped agency's documents of ``kinds`` matching every word of ``q`` (diacritics and
    case ignored), best first, at most ``limit``. One query per kind, and one for the agencies
    merged into it: the successor of a merger searches their history too."""
    with agency_history_scope(agency_id=current_agency_id()):
        return _documents_search(q=q, kinds=kinds, limit=limit)


def _documents_search(*, q: str, kinds: Sequence[str], limit: int) -> list[SearchHit]:
    limit = max(1, min(limit, MAX_RESULTS))
    hits: list[SearchHit] = []
    if "incoming" in kinds:
        rows = search_ranked(
            IncomingDocument.objects.only(*INCOMING_FIELDS), q, recency=("-delivered_at", "-id"), limit=limit
        )
        hits += [
            SearchHit(kind="incoming", id=d.id, notation=d.notation, subject=d.subject,
                      sender=d.sender_name, signer=d.signer_name, text=d.content,
                      date=d.delivered_at, status=d.status_code, rank=d.rank)
            for d in rows
        ]
    if "outgoing" in kinds:
        rows = search_ranked(
            OutgoingDocument.objects.select_related("signer").only(*OUTGOING_FIELDS), q,
            recency=("-created_at", "-id"), limit=limit,
        )
        hits += [
            SearchHit(kind="outgoing", id=d.id, notation=d.notation, subject=d.subject, sender="",
                      signer=d.signer.get_full_name() if d.signer else "", text=d.body,
                      date=d.issued_at or d.created_at, status=d.state, rank=d.rank)
            for d in rows
        ]
    hits.sort(key=lambda h: (-h.rank, -h.date.timestamp()))
    return hits[:limit]
