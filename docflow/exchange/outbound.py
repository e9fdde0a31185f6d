"""What goes out to external agencies: documents our agencies issued to them, and the statuses
our agencies reached on documents they sent us. Both are read by pull and pushed by webhook.

These selectors read across our agencies for one external agency, the exchange's one
cross-agency view: always filtered by that external agency, never by the caller's choice.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from docflow.audit.models import AuditEvent
from docflow.core.errors import NotFound
from docflow.core.services import service_transaction
from docflow.documents.models import Attachment
from docflow.documents.files import stored_file_open
from docflow.documents.pdf import official_pdf_filename
from docflow.exchange.clients import client_for_webhook
from docflow.exchange.edxml_render import edxml_render
from docflow.exchange.edxml_status import status_package_render
from docflow.exchange.edxml_tables import BUSINESS_TYPES
from docflow.exchange.identifier import incoming_identifier, outgoing_identifier
from docflow.exchange.xmldsig import agency_credential
from docflow.exchange.models import WebhookEvent
from docflow.exchange.webhooks import webhook_post
from docflow.routing.models import STATUS_SLUGS, Delivery, IncomingDocument, Status, StatusReport
from docflow.tenancy.models import Agency, Membership, User
from docflow.routing.status import INCOMING_OBJECT


def _url(name: str, **kwargs) -> str:
    return settings.DOCFLOW_SITE_URL + reverse(f"api:{name}", kwargs=kwargs)


# Documents out ------------------------------------------------------------------------------

def sent_deliveries(*, external_agency_id: int) -> QuerySet[Delivery]:
    """Every delivery of an issued document to this external agency, from any of our agencies."""
    return (
        Delivery.objects.cross_agency("exchange")
        .filter(recipient_agency_id=external_agency_id)
        .select_related("document", "document__agency", "document__signed_by", "document__signer")
        .prefetch_related(Prefetch(
            "document__attachments",
            queryset=Attachment.objects.cross_agency("exchange").order_by("created_at", "id"),
        ))
    )


def sent_delivery_get(*, external_agency_id: int, document_id: UUID | str) -> Delivery:
    """The delivery of document ``document_id`` to this external agency; NotFound otherwise."""
    try:
        UUID(str(document_id))
    except ValueError:
        raise NotFound("Không tìm thấy văn bản.") from None
    delivery = sent_deliveries(external_agency_id=external_agency_id).filter(document_id=document_id).first()
    if delivery is None:
        raise NotFound("Không tìm thấy văn bản.")
    return delivery


def document_envelope(delivery: Delivery) -> dict[str, Any]:
    """The exchange envelope (API.md) of an issued document, with links to its files."""
    document = delivery.document
    sender = document.agency
    signer = document.signed_by or document.signer
    return {
        "id": document.id,
        "sender_code": sender.code, "sender_name": sender.name,
        "recipients": list(document.recipient_codes),
        "number": document.number, "notation": document.notation,
        "issued_at": timezone.localdate(document.issued_at) if document.issued_at else None,
        "place": sender.place, "doc_type": document.doc_type, "subject": document.subject,
        "content": document.body, "urgency": document.urgency,
        "signer": {
            "full_name": signer.get_full_name() if signer else "",
            "position": document.signer_position, "competence": document.signer_authority,
        },
        "due_date": document.due_date,
        "status_code": delivery.status_code,
        "delivered_at": delivery.created_at,
        "attachments": [
            {
                "id": a.id, "name": a.name, "size": a.size, "content_type": a.content_type,
                "sha256": a.file_id,
                "url": _url("exchange-document-attachment", pk=document.id, attachment_id=a.id),
            }
            for a in document.attachments.all()
        ],
        "pdf_url": _url("exchange-document-pdf", pk=document.id),
        "edxml_url": _url("exchange-document-edxml", pk=document.id),
        "document_id": outgoing_identifier(document),
    }


def _organ(agency: Agency) -> dict[str, str]:
    """An agency as an edXML From/To organ (the directory knows its code, name and place)."""
    in_charge = agency.parent.name if agency.parent_id else agency.name
    return {"OrganId": agency.code, "OrganName": agency.name, "OrganizationInCharge": in_charge,
            "OrganAdd": agency.place}


def _staff(user: User | None, agency_id: int) -> dict[str, str]:
    """StaffInfo of a person of our agency: their unit as Department."""
    if user is None:
        return {}
    membership = (
        Membership.objects.cross_agency("exchange").select_related("unit")
        .filter(agency_id=agency_id, user_id=user.pk).first()
    )
    return {"Department": membership.unit.name if membership and membership.unit_id else "",
            "Staff": user.get_full_name() or user.username, "Mobile": "", "Email": user.email or ""}


def delivery_package(delivery: Delivery, *, business: str = "new") -> bytes:
    """The edXML package (axis form) of our document to one external recipient: the official
    signed PDF first, then the attachments, the Bussiness block ``business`` (new, revocation,
    update, replacement — a replacement names the document it replaces), signed with the
    agency's key when it has one here (docs/SIGNING.md)."""
    document = delivery.document
    envelope = document_envelope(delivery)
    envelope["sender"] = _organ(document.agency)
    envelope["external_places"] = list(document.external_places or [])
    organs = Agency.objects.filter(code__in=envelope["recipients"]).select_related("parent")
    envelope["recipient_organs"] = [_organ(a) for a in organs]
    if document.reply_to_incoming_id:
        answered = IncomingDocument.objects.cross_agency("exchange").filter(pk=document.reply_to_incoming_id).first()
        if answered is not None and answered.issued_on:
            envelope["reply_to"] = {
                "sender_code": answered.sender_code, "notation": answered.notation,
                "issued_at": answered.issued_on,
                "document_id": incoming_identifier(answered),
            }
    files = []
    if document.pdf_sha256:
        with stored_file_open(sha256=document.pdf_sha256) as fh:
            files.append((official_pdf_filename(document), "application/pdf", fh.read()))
    for a in document.attachments.all():
        with stored_file_open(sha256=a.file_id) as fh:
            files.append((a.name, a.content_type, fh.read()))
    kind = BUSINESS_TYPES[business]
    block: dict[str, Any] = {"type": kind, "staff": _staff(document.issued_by, document.agency_id)}
    if business == "revocation":
        block["reason"] = document.recall_reason
    elif business == "replacement" and document.replaces_id:
        block["concerns"] = [outgoing_identifier(document.replaces)]
        block["organs"] = envelope["recipients"]
    elif business == "update":
        block["concerns"] = [envelope["document_id"]]
    return edxml_render(
        envelope=envelope, trace=[(envelope["sender_code"], delivery.created_at)], attachments=files,
        business=block, credential=agency_credential(document.agency_id),
    )


def delivery_push(
    *, agency_id: int, document_id: UUID | str, external_agency_id: int, attempt: int = 1
) -> bool:
    """Push our agency's document to the external agency's webhook; False when it only pulls.

    The message id is the delivery's id, the same on every attempt. Raises WebhookFailed
    (logged) when the receiver does not take it.
    """
    client = client_for_webhook(external_agency_id=external_agency_id)
    if client is None:
        return False
    delivery = (
        sent_deliveries(external_agency_id=external_agency_id)
        .filter(agency_id=agency_id, document_id=document_id).first()
    )
    if delivery is None:
        return False  # not a delivery of that agency to that external agency
    webhook_post(
        client=client, agency_id=agency_id, event=WebhookEvent.DOCUMENT, message_id=delivery.id,
        object_id=delivery.document_id, attempt=attempt,
        payload={"event": WebhookEvent.DOCUMENT, "id": delivery.id, "document": document_envelope(delivery)},
    )
    return True


# Statuses out -------------------------------------------------------------------------------

def status_feed(*, external_agency_id: int) -> QuerySet[StatusReport]:
    """Statuses our agencies reported on documents this external agency sent them."""
    return (
        StatusReport.objects.cross_agency("exchange")
        .filter(incoming__sender_agency_id=external_agency_id)
        .select_related("agency", "incoming")
    )


def status_messages(reports: list[StatusReport]) -> list[dict[str, Any]]:
    """The status messages of ``reports``; who acted comes from the step's audit event (one query)."""
    staff = _staff_names(reports)
    return [
        {
            "id": r.id, "document_id": r.incoming.source_document_id,
            "recipient_code": r.agency.code, "recipient_name": r.agency.name,
            "notation": r.incoming.notation, "status_code": r.status_code,
            "status": STATUS_SLUGS[Status(r.status_code)],
            "description": r.note or str(Status(r.status_code).label),
            "staff": staff.get(r.id, ""), "timestamp": r.created_at,
        }
        for r in reports
    ]


def _staff_names(reports: list[StatusReport]) -> dict[UUID, str]:
    return {rid: user.get_full_name() for rid, user in _actors(reports).items()}


def _actors(reports: list[StatusReport]) -> dict[UUID, User]:
    """Who took each report's step: the actor of the step's audit event (one query)."""
    if not reports:
        return {}
    events = (
        AuditEvent.objects.cross_agency("exchange")
        .filter(object_type=INCOMING_OBJECT, object_id__in={r.incoming_id for r in reports},
                actor__isnull=False)
        .select_related("actor").order_by("created_at", "id")
    )
    by_step: dict[tuple, list[AuditEvent]] = {}
    for event in events:
        by_step.setdefault((event.object_id, event.state_after), []).append(event)
    names = {}
    for report in reports:
        # The step's event is written in the report's transaction: the closest one in time.
        candidates = by_step.get((report.incoming_id, report.status_code), [])
        if candidates:
            event = min(candidates, key=lambda e: abs((e.created_at - report.created_at).total_seconds()))
            names[report.id] = event.actor
    return names


def report_status_package(report: StatusReport) -> bytes:
    """The edXML status package of one status our agency reached on an external sender's
    document: ResponseFor names it by its axis identifier, From is our agency, StaffInfo the
    person who acted (their unit as Department); signed with the agency's key when it has one."""
    copy, agency = report.incoming, report.agency
    actor = _actors([report]).get(report.id)
    return status_package_render(
        response_for={
            "sender_code": copy.sender_code, "notation": copy.notation, "issued_at": copy.issued_on,
            "document_id": incoming_identifier(copy),
        },
        sender=_organ(agency), status_code=report.status_code,
        description=report.note or str(Status(report.status_code).label),
        timestamp=report.created_at, staff=_staff(actor, agency.pk),
        credential=agency_credential(agency.pk),
    )


def status_report_push(*, agency_id: int, report_id: UUID | str, attempt: int = 1) -> bool:
    """Send one status report to its external sender's webhook, then mark it sent.

    Without a webhook the report is marked sent at once: it waits in the pull feed.
    Raises WebhookFailed (logged) when the receiver does not take it.
    """
    report = (
        StatusReport.objects.with_scope(agency=agency_id)
        .select_related("agency", "incoming").filter(id=report_id).first()
    )
    if report is None or report.incoming.sender_agency_id is None:
        return False
    client = client_for_webhook(external_agency_id=report.incoming.sender_agency_id)
    if client is not None:
        message = status_messages([report])[0]
        webhook_post(
            client=client, agency_id=agency_id, event=WebhookEvent.STATUS, message_id=report.id,
            object_id=report.incoming_id, attempt=attempt,
            payload={"event": WebhookEvent.STATUS, "id": report.id, "status": message},
        )
    with service_transaction():
        StatusReport.objects.with_scope(agency=agency_id).filter(
            id=report.id, sent_at__isnull=True
        ).update(sent_at=timezone.now())
    return client is not None
