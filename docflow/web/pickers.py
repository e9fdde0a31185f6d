"""Choices the forms offer: the agency's issued documents to link as a reply (one query; the
agency's people are ``tenancy.selectors.members_active``)."""

from __future__ import annotations

from docflow.documents.models import OutgoingDocument, OutgoingState
from docflow.documents.selectors import documents_list

REPLY_CHOICES = 100


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
