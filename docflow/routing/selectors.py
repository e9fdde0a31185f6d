"""Reading incoming copies inside the active agency scope: work lists, detail, history, deadlines.

Every list is a queryset in ``LIST_ORDERING`` (newest arrival first) that costs one query
whatever its length: a row needs only the copy's own columns and its lead (a join).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from docflow.audit.models import AuditEvent
from docflow.audit.selectors import events_for_object
from docflow.core.errors import NotFound
from docflow.core.search import search_filter
from docflow.routing.models import (
    HANDLING_STATUSES,
    AgencyHandlingSettings,
    Assignment,
    AssignmentRole,
    HandlingNote,
    IncomingAttachment,
    IncomingDocument,
    Status,
    overdue_q,
)
from docflow.routing.status import INCOMING_OBJECT
from docflow.core.scoping import current_agency_id
from docflow.tenancy.selectors import agency_history_scope

LIST_ORDERING = ("-delivered_at", "-id")
# What a list row reads: the envelope without its content, the registration, the deadline.
ROW_FIELDS = (
    "id", "status_code", "sender_code", "sender_name", "number", "notation",
    "issued_on", "doc_type", "subject", "urgency", "secrecy", "delivered_at", "incoming_year",
    "incoming_number", "received_at", "due_date", "completed_at",
    "lead__id", "lead__username", "lead__full_name", "lead__first_name", "lead__last_name",
)
# A list row as plain values (no model instances): what the API pages and writes.
ROW_VALUES = tuple(f for f in ROW_FIELDS if f != "lead__id")
WORK_LISTS = ("to_accept", "to_approve", "to_handle", "informed", "overdue", "due_soon", "all")
HANDLER_ROLES = (AssignmentRole.LEAD, AssignmentRole.COORDINATOR)
# A recalled copy (15) leaves every work list; it stays in "all" and in its history.
HIDDEN_BY_DEFAULT = (Status.RECALL_ACCEPTED,)


def handling_settings(*, agency_id: int) -> AgencyHandlingSettings:
    """The agency's handling settings; the defaults (unsaved) when it never changed them."""
    found = AgencyHandlingSettings.objects.filter(agency_id=agency_id).first()
    return found or AgencyHandlingSettings(agency_id=agency_id)


def incoming_list(
    *,
    user_id: int,
    work_list: str = "",
    mine: bool = False,
    status: Sequence[str] = (),
    urgency: Sequence[str] = (),
    sender: str = "",
    q: str = "",
    received_from: date | None = None,
    received_to: date | None = None,
    due_before: date | None = None,
    today: date | None = None,
) -> QuerySet[IncomingDocument]:
    """The incoming copies of the scoped agency in one work list, filtered.

    Lists: ``to_accept`` (01 arrived, 13 recall to answer: the clerk's), ``to_approve`` (03,
    waiting for a leader's assignment), ``to_handle`` (04/05 where ``user_id`` leads or
    co-ordinates), ``informed`` (where ``user_id`` is informed), ``overdue`` and ``due_soon``
    (the agency's; only ``user_id``'s with ``mine``), ``all`` (recalled copies included); no
    list: everything but recalled copies. ``received_*`` bound the arrival day (local time),
    ``due_before`` includes its day, ``q`` matches every word without diacritics.
    """
    today = today or timezone.localdate()
    qs = IncomingDocument.objects.all()
    if work_list == "to_accept":
        qs = qs.filter(status_code__in=(Status.DELIVERED, Status.RECALL_REQUESTED))
    elif work_list == "to_approve":
        qs = qs.filter(status_code=Status.ACCEPTED)
    elif work_list == "to_handle":
        qs = qs.filter(status_code__in=HANDLING_STATUSES, id__in=_assigned(user_id, HANDLER_ROLES))
    elif work_list == "informed":
        qs = qs.filter(id__in=_assigned(user_id, (AssignmentRole.INFORMED,)))
    elif work_list == "overdue":
        qs = qs.filter(_overdue(today))
    elif work_list == "due_soon":
        days = handling_settings(agency_id=current_agency_id()).due_soon_days
        qs = qs.filter(_due_soon(today, days))
    elif work_list and work_list != "all":
        raise ValueError(f"unknown work list {work_list!r}")
    if work_list != "all" and not set(status) & set(HIDDEN_BY_DEFAULT):
        qs = qs.exclude(status_code__in=HIDDEN_BY_DEFAULT)
    if mine:
        qs = qs.filter(id__in=_assigned(user_id, HANDLER_ROLES))
    if status:
        qs = qs.filter(status_code__in=status)
    if urgency:
        qs = qs.filter(urgency__in=urgency)
    if sender:
        qs = qs.filter(sender_code=sender)
    qs = search_filter(qs, q)
    if received_from is not None:
        qs = qs.filter(delivered_at__gte=_start_of(received_from))
    if received_to is not None:
        qs = qs.filter(delivered_at__lt=_start_of(received_to + timedelta(days=1)))
    if due_before is not None:
        qs = qs.filter(due_date__lte=due_before)
    return qs.select_related("lead").only(*ROW_FIELDS).order_by(*LIST_ORDERING)


def incoming_rows(copies: QuerySet[IncomingDocument]) -> QuerySet:
    """A list's rows as named tuples of ``ROW_VALUES``, in the same order (one query)."""
    return copies.values_list(*ROW_VALUES, named=True)


def incoming_overdue(*, user_id: int | None = None, today: date | None = None) -> QuerySet[IncomingDocument]:
    """Copies being handled past their due date: the agency's, or those ``user_id`` handles."""
    qs = IncomingDocument.objects.filter(_overdue(today or timezone.localdate()))
    if user_id is not None:
        qs = qs.filter(id__in=_assigned(user_id, HANDLER_ROLES))
    return qs.select_related("lead").only(*ROW_FIELDS).order_by("due_date", "id")


def incoming_due_soon(
    *, user_id: int | None = None, days: int | None = None, today: date | None = None
) -> QuerySet[IncomingDocument]:
    """Copies being handled due from today to ``days`` ahead (the agency's setting by default)."""
    if days is None:
        days = handling_settings(agency_id=current_agency_id()).due_soon_days
    qs = IncomingDocument.objects.filter(_due_soon(today or timezone.localdate(), days))
    if user_id is not None:
        qs = qs.filter(id__in=_assigned(user_id, HANDLER_ROLES))
    return qs.select_related("lead").only(*ROW_FIELDS).order_by("due_date", "id")


def _person(relation: str) -> tuple[str, ...]:
    """The columns of a user that an answer shows (username and the parts of the full name)."""
    return tuple(f"{relation}__{f}" for f in ("username", "full_name", "first_name", "last_name"))


# What the API's answer of one copy shows, and no more (not its OCR text, not its envelope ids).
DETAIL_FIELDS = (
    *ROW_FIELDS, "agency_id", "content", "place", "signer_name", "signer_position",
    "sender_due_date", "replaces_notation", "response_for_notation", "response_for_document_id",
    "register__name", *_person("received_by"), "rejected_reason", "completion_note",
    "reply_outgoing__id", "reply_outgoing__notation", "recall_reason",
)
DETAIL_RELATED = {
    "attachments": ("id", "incoming_id", "name", "size", "content_type", "file__sha256",
                    "file__verification__signatures", "stamped_sha256", "is_main"),
    "assignments": ("id", "incoming_id", *_person("user"), "role", "instruction", "due_date",
                    "is_active", *_person("assigned_by"), "created_at"),
    "notes": ("id", "incoming_id", "kind", "text", *_person("author"), "created_at"),
}
HISTORY_FIELDS = ("id", "created_at", "action", *_person("actor"), "actor_label", "state_before",
                  "state_after", "data")


def incoming_detail(*, incoming_id: UUID, answer_only: bool = False) -> IncomingDocument:
    """One copy with everything its page shows, in a fixed number of queries; ``history`` is
    set to its audit events in order. NotFound outside the scoped agency. A copy that an agency
    merged into this one kept (its closed history) is read too: only read, services still
    look copies up in the agency's own scope. ``answer_only``: only the columns the API's
    answer shows (``DETAIL_FIELDS``) are read, of the copy and of its related rows."""
    incoming = _incoming_detail(incoming_id, answer_only)
    agency_id = current_agency_id()
    if incoming is None and isinstance(agency_id, int):
        with agency_history_scope(agency_id=agency_id):
            incoming = _incoming_detail(incoming_id, answer_only)
    if incoming is None:
        raise NotFound("Không tìm thấy văn bản đến.")
    return incoming


def _incoming_detail(incoming_id: UUID, answer_only: bool) -> IncomingDocument | None:
    related = {
        # The file's verification comes along: signatures shown at no extra query per file.
        "attachments": IncomingAttachment.objects.select_related("file__verification"),
        "assignments": Assignment.objects.select_related("user", "assigned_by").order_by(
            "-is_active", "created_at", "id"
        ),
        "notes": HandlingNote.objects.select_related("author"),
    }
    copies = IncomingDocument.objects.filter(id=incoming_id).select_related(
        "lead", "received_by", "register", "reply_outgoing"
    )
    if answer_only:
        related = {name: qs.only(*DETAIL_RELATED[name]) for name, qs in related.items()}
        copies = copies.only(*DETAIL_FIELDS)
    incoming = copies.prefetch_related(*(Prefetch(name, queryset=qs) for name, qs in related.items())).first()
    if incoming is not None:
        incoming.history = incoming_history(incoming_id=incoming.id,
                                            fields=HISTORY_FIELDS if answer_only else ())
    return incoming


def incoming_history(*, incoming_id: UUID, fields: Sequence[str] = ()) -> list[AuditEvent]:
    """Every step of the copy's life at this agency, oldest first (only ``fields`` read, if given)."""
    events = events_for_object(object_type=INCOMING_OBJECT, object_id=incoming_id)
    return list(events.only(*fields) if fields else events)


def _assigned(user_id: int, roles: Sequence[str]) -> QuerySet:
    return Assignment.objects.filter(user_id=user_id, is_active=True, role__in=roles).values(
        "incoming_id"
    )


def _overdue(today: date) -> Q:
    return overdue_q(today)


def _due_soon(today: date, days: int) -> Q:
    return Q(status_code__in=HANDLING_STATUSES, due_date__gte=today,
             due_date__lte=today + timedelta(days=days))


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def incoming_senders() -> list[tuple[str, str]]:
    """(code, name) of everyone who sent the scoped agency something, by name: a filter's choices."""
    rows = IncomingDocument.objects.order_by("sender_name").values_list("sender_code", "sender_name").distinct()
    return [(code, name) for code, name in rows]


def incoming_copies(*, ids: Sequence) -> QuerySet[IncomingDocument]:
    """The scoped agency's copies with these ids, the latest received first."""
    return IncomingDocument.objects.filter(pk__in=list(ids)).order_by("-received_at")
