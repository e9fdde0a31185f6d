"""Documents that external agencies send us: one incoming copy (status 01) per recipient agency.

The copies carry the same envelope fields as internal delivery fills, so clerks handle them
exactly like documents from inside Docflow; their status goes back through routing's
``StatusReport`` rows, which ``outbound.status_push`` sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from docflow.core.errors import NotPermitted
from docflow.core.ids import uuid7
from docflow.core.services import service_transaction
from docflow.documents.content_checks import upload_check
from docflow.documents.files import (
    StoredPut,
    spooled,
    stored_file_forget_if_orphan,
    stored_file_put,
)
from docflow.documents.signing.verification import PDF as PDF_TYPE
from docflow.documents.signing.verification import verification_work
from docflow.audit.services import EventSpec, events_record
from docflow.documents.models import OutgoingDocument
from docflow.exchange.edxml import Business, Package
from docflow.exchange.edxml_tables import (
    BUSINESS_NEW,
    BUSINESS_REPLACEMENT,
    BUSINESS_REVOCATION,
    BUSINESS_UPDATE,
)
from docflow.exchange.identifier import (
    document_identifier,
    outgoing_by_identifier,
    parse_document_identifier,
)
from docflow.exchange.models import ExchangeClient, InboundDocument
from docflow.notifications.services import Notice, notifications_create
from docflow.outbox.services import outbox_enqueue, outbox_enqueue_many
from docflow.routing.copies import CopyFile, incoming_copies_deliver, main_file_marked
from docflow.routing.models import Delivery, IncomingDocument, Status
from docflow.routing.deliveries import NOT_RECALLABLE
from docflow.routing.issue_notifications import KIND_DELIVERED, KIND_RECALL
from docflow.routing.status import INCOMING_OBJECT
from docflow.tenancy.models import Agency, Membership
from docflow.tenancy.selectors import agencies_for_codes

NOTIFY_TASK = "exchange.inbound_notify"


@dataclass(frozen=True)
class InboundFile:
    name: str
    data: bytes


@dataclass(frozen=True)
class InboundReceipt:
    document: InboundDocument
    copies: list[IncomingDocument]
    received_at: datetime
    duplicate: bool = False  # the same identifier from the same sender was received before
    recall_requested: bool = False  # a revocation: the copies went to 13
    # Old codes the sender used (a merged agency's) and the code that answers them now.
    renamed: dict[str, str] = field(default_factory=dict)


def inbound_document_receive(
    *, client: ExchangeClient, envelope: dict[str, Any], files: list[InboundFile], fmt: str = "json",
    package: Package | None = None,
) -> InboundReceipt:
    """Deliver an external agency's document to each of our recipient agencies, all or nothing.

    ``envelope`` is validated by ``EnvelopeSerializer``; ``package`` is the parsed edXML (its
    identifier, Bussiness block and signature check) when the document came as edXML. 403 when
    the sender code is not the key's agency; 400 on ``recipients`` listing every code that is
    not an agency inside Docflow; 400 on ``attachments`` for a file the content checks refuse
    (the same checks as uploads). Writes the inbound record, the copies, their attachment
    references, an audit event per recipient and the work of notifying their clerks in one
    transaction; stored bytes that no row ends up using are taken back.

    The axis identifier (``OrganId,yyyy/MM/dd,number/notation``, made from the envelope when the
    package names none) is kept on the record and every copy: the same identifier (and Bussiness
    type) from the same sender again is the first document, answered with ``duplicate`` —
    concurrent submissions too (a unique index decides). A revocation (Bussiness 1) delivers
    nothing: the copies of the document it names go to 13 (``inbound_revocation_receive``).
    """
    sender = client.external_agency
    if envelope["sender_code"] != sender.code:
        raise NotPermitted(_("Mã cơ quan gửi phải là mã của cơ quan sở hữu khóa API."))
    business = package.business if package is not None else Business()
    identifier = (package.document_id if package is not None else "") or document_identifier(
        organ_id=sender.code, issued_on=envelope["issued_at"], notation=envelope["notation"])
    if business.doc_type == BUSINESS_REVOCATION:
        return inbound_revocation_receive(
            client=client, document_id=business.document_id or identifier, reason=business.reason)
    recipients, renamed = _recipients(envelope["recipients"])
    first = _received(sender, identifier, business.doc_type)
    if first is not None:
        return first
    puts: list[tuple[str, StoredPut]] = []
    try:
        for i, upload in enumerate(files):
            puts.append(_store(i, upload))
        try:
            with service_transaction():
                receipt = _deliver(client, sender, envelope, recipients, puts, fmt,
                                   identifier=identifier, business=business, package=package)
                receipt.renamed.update(renamed)
                return receipt
        except IntegrityError:
            # Another submission of the same identifier committed first: answer with it.
            first = _received(sender, identifier, business.doc_type)
            if first is None:
                raise
            for _name, put in puts:
                stored_file_forget_if_orphan(put=put)
            return first
    except BaseException:
        for _name, put in puts:
            stored_file_forget_if_orphan(put=put)
        raise


def _received(sender: Agency, identifier: str, business_type: int) -> InboundReceipt | None:
    inbound = InboundDocument.objects.filter(
        external_agency=sender, exchange_document_id=identifier, business_type=business_type,
    ).first()
    if inbound is None:
        return None
    copies = {
        c.agency_id: c for c in IncomingDocument.objects.cross_agency("exchange")
        .filter(source_document_id=inbound.id).select_related("agency")
    }
    ordered = sorted(copies.values(), key=lambda c: inbound.recipient_codes.index(c.agency.code)
                     if c.agency.code in inbound.recipient_codes else len(copies))
    return InboundReceipt(document=inbound, copies=ordered, received_at=inbound.created_at, duplicate=True)


def _concerned(sender: Agency, identifiers: list[str]) -> list[IncomingDocument]:
    """Our copies of the sender's documents with these identifiers (any of our agencies)."""
    if not identifiers:
        return []
    return list(
        IncomingDocument.objects.cross_agency("exchange")
        .filter(sender_agency_id=sender.pk, exchange_document_id__in=identifiers)
        .order_by("delivered_at", "id")
    )


def inbound_revocation_receive(*, client: ExchangeClient, document_id: str, reason: str = "") -> InboundReceipt:
    """The sender asks to revoke a document it sent us: each copy not refused and not already
    answered goes to 13 (the clerk answers with the recall decision, 15 or 16, which goes back
    as status), keeping its status in ``status_before_recall``; an audit event per copy and
    its clerks notified, in one transaction. 400 on ``TraceHeaderList/Bussiness/DocumentId``
    when we hold no document of that sender with that identifier. Asked twice: the second
    changes nothing and says ``duplicate``."""
    sender = client.external_agency
    inbound = InboundDocument.objects.filter(
        external_agency=sender, exchange_document_id=document_id,
    ).order_by("created_at").first()
    if inbound is None:
        raise ValidationError({"TraceHeaderList/Bussiness/DocumentId": [
            _("Không có văn bản nào của nơi gửi với mã định danh %(id)s.") % {"id": document_id}
        ]})
    reason = reason.strip() or _("Nơi gửi thu hồi văn bản.")
    now = timezone.now()
    with service_transaction():
        copies = IncomingDocument.objects.cross_agency("exchange").filter(
            sender_agency_id=sender.pk, exchange_document_id=document_id,
        ).exclude(status_code__in=NOT_RECALLABLE)
        recalled = list(copies.select_for_update().values_list("id", "agency_id", "status_code", "notation"))
        copies.update(
            status_before_recall=F("status_code"), status_code=Status.RECALL_REQUESTED,
            recall_reason=reason, updated_at=now,
        )
        label = f"{sender.code} {sender.name}"[:255]
        events_record(events=[
            EventSpec(
                agency_id=agency_id, action="incoming.recall_requested", object_type=INCOMING_OBJECT,
                object_id=incoming_id, actor_label=label, state_before=status,
                state_after=Status.RECALL_REQUESTED,
                data={"reason": reason, "notation": notation, "exchange_document_id": document_id},
            )
            for incoming_id, agency_id, status, notation in recalled
        ])
        clerks = Membership.objects.cross_agency("exchange").filter(
            agency_id__in={agency_id for _i, agency_id, _s, _n in recalled}, is_clerk=True, is_active=True,
        ).values_list("agency_id", "user_id")
        by_agency = {agency_id: (incoming_id, notation) for incoming_id, agency_id, _s, notation in recalled}
        notifications_create(notices=[
            Notice(
                agency_id=agency_id, user_id=user_id, kind=KIND_RECALL,
                title=_("Yêu cầu thu hồi văn bản %(n)s") % {"n": by_agency[agency_id][1]},
                body=f"{label}: {reason}", object_type=INCOMING_OBJECT, object_id=by_agency[agency_id][0],
                dedup_key=f"{KIND_RECALL}:exchange:{by_agency[agency_id][0]}:{user_id}",
            )
            for agency_id, user_id in clerks
        ])
    copies_now = list(IncomingDocument.objects.cross_agency("exchange").filter(
        sender_agency_id=sender.pk, exchange_document_id=document_id).order_by("delivered_at", "id"))
    return InboundReceipt(document=inbound, copies=copies_now, received_at=now,
                          duplicate=not recalled, recall_requested=True)


def _recipients(codes: list[str]) -> tuple[list[Agency], dict[str, str]]:
    """The recipient agencies (an old code reaches its successor, once) and the old codes renamed."""
    found = agencies_for_codes(codes=codes, internal_only=True)
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationError({"recipients": [
            _("Không có cơ quan nhận trong hệ thống với mã: %(codes)s.") % {"codes": ", ".join(unknown)}
        ]})
    renamed = {code: found[code].code for code in codes if found[code].code != code}
    return list({found[code].pk: found[code] for code in codes}.values()), renamed


def _store(index: int, upload: InboundFile) -> tuple[str, StoredPut]:
    try:
        with spooled([upload.data]) as source:
            checked = upload_check(path=source.path, name=upload.name)
            return checked.name, stored_file_put(source=source, content_type=checked.content_type)
    except ValidationError as exc:
        messages = exc.message_dict.get("file", exc.messages)
        raise ValidationError(
            {"attachments": [f"{upload.name or index + 1}: {message}" for message in messages]}
        ) from None


def _deliver(client, sender, envelope, recipients, puts, fmt, *, identifier: str,
             business: Business, package: Package | None) -> InboundReceipt:
    now = timezone.now()
    signer = envelope["signer"]
    stored = _stored_envelope(envelope)
    if package is not None:
        stored["edxml"] = {
            **package.header, "signature": {"state": package.signature.state, "subject": package.signature.subject,
                          "trusted": package.signature.trusted, "detail": package.signature.trust_detail},
            "business": {"type": business.doc_type, "document_id": business.document_id,
                         "reason": business.reason, "concerns": business.concerns, "staff": business.staff},
        }
    inbound = InboundDocument.objects.create(
        external_agency=sender, client=client, notation=envelope["notation"],
        recipient_codes=[a.code for a in recipients], envelope=stored, fmt=fmt,
        exchange_document_id=identifier, business_type=business.doc_type,
    )
    answered = _answered(envelope.get("reply_to"), sender)
    concerned = _concerned(sender, business.concerns if business.doc_type == BUSINESS_REPLACEMENT
                           else [identifier] if business.doc_type == BUSINESS_UPDATE else [])
    replaces = _replaced_notation(business, concerned)
    copies = []
    for agency in recipients:
        copy = IncomingDocument(
            id=uuid7(), agency_id=agency.pk, status_code=Status.DELIVERED,
            source_document_id=inbound.id, sender_agency_id=sender.pk, sender_code=sender.code,
            sender_name=sender.name[:255], number=envelope.get("number"),
            notation=envelope["notation"], issued_on=envelope["issued_at"],
            place=envelope.get("place", ""), doc_type=envelope["doc_type"],
            subject=envelope["subject"], content=envelope.get("content", ""),
            urgency=envelope["urgency"], secrecy=envelope["secrecy"],
            signer_name=signer["full_name"], signer_position=signer.get("position", ""),
            sender_due_date=envelope.get("due_date"), delivered_at=now,
            exchange_document_id=identifier, replaces_notation=replaces,
        )
        if answered is not None and answered.agency_id == agency.pk:
            copy.response_for_document_id, copy.response_for_notation = answered.pk, answered.notation
        copies.append(copy)
    files = main_file_marked([
        CopyFile(name, put.file.sha256, put.file.size, put.file.content_type) for name, put in puts
    ])
    incoming_copies_deliver(
        copies=copies, files=files, sender_label=f"{sender.code} {sender.name}",
        event_data={"source_document_id": str(inbound.id), "exchange": fmt},
    )
    # The clerks' notifications (and their emails) fan out after commit, as for issuing; each
    # PDF that arrived is verified once, whatever the number of recipients.
    outbox_enqueue(
        task_name=NOTIFY_TASK, queue="notify", dedup_key=f"inbound-notify:{inbound.id}",
        kwargs={"inbound_id": str(inbound.id)},
    )
    outbox_enqueue_many(tasks=verification_work(
        put.file.sha256 for _name, put in puts if put.file.content_type == PDF_TYPE
    ))
    _mark_concerned(concerned, copies, business, sender)
    return InboundReceipt(document=inbound, copies=copies, received_at=now)


def _answered(reply_to: dict | None, sender: Agency) -> OutgoingDocument | None:
    """Our document the sender answers (ResponseFor): by its axis identifier or our id, or by
    the sender code, notation and date it names; only one we delivered to that sender."""
    if not reply_to:
        return None
    named = str(reply_to.get("document_id") or "")
    document = None
    try:
        document = OutgoingDocument.objects.cross_agency("exchange").filter(pk=UUID(named)).first()
    except ValueError:
        document = outgoing_by_identifier(named)
    if document is None and reply_to.get("issued_at") and reply_to.get("notation"):
        document = outgoing_by_identifier(document_identifier(
            organ_id=reply_to["sender_code"], issued_on=reply_to["issued_at"], notation=reply_to["notation"]))
    if document is None or not Delivery.objects.cross_agency("exchange").filter(
            document_id=document.pk, recipient_agency_id=sender.pk).exists():
        return None
    return document


def _replaced_notation(business: Business, concerned: list[IncomingDocument]) -> str:
    if concerned:
        return concerned[0].notation
    for identifier in business.concerns if business.doc_type == BUSINESS_REPLACEMENT else []:
        try:
            return parse_document_identifier(identifier).notation
        except ValueError:
            continue
    return ""


def _mark_concerned(concerned: list[IncomingDocument], copies: list[IncomingDocument],
                    business: Business, sender: Agency) -> None:
    """Each earlier copy a replacement or update concerns records which copy replaces it."""
    if business.doc_type == BUSINESS_NEW or not concerned:
        return
    new_copy = {c.agency_id: c for c in copies}
    action = "incoming.replaced" if business.doc_type == BUSINESS_REPLACEMENT else "incoming.updated"
    events_record(events=[
        EventSpec(
            agency_id=old.agency_id, action=action, object_type=INCOMING_OBJECT, object_id=old.id,
            actor_label=f"{sender.code} {sender.name}"[:255], state_before=old.status_code,
            state_after=old.status_code,
            data={"by_incoming_id": str(new_copy[old.agency_id].id), "reason": business.reason,
                  "notation": new_copy[old.agency_id].notation},
        )
        for old in concerned if old.agency_id in new_copy and old.id != new_copy[old.agency_id].id
    ])


def inbound_notify(*, inbound_id: UUID | str) -> int:
    """Each recipient's clerks hear of a document from an external agency, as of one from
    inside Docflow; returns how many notifications were made. Safe to run twice."""
    copies = IncomingDocument.objects.cross_agency("exchange").filter(source_document_id=inbound_id)
    copy_of = {copy.agency_id: copy for copy in copies}
    clerks = Membership.objects.cross_agency("exchange").filter(
        agency_id__in=list(copy_of), is_clerk=True, is_active=True
    ).values_list("agency_id", "user_id")
    return len(notifications_create(notices=[
        Notice(
            agency_id=agency_id, user_id=user_id, kind=KIND_DELIVERED,
            title=_("Văn bản đến mới: %(n)s") % {"n": copy_of[agency_id].notation},
            body=f"{copy_of[agency_id].sender_name}: {copy_of[agency_id].subject}",
            object_type=INCOMING_OBJECT, object_id=copy_of[agency_id].id,
            dedup_key=f"{KIND_DELIVERED}:new:{copy_of[agency_id].id}:{user_id}",
        )
        for agency_id, user_id in clerks
    ]))


def _stored_envelope(envelope: dict[str, Any]) -> dict[str, Any]:
    """The envelope as JSON for the record, without attachment bytes."""
    keep = {k: v for k, v in envelope.items() if k != "attachments"}
    for key in ("issued_at", "due_date"):
        if keep.get(key) is not None:
            keep[key] = keep[key].isoformat()
    reply_to = keep.get("reply_to")
    if reply_to:
        keep["reply_to"] = {
            k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if v is not None else None)
            for k, v in reply_to.items()
        }
    return keep
