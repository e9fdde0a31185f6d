"""Documents that external agencies send us: one incoming copy (status 01) per recipient agency.

The copies carry the same envelope fields as internal delivery fills, so clerks handle them
exactly like documents from inside Docflow; their status goes back through routing's
``StatusReport`` rows, which ``outbound.status_push`` sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from docflow.core.errors import NotPermitted
from docflow.core.ids import uuid7
from docflow.documents.content_checks import upload_check
from docflow.documents.files import (
    StoredPut,
    spooled,
    stored_file_forget_if_orphan,
    stored_file_put,
)
from docflow.documents.signing.verification import PDF as PDF_TYPE
from docflow.documents.signing.verification import verification_work
from docflow.exchange.models import ExchangeClient, InboundDocument
from docflow.notifications.services import Notice, notifications_create
from docflow.outbox.services import outbox_enqueue, outbox_enqueue_many
from docflow.routing.copies import CopyFile, incoming_copies_deliver, main_file_marked
from docflow.routing.models import IncomingDocument, Status
from docflow.routing.notices import KIND_DELIVERED
from docflow.routing.status import INCOMING_OBJECT
from docflow.tenancy.models import Agency, Membership

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


def inbound_document_receive(
    *, client: ExchangeClient, envelope: dict[str, Any], files: list[InboundFile], fmt: str = "json"
) -> InboundReceipt:
    """Deliver an external agency's document to each of our recipient agencies, all or nothing.

    ``envelope`` is validated by ``EnvelopeSerializer``. 403 when the sender code is not the
    key's agency; 400 on ``recipients`` listing every code that is not an agency inside Docflow;
    400 on ``attachments`` for a file the content checks refuse (the same checks as uploads).
    Writes the inbound record, the copies, their attachment references, an audit event per
    recipient and the work of notifying their clerks in one transaction; stored bytes that no row ends up using are taken back.
    """
    sender = client.external_agency
    if envelope["sender_code"] != sender.code:
        raise NotPermitted(_("Mã cơ quan gửi phải là mã của cơ quan sở hữu khóa API."))
    recipients = _recipients(envelope["recipients"])
    puts: list[tuple[str, StoredPut]] = []
    try:
        for i, upload in enumerate(files):
            puts.append(_store(i, upload))
        with transaction.atomic():
            return _deliver(client, sender, envelope, recipients, puts, fmt)
    except BaseException:
        for _name, put in puts:
            stored_file_forget_if_orphan(put=put)
        raise


def _recipients(codes: list[str]) -> list[Agency]:
    found = {
        a.code: a
        for a in Agency.objects.filter(code__in=codes, is_active=True, is_external=False)
    }
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationError({"recipients": [
            _("Không có cơ quan nhận trong hệ thống với mã: %(codes)s.") % {"codes": ", ".join(unknown)}
        ]})
    return [found[code] for code in codes]


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


def _deliver(client, sender, envelope, recipients, puts, fmt) -> InboundReceipt:
    now = timezone.now()
    signer = envelope["signer"]
    inbound = InboundDocument.objects.create(
        external_agency=sender, client=client, notation=envelope["notation"],
        recipient_codes=[a.code for a in recipients], envelope=_stored_envelope(envelope), fmt=fmt,
    )
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
        )
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
    return InboundReceipt(document=inbound, copies=copies, received_at=now)


def inbound_notify(*, inbound_id: UUID | str) -> int:
    """Each recipient's clerks hear of a document from an external agency, as of one from
    inside Docflow; returns how many notifications were made. Safe to run twice."""
    copies = IncomingDocument.objects.with_scopes_disabled().filter(source_document_id=inbound_id)
    copy_of = {copy.agency_id: copy for copy in copies}
    clerks = Membership.objects.with_scopes_disabled().filter(
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
