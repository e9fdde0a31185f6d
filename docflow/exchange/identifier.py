"""The document identifier of the national axis: ``OrganId,yyyy/MM/dd,number/notation``.

Made and read in docflow/documents/identifier.py (its one home, below routing); here, for the
exchange, the identifier of our documents and copies and the selector finding our outgoing
document an identifier names, which is how replies (``ResponseFor``), status packages,
revocations and replacements are matched across systems.
"""

from __future__ import annotations

from django.utils import timezone

from docflow.documents.identifier import (  # noqa: F401 — the exchange's names for them
    DocumentIdentifier,
    copy_identifier,
    document_identifier,
    parse_document_identifier,
)
from docflow.documents.models import OutgoingDocument, OutgoingState
from docflow.routing.models import IncomingDocument


def outgoing_identifier(document: OutgoingDocument) -> str:
    """The identifier of one of our issued documents; "" before it is issued."""
    if not document.issued_at or not document.notation:
        return ""
    return document_identifier(organ_id=document.agency.code, issued_on=document.issued_at,
                               notation=document.notation)


def incoming_identifier(copy: IncomingDocument) -> str:
    """The identifier of the sender's document ``copy`` is of: the one it was received under,
    else made from its sender code, issue date and notation ("" when one is unknown)."""
    return copy.exchange_document_id or copy_identifier(
        sender_code=copy.sender_code, issued_on=copy.issued_on, notation=copy.notation)


def outgoing_by_identifier(identifier: str) -> OutgoingDocument | None:
    """Our issued document the identifier names (any of our agencies), or None.

    Callers scope the answer themselves (a delivery to the caller's agency, a copy's agency)."""
    try:
        parts = parse_document_identifier(identifier)
    except ValueError:
        return None
    candidates = (
        OutgoingDocument.objects.cross_agency("exchange")
        .filter(agency__code=parts.organ_id, notation=parts.notation, state=OutgoingState.ISSUED)
        .select_related("agency")
    )
    for document in candidates:
        if timezone.localdate(document.issued_at) == parts.issued_on:
            return document
    return None
