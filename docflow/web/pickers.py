"""Choices the forms offer: the agency's people, its issued documents (reads, one query each)."""

from __future__ import annotations

from docflow.documents.models import OutgoingDocument, OutgoingState
from docflow.documents.selectors import documents_list
from docflow.tenancy.models import Membership

REPLY_CHOICES = 100


def agency_people() -> list[Membership]:
    """Active members of the scoped agency, by unit then name."""
    return list(
        Membership.objects.filter(is_active=True, user__is_active=True)
        .select_related("user", "unit")
        .order_by("unit__name", "user__full_name", "user__username")
    )


def reply_choices(*, incoming_id=None) -> list[OutgoingDocument]:
    """The agency's latest issued documents, to link as a reply; those written as replies to
    ``incoming_id`` first (one query)."""
    latest = (
        documents_list(state=OutgoingState.ISSUED)
        .select_related(None)
        .only("id", "notation", "subject", "reply_to_incoming_id")[:REPLY_CHOICES]
    )
    rows = list(latest)
    if incoming_id is not None:
        rows.sort(key=lambda d: d.reply_to_incoming_id != incoming_id)
    return rows
