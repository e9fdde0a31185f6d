"""Reads of outgoing documents, their attachments and the approval chain; always one agency's.

Every function reads through the tenant managers, so it sees only the active agency's rows: an
id of another agency is simply not found (404 at the API). The ``*_read`` ones, for pages and
downloads only, also find what an agency merged into the active one issued (its history).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet

from docflow.core.errors import NotFound
from docflow.core.scoping import current_agency_id
from docflow.core.text import fold
from docflow.documents.models import (
    ApprovalRole,
    ApprovalStep,
    Attachment,
    OutgoingDocument,
    OutgoingState,
)
from docflow.tenancy.models import Membership
from docflow.tenancy.selectors import agency_history_scope

T = TypeVar("T")

DEFAULT_CHAIN = [{"label": "Lãnh đạo ký duyệt", "role": ApprovalRole.LEADER.value, "positions": []}]


def _valid_uuid(value) -> UUID | None:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def documents_list(*, state: str = "") -> QuerySet[OutgoingDocument]:
    """The active agency's outgoing documents (drafts and issued), newest first."""
    qs = OutgoingDocument.objects.select_related(
        "unit", "drafter", "signer", "signed_by", "replaces"
    ).order_by("-created_at", "-id")
    if state:
        qs = qs.filter(state=state)
    return qs


def approval_queue(*, member: Membership) -> QuerySet[OutgoingDocument]:
    """Documents waiting at a step this member may approve, oldest first: ``may_approve_step``
    as a filter on the waiting step's columns, so the queue has no length limit."""
    may = Q(pk__in=[])
    if member.is_leader:
        may |= Q(awaiting_role=ApprovalRole.LEADER) & (
            Q(awaiting_signer_only=False) | Q(signer_id=member.user_id))
    if member.unit_id:
        unit_head = Q(awaiting_role=ApprovalRole.UNIT_HEAD, unit_id=member.unit_id)
        if not member.is_leader:
            position = fold(member.position)
            if not position:
                return OutgoingDocument.objects.none()
            unit_head &= Q(awaiting_positions__contains=f"|{position}|")
        may |= unit_head
    if not member.is_active:
        return OutgoingDocument.objects.none()
    return documents_list(state=OutgoingState.PENDING_APPROVAL).filter(may).order_by("updated_at", "id")


def document_detail_queryset() -> QuerySet[OutgoingDocument]:
    """One document with everything its detail shows, in a fixed number of queries."""
    return OutgoingDocument.objects.select_related(
        "unit", "drafter", "signer", "signed_by", "issued_by", "replaces", "replaced_by",
        "recall_requested_by",
    ).prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "id"))
    )


# What a document of the API's list shows, and no more: its own columns, the usernames and symbol
# of its people and unit, the notation it replaces, the id of its replacement.
LIST_FIELDS = (
    "id", "agency_id", "state", "doc_type", "subject", "body", "urgency", "secrecy", "unit__symbol",
    "drafter__username", "signer__username", "signer_authority", "signer_position",
    "recipient_codes", "external_places", "due_date", "approval_chain", "current_step",
    "return_comment", "signed_by__username", "signed_at", "number", "notation", "issued_at",
    "replaces__notation", "replaced_by__id", "recall_requested_at", "recall_reason", "pdf_sha256",
    "approved_pdf_sha256", "created_at", "updated_at",
)
ATTACHMENT_FIELDS = ("id", "document_id", "name", "size", "file_id", "content_type", "created_at")


# Where a document of ``document_list_queryset`` keeps its attachments, in order: a plain list.
# Prefetched into the ``attachments`` manager instead, Django builds a queryset per document to
# hold them (1.5 ms of a 50-document page, bench/load/cpu_profile.py).
ANSWER_ATTACHMENTS = "answer_attachments"


def document_list_queryset() -> QuerySet[OutgoingDocument]:
    """The documents of a list page as the API shows them, the columns it shows only (its
    attachments in one more query, as the list ``ANSWER_ATTACHMENTS``): the same answer as
    ``document_detail_queryset``'s rows."""
    return OutgoingDocument.objects.select_related(
        "unit", "drafter", "signer", "signed_by", "replaces", "replaced_by"
    ).only(*LIST_FIELDS).prefetch_related(
        Prefetch("attachments", to_attr=ANSWER_ATTACHMENTS,
                 queryset=Attachment.objects.only(*ATTACHMENT_FIELDS).order_by("created_at", "id"))
    )


def document_get(*, document_id, answer_only: bool = False) -> OutgoingDocument:
    """The active agency's document with this id; NotFound otherwise (another agency's too).
    ``answer_only``: the columns the API's answer shows (``document_list_queryset``), for the
    API's detail and the answer after each write. The detail's ten joined tables cost
    PostgreSQL 4.3 ms to plan (0.2 ms to run), the list's seven 1.1 ms."""
    pk = _valid_uuid(document_id)
    queryset = document_list_queryset() if answer_only else document_detail_queryset()
    document = queryset.filter(pk=pk).first() if pk else None
    if document is None:
        raise NotFound("Không tìm thấy văn bản.")
    return document


def document_read(*, document_id, answer_only: bool = False) -> OutgoingDocument:
    """For reading only (its page, the API's detail, its files): the active agency's document,
    else one issued by an agency merged into it. A merger leaves issued documents with their
    agency, as its history; the successor's people open them through the predecessor relation
    (``agency_history_scope``), nobody else. Services keep ``document_get``: acting on a
    predecessor's document is NotFound."""
    return _own_else_predecessors(lambda: document_get(document_id=document_id, answer_only=answer_only))


@contextmanager
def document_read_scope(*, document: OutgoingDocument) -> Iterator[None]:
    """The scope the rest of a document's page reads in (its deliveries, its history): the
    agency's own, widened to its predecessors for one ``document_read`` found of theirs."""
    agency_id = current_agency_id()
    if document.agency_id == agency_id or not isinstance(agency_id, int):
        yield
        return
    with agency_history_scope(agency_id=agency_id):
        yield


def attachment_read(*, document_id, attachment_id) -> Attachment:
    """An attachment of a document ``document_read`` finds (a predecessor's too); NotFound otherwise."""
    return _own_else_predecessors(lambda: attachment_get(document_id=document_id, attachment_id=attachment_id))


def _own_else_predecessors(read: Callable[[], T]) -> T:
    """``read`` in the active agency's scope; when it finds nothing, again in the scope widened
    to the agency's predecessors (no extra query for the agency's own rows)."""
    try:
        return read()
    except NotFound:
        agency_id = current_agency_id()
        if not isinstance(agency_id, int):
            raise
    with agency_history_scope(agency_id=agency_id):
        return read()


def document_locked(*, document_id, related: tuple[str, ...] = ()) -> OutgoingDocument:
    """The active agency's document locked FOR UPDATE (only its own row) for a write in the
    caller's transaction; NotFound like ``document_get``."""
    pk = _valid_uuid(document_id)
    document = (
        OutgoingDocument.objects.select_for_update(of=("self",)).select_related(*related)
        .filter(pk=pk).first() if pk else None
    )
    if document is None:
        raise NotFound("Không tìm thấy văn bản.")
    return document


def attachment_get(*, document_id, attachment_id) -> Attachment:
    """An attachment reached through a document row of the active agency; NotFound otherwise."""
    doc_pk, att_pk = _valid_uuid(document_id), _valid_uuid(attachment_id)
    attachment = None
    if doc_pk and att_pk:
        attachment = (
            Attachment.objects.select_related("file")
            .filter(pk=att_pk, document_id=doc_pk)
            .first()
        )
    if attachment is None:
        raise NotFound("Không tìm thấy tệp đính kèm.")
    return attachment


def approval_chain_of(*, agency_id: int) -> list[dict]:
    """The agency's approval steps as chain entries; one leader step when none is configured."""
    steps = [s.as_chain_entry() for s in ApprovalStep.objects.filter(agency_id=agency_id)]
    return steps or [dict(entry) for entry in DEFAULT_CHAIN]


def may_approve_step(*, member: Membership, document: OutgoingDocument, step: dict, last: bool) -> bool:
    """Whether ``member`` is an approver of ``step`` of ``document``.

    leader: a leader of the agency; at the last (signing) step, the named signer when the draft
    names one. unit_head: a member of the drafting unit who is a leader or holds a listed position.
    """
    if not member.is_active or member.agency_id != document.agency_id:
        return False
    if step["role"] == ApprovalRole.LEADER:
        if last and document.signer_id:
            return member.is_leader and member.user_id == document.signer_id
        return member.is_leader
    if step["role"] == ApprovalRole.UNIT_HEAD:
        if document.unit_id is None or member.unit_id != document.unit_id:
            return False
        return member.is_leader or fold(member.position) in {fold(p) for p in step.get("positions", [])}
    return False


def step_approvers(*, document: OutgoingDocument) -> list[Membership]:
    """Members who may act on the step the document waits at (for notifications)."""
    if document.state != OutgoingState.PENDING_APPROVAL or not document.approval_chain:
        return []
    step = document.approval_chain[document.current_step]
    last = document.current_step == len(document.approval_chain) - 1
    candidates = Membership.objects.filter(is_active=True).select_related("user")
    if step["role"] == ApprovalRole.LEADER:
        candidates = candidates.filter(is_leader=True)
    else:
        candidates = candidates.filter(unit_id=document.unit_id)
    return [
        m for m in candidates
        if may_approve_step(member=m, document=document, step=step, last=last)
    ]
