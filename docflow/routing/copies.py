"""Recipients' copies (văn bản đến), created in one place for every way a document arrives.

Internal issue (``routing.issuing``) and the exchange's inbound documents both end here: the
copies, each copy's references to the files (content shared by SHA-256, never by row), and one
``incoming.delivered`` audit event per copy, as one bulk INSERT per table. Rows of several
agencies are written at once on purpose — this is routing's job, and each row names its own
agency. The caller records its own after-commit work (who is notified differs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docflow.audit.services import EventSpec, events_record
from docflow.core.ids import uuid7
from docflow.documents.identifier import copy_identifier
from docflow.routing.models import IncomingAttachment, IncomingDocument, Status
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


def incoming_copies_deliver(
    *, copies: list[IncomingDocument], files: list[CopyFile], sender_label: str, event_data: dict[str, Any]
) -> None:
    """Insert the copies (status 01, ``search_text`` filled here, and the axis identifier of the
    document when the caller gave none: internal issue), every file for each, the main file
    first, and each copy's "incoming.delivered" event; three INSERTs whatever the count."""
    if not copies:
        return
    for copy in copies:
        copy.search_text = copy.build_search_text()
        copy.exchange_document_id = copy.exchange_document_id or copy_identifier(
            sender_code=copy.sender_code, issued_on=copy.issued_on, notation=copy.notation)
    IncomingDocument.objects.cross_agency("delivery").bulk_create(copies)
    ordered = sorted(files, key=lambda f: not f.is_main)
    IncomingAttachment.objects.cross_agency("delivery").bulk_create([
        IncomingAttachment(
            id=uuid7(), agency_id=copy.agency_id, incoming_id=copy.id, name=f.name, file_id=f.sha256,
            size=f.size, content_type=f.content_type, is_main=f.is_main,
        )
        for copy in copies for f in ordered
    ])
    events_record(events=[
        EventSpec(
            agency_id=copy.agency_id, action="incoming.delivered", object_type=INCOMING_OBJECT,
            object_id=copy.id, actor_label=sender_label[:255], state_after=Status.DELIVERED,
            data={"notation": copy.notation, **event_data},
        )
        for copy in copies
    ])
