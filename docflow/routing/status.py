"""Status back to the sender: a recipient's step reaches the sender in the same transaction.

Every change of an incoming copy's status goes through ``status_report``, called by the
handling service inside its transaction after it saved the copy. It writes, all or nothing:

- at the recipient: the audit event of the step (before → after);
- at a sender inside Docflow: the Delivery row (found by ``IncomingDocument.source_delivery_id``
  in the sender's scope, opened explicitly), an audit event on the sender's outgoing document
  naming the recipient agency, and notifications to the document's drafter and issuing clerk
  (a refusal each on its own and emailed; every other step gathered into one notification per
  document, person and hour, the per-recipient detail being on the tracking page);
- for a sender outside Docflow (no Delivery row): a ``StatusReport`` row, which the exchange
  package sends back and marks sent. Nothing here talks to the outside.

The sender's Delivery shows the last status *reported*, which is the copy's own status except
after a refused recall: the recipient goes back to its working status and reports 16
(see ``handling.incoming_recall_decide``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from docflow.audit.models import AuditEvent
from docflow.audit.services import EventSpec, events_record
from docflow.core.scoping import rls_purpose
from docflow.documents.models import OutgoingDocument
from docflow.notifications.services import notification_create, notification_gather
from docflow.outbox.services import outbox_enqueue
from docflow.routing.models import Delivery, IncomingDocument, Status, StatusReport
from docflow.tenancy.models import Agency

INCOMING_OBJECT = "incoming_document"
OUTGOING_OBJECT = "outgoing_document"
SENDER_STATUS_ACTION = "delivery.status"
SENDER_STATUS_KIND = "delivery_status"
EXCHANGE_STATUS_TASK = "exchange.status_push"
# The sender is emailed when a recipient refuses something; other steps are in-app only.
EMAILED_STATUSES = frozenset({Status.REJECTED, Status.RECALL_REFUSED})


@rls_purpose("status")  # the sender's delivery row, events and people
def status_report(
    *,
    incoming: IncomingDocument,
    action: str,
    state_before: str,
    actor_id: int | None,
    reported_status: str | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record ``incoming``'s step at both ends; returns the recipient's audit event.

    ``incoming`` is already saved with its new status; ``reported_status`` (default: that
    status) is what the sender sees, ``note`` travels with it (a rejection's reason). Must run
    inside the caller's transaction: the sender's rows commit or roll back with the copy.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("status_report must run inside the transaction that changed the copy")
    reported = reported_status or incoming.status_code
    events = [
        EventSpec(
            agency_id=incoming.agency_id, action=action, object_type=INCOMING_OBJECT,
            object_id=incoming.id, actor_id=actor_id, state_before=state_before,
            state_after=incoming.status_code, data=data or {},
        )
    ]
    delivery = _locked_delivery(incoming)
    if delivery is None:
        report = StatusReport.objects.with_scope(agency=incoming.agency_id).create(
            agency_id=incoming.agency_id, incoming=incoming, sender_code=incoming.sender_code,
            status_code=reported, note=note,
        )
        if incoming.sender_agency_id is not None:
            # An external sender on record: the exchange sends the report (named, not imported).
            outbox_enqueue(
                task_name=EXCHANGE_STATUS_TASK, queue="delivery",
                kwargs={"agency_id": incoming.agency_id, "report_id": str(report.id)},
            )
    else:
        delivery.recipient_due_date, delivery.completed_at = incoming.due_date, incoming.completed_at
        events.append(_delivery_change(delivery, reported, note, incoming.agency))
    recorded = events_record(events=events)
    if delivery is not None:
        _notify_sender(delivery=delivery, event=recorded[1], recipient_name=incoming.agency.name)
    return recorded[0]


@rls_purpose("status")  # the sender's delivery row, events and people
def external_status_record(*, delivery: Delivery, reported: str, note: str) -> AuditEvent:
    """A recipient outside Docflow reported ``reported`` through the exchange: the sender's
    Delivery row, its audit event and notifications, as for a copy inside Docflow.

    ``delivery`` is locked by the caller, inside its transaction.
    """
    if reported == Status.COMPLETED and delivery.completed_at is None:
        delivery.completed_at = timezone.now()
    event = events_record(
        events=[_delivery_change(delivery, reported, note, delivery.recipient_agency)]
    )[0]
    _notify_sender(delivery=delivery, event=event, recipient_name=delivery.recipient_name)
    return event


@rls_purpose("status")  # the sender's delivery row, events and people
def delivery_due_date_report(*, incoming: IncomingDocument) -> None:
    """The copy's due date changed with no change of status (a new assignment at 04/05): the
    sender's Delivery row learns it, in the caller's transaction. Nothing for external senders."""
    delivery = _locked_delivery(incoming)
    if delivery is not None and delivery.recipient_due_date != incoming.due_date:
        delivery.recipient_due_date = incoming.due_date
        delivery.save(update_fields=["recipient_due_date", "updated_at"])


def _delivery_change(delivery: Delivery, reported: str, note: str, recipient: Agency) -> EventSpec:
    """Set the sender's row to what the recipient reported; returns the sender's event to record."""
    delivery_before = delivery.status_code
    delivery.status_code = reported
    delivery.status_note = note
    delivery.save(update_fields=[
        "status_code", "status_note", "recipient_due_date", "completed_at", "updated_at",
    ])
    return EventSpec(
        agency_id=delivery.agency_id, action=SENDER_STATUS_ACTION,
        object_type=OUTGOING_OBJECT, object_id=delivery.document_id,
        actor_label=recipient.name, state_before=delivery_before, state_after=reported,
        data={
            "recipient_agency_id": recipient.pk, "recipient_code": recipient.code,
            "recipient_name": recipient.name, "delivery_id": str(delivery.id),
            "status_code": reported, "note": note,
        },
    )


def _locked_delivery(incoming: IncomingDocument) -> Delivery | None:
    """The sender's row for this copy, locked; None for a sender outside Docflow."""
    if incoming.sender_agency_id is None or incoming.source_delivery_id is None:
        return None
    return (
        Delivery.objects.with_scope(agency=incoming.sender_agency_id)
        .select_for_update()
        .filter(id=incoming.source_delivery_id)
        .first()
    )


def _notify_sender(*, delivery: Delivery, event: AuditEvent, recipient_name: str) -> None:
    """The sender's drafter and issuing clerk learn the new status, once per event and person."""
    people = (
        OutgoingDocument.objects.with_scope(agency=delivery.agency_id)
        .filter(id=delivery.document_id)
        .values_list("drafter_id", "issued_by_id", "notation")
        .first()
    )
    if people is None:
        return
    drafter_id, issued_by_id, notation = people
    about = {"agency_id": delivery.agency_id, "kind": SENDER_STATUS_KIND,
             "object_type": OUTGOING_OBJECT, "object_id": delivery.document_id}
    if delivery.status_code not in EMAILED_STATUSES:
        notification_gather(
            **about, recipient_ids=(drafter_id, issued_by_id), part=str(delivery.id),
            state=[delivery.status_code, recipient_name],
            title=lambda parts: gathered_status_title(parts, notation),
        )
        return
    for user_id in dict.fromkeys(u for u in (drafter_id, issued_by_id) if u is not None):
        notification_create(
            **about, recipient_id=user_id,
            title=f"{recipient_name}: {Status(delivery.status_code).label} văn bản {notation}",
            body=delivery.status_note, dedup_key=f"{SENDER_STATUS_KIND}:{event.id}:{user_id}",
        )


def gathered_status_title(parts: dict[str, list[str]], notation: str) -> str:
    """One recipient: its step; several: how many, by their last status in the hour
    ("16 cơ quan đã cập nhật trạng thái văn bản 12/UBND-VP: 10 đã tiếp nhận, 6 hoàn thành")."""
    if len(parts) == 1:
        [(code, name)] = parts.values()
        return f"{name}: {Status(code).label} văn bản {notation}"
    counts = Counter(code for code, _name in parts.values())
    summary = ", ".join(f"{n} {Status(code).label.lower()}" for code, n in sorted(counts.items()))
    return f"{len(parts)} cơ quan đã cập nhật trạng thái văn bản {notation}: {summary}"
