"""The sender's side after issuing: each recipient's state, and asking for a recall.

``deliveries_of_document`` reads only the sender's Delivery rows (the status each recipient
sent back), never the recipients' rows. ``document_recall_request`` is the one write here: it
crosses into every recipient agency in bulk, as routing services may.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from docflow.audit.services import EventSpec, events_record
from docflow.core.errors import InvalidState, NotPermitted
from docflow.documents.models import AUDIT_OBJECT, OutgoingDocument, OutgoingState
from docflow.documents.selectors import document_get, document_locked
from docflow.outbox.services import outbox_enqueue
from docflow.routing.status import INCOMING_OBJECT
from docflow.routing.models import Delivery, IncomingDocument, Status
from docflow.tenancy.models import Membership
from docflow.core.services import service

RECALL_NOTIFY_TASK = "notify.document_recall_requested"
# Copies the recipient refused, or whose recall is already decided, are left as they are.
NOT_RECALLABLE = (Status.REJECTED, Status.RECALL_REQUESTED, Status.RECALL_ACCEPTED, Status.RECALL_REFUSED)


def deliveries_of_document(*, document_id: UUID | str) -> QuerySet[Delivery]:
    """The active agency's Delivery rows of one of its documents, in recipient-code order;
    NotFound when the document is not the active agency's."""
    document = document_get(document_id=document_id)
    return Delivery.objects.filter(document_id=document.pk).order_by("recipient_code", "id")


@service
def document_recall_request(*, actor: Membership, document_id: UUID | str, reason: str) -> OutgoingDocument:
    """Ask every recipient to agree to withdraw an issued document (clerk or leader).

    In one transaction: the document records the request; every Delivery and every recipient's
    incoming copy not rejected goes to status 13, the copy keeping its previous status in
    ``status_before_recall`` and the reason in ``recall_reason``; audit events for the sender
    and each recipient; one outbox row to notify the recipients' clerks. Asked once: 409 after.
    """
    document = document_locked(document_id=document_id)
    if not actor.has_role("clerk", "leader"):
        raise NotPermitted(_("Chỉ văn thư hoặc lãnh đạo được yêu cầu thu hồi."))
    if document.state != OutgoingState.ISSUED:
        raise InvalidState(_("Chỉ thu hồi được văn bản đã phát hành."), state=document.state)
    if document.recall_requested_at is not None:
        raise InvalidState(_("Văn bản đã được yêu cầu thu hồi."), state="recall_requested")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Cần ghi lý do thu hồi.")]})
    now = timezone.now()
    document.recall_requested_at, document.recall_requested_by = now, actor.user
    document.recall_reason = reason
    document.save(update_fields=["recall_requested_at", "recall_requested_by", "recall_reason", "updated_at"])
    # Lock the copies before the Delivery rows: the recipient's handling services take
    # them in that order too, so the two never wait on each other in a cycle.
    copies = IncomingDocument.objects.cross_agency("delivery").filter(
        source_document_id=document.pk
    ).exclude(status_code__in=NOT_RECALLABLE)
    recalled = list(copies.select_for_update().values_list("id", "agency_id", "status_code"))
    Delivery.objects.filter(document_id=document.pk).exclude(status_code__in=NOT_RECALLABLE).update(
        status_code=Status.RECALL_REQUESTED, status_note=reason, updated_at=now,
    )
    # The same (now locked) rows in one UPDATE; F() reads the status before it changes.
    copies.update(
        status_before_recall=F("status_code"), status_code=Status.RECALL_REQUESTED,
        recall_reason=reason, updated_at=now,
    )
    _record(document, actor, recalled, reason)
    outbox_enqueue(
        task_name=RECALL_NOTIFY_TASK, queue="notify", dedup_key=f"recall:{document.pk}",
        kwargs={"agency_id": document.agency_id, "document_id": str(document.pk)},
    )
    return document


def _record(document: OutgoingDocument, actor: Membership, recalled: list, reason: str) -> None:
    label = f"{actor.agency.code} {actor.agency.name}"[:255]
    events = [EventSpec(
        agency_id=document.agency_id, action="outgoing.recall_requested", object_type=AUDIT_OBJECT,
        object_id=document.pk, actor_id=actor.user_id, state_before=document.state,
        state_after=document.state, data={"reason": reason, "recipients": len(recalled)},
    )]
    events += [
        EventSpec(
            agency_id=agency_id, action="incoming.recall_requested", object_type=INCOMING_OBJECT,
            object_id=incoming_id, actor_label=label, state_before=status,
            state_after=Status.RECALL_REQUESTED, data={"reason": reason, "notation": document.notation},
        )
        for incoming_id, agency_id, status in recalled
    ]
    events_record(events=events)
