"""Recipients' copies (văn bản đến), created in one place for every way a document arrives.

Internal issue (``routing.issuing``) and the exchange's inbound documents both end here: the
copies, each copy's references to the files (content shared by SHA-256, never by row), and one
``incoming.delivered`` audit event per copy, as one statement per table (``core.bulk``: COPY
on PostgreSQL). Rows of several
agencies are written at once on purpose — this is routing's job, and each row names its own
agency. The caller records its own after-commit work (who is notified differs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docflow.audit.services import EventSpec, events_record
from docflow.core.bulk import instances_like, rows_copy
from docflow.core.ids import uuid7
from docflow.documents.identifier import copy_identifier
from docflow.routing.models import IncomingAttachment, IncomingDocument, Status
from docflow.routing.texts import copy_texts_store
from docflow.routing.status import INCOMING_OBJECT

PDF = "application/pdf"


@dataclass(frozen=True)
class CopyFile:
    """A file every copy carries; ``is_main`` for the document itself (văn bản chính)."""

    name: str
    sha256: str
    size: int
    content_type: str
    is_main: bool = False


def main_file_marked(files: list[CopyFile]) -> list[CopyFile]:
    """Files of a sender that does not say which is the document itself: the first PDF is, as
    the national axis carries the document first."""
    if any(f.is_main for f in files):
        return files
    first_pdf = next((i for i, f in enumerate(files) if f.content_type == PDF), None)
    return [
        CopyFile(f.name, f.sha256, f.size, f.content_type, is_main=i == first_pdf)
        for i, f in enumerate(files)
    ]


def copy_texts_set(copies: list[IncomingDocument]) -> None:
    """Store the search texts of new copies (one INSERT) and point each copy to its own: the
    text is folded once per distinct envelope (10,000 folds of the same text were a quarter of
    an issue's time) and stored once (``CopyText``)."""
    texts: dict[tuple, str] = {}
    for copy in copies:
        envelope = copy.search_envelope()
        if envelope not in texts:
            texts[envelope] = copy.build_search_text()
    stored = copy_texts_store(texts.values(), purpose="delivery")
    for copy in copies:
        copy.search_id = stored[texts[copy.search_envelope()]]


def incoming_copies_deliver(
    *, copies: list[IncomingDocument], files: list[CopyFile], sender_label: str, event_data: dict[str, Any]
) -> None:
    """Insert the copies (status 01, their search text stored here, and the axis identifier of
    the document when the caller gave none: internal issue), every file for each, the main file
    first, and each copy's "incoming.delivered" event; one statement per table whatever the count."""
    if not copies:
        return
    copy_texts_set(copies)
    # The copies of one delivery share their envelope: the identifier is made once per
    # distinct envelope, not once per recipient.
    identifiers: dict[tuple, str] = {}
    for copy in copies:
        if not copy.exchange_document_id:
            key = (copy.sender_code, copy.issued_on, copy.notation)
            if key not in identifiers:
                identifiers[key] = copy_identifier(
                    sender_code=copy.sender_code, issued_on=copy.issued_on, notation=copy.notation)
            copy.exchange_document_id = identifiers[key]
    rows_copy(IncomingDocument, copies, purpose="delivery")
    ordered = sorted(files, key=lambda f: not f.is_main)
    templates = [
        IncomingAttachment(name=f.name, file_id=f.sha256, size=f.size, content_type=f.content_type,
                           is_main=f.is_main)
        for f in ordered
    ]
    # One template per file, cloned for every copy (the main file first in each copy's rows).
    attachments = [
        instances_like(template, [{"id": uuid7(), "agency_id": copy.agency_id, "incoming_id": copy.id}
                                  for copy in copies])
        for template in templates
    ]
    rows_copy(IncomingAttachment, [row for rows in zip(*attachments) for row in rows], purpose="delivery")
    datas: dict[str, dict[str, Any]] = {}  # one dict per notation: the events share it
    label = sender_label[:255]
    events_record(events=[
        EventSpec(
            agency_id=copy.agency_id, action="incoming.delivered", object_type=INCOMING_OBJECT,
            object_id=copy.id, actor_label=label, state_after=Status.DELIVERED,
            data=datas.setdefault(copy.notation, {"notation": copy.notation, **event_data}),
        )
        for copy in copies
    ])
