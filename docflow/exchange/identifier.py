"""The document identifier of the national axis: ``OrganId,yyyy/MM/dd,number/notation``.

One function makes it (for every issued outgoing document and every received copy) and one
reads it; the selectors find our outgoing document an identifier names, which is how replies
(``ResponseFor``), status packages, revocations and replacements are matched across systems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from docflow.documents.models import OutgoingDocument, OutgoingState

_FORM = re.compile(r"(?P<organ>[^,\s]+),(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2}),(?P<notation>\S.*)")


@dataclass(frozen=True)
class DocumentIdentifier:
    organ_id: str
    issued_on: date
    notation: str

    def __str__(self) -> str:
        return document_identifier(organ_id=self.organ_id, issued_on=self.issued_on, notation=self.notation)


def document_identifier(*, organ_id: str, issued_on: date | datetime, notation: str) -> str:
    """``OrganId,yyyy/MM/dd,number/notation`` (the notation as issued, number included)."""
    if isinstance(issued_on, datetime):
        issued_on = timezone.localdate(issued_on)
    return f"{organ_id},{issued_on:%Y/%m/%d},{notation.strip()}"


def parse_document_identifier(raw: str) -> DocumentIdentifier:
    """The parts of an identifier; ValueError when it is not of the axis form."""
    match = _FORM.fullmatch((raw or "").strip())
    if match is None:
        raise ValueError(f"not an axis document identifier: {raw!r}")
    issued = date(int(match["y"]), int(match["m"]), int(match["d"]))
    return DocumentIdentifier(match["organ"], issued, match["notation"].strip())


def outgoing_identifier(document: OutgoingDocument) -> str:
    """The identifier of one of our issued documents; "" before it is issued."""
    if not document.issued_at or not document.notation:
        return ""
    return document_identifier(organ_id=document.agency.code, issued_on=document.issued_at,
                               notation=document.notation)


def outgoing_by_identifier(identifier: str) -> OutgoingDocument | None:
    """Our issued document the identifier names (any of our agencies), or None.

    Callers scope the answer themselves (a delivery to the caller's agency, a copy's agency)."""
    try:
        parts = parse_document_identifier(identifier)
    except ValueError:
        return None
    candidates = (
        OutgoingDocument.objects.with_scopes_disabled()
        .filter(agency__code=parts.organ_id, notation=parts.notation, state=OutgoingState.ISSUED)
        .select_related("agency")
    )
    for document in candidates:
        if timezone.localdate(document.issued_at) == parts.issued_on:
            return document
    return None
