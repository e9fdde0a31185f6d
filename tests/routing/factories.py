"""Arranging incoming copies for tests, as issuing leaves them: status 01 at the recipient and,
when the sender is in the system, an issued outgoing document with its Delivery row at the sender.

Tests of the full story go through the real outgoing endpoints; these builders serve the
handling rules, which only need a copy in a given state.
"""

from __future__ import annotations

import hashlib
from datetime import date

import factory
from django.utils import timezone

from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument, OutgoingState, StoredFile
from docflow.routing.models import Delivery, IncomingAttachment, IncomingDocument
from docflow.tenancy.models import Agency
from tests.factories import AgencyFactory, MembershipFactory, ScopeFreeFactory


class IncomingDocumentFactory(ScopeFreeFactory):
    """A copy with no sender rows (an external sender unless ``sender_agency`` is given)."""

    class Meta:
        model = IncomingDocument

    agency = factory.SubFactory(AgencyFactory)
    sender_agency = None
    sender_code = factory.LazyAttribute(
        lambda o: o.sender_agency.code if o.sender_agency else "000.00.00.G01"
    )
    sender_name = factory.LazyAttribute(
        lambda o: o.sender_agency.name if o.sender_agency else "Sở Nội vụ tỉnh Sơn La"
    )
    number = factory.Sequence(lambda n: n + 1)
    notation = factory.LazyAttribute(lambda o: f"{o.number:02d}/UBND-VP")
    issued_on = factory.LazyFunction(timezone.localdate)
    doc_type = "cong_van"
    subject = factory.Sequence(lambda n: f"Về việc triển khai kế hoạch số {n}")
    urgency = "normal"
    signer_name = "Lò Văn Minh"
    signer_position = "Chủ tịch"
    delivered_at = factory.LazyFunction(timezone.now)


class StoredFileFactory(ScopeFreeFactory):
    class Meta:
        model = StoredFile
        django_get_or_create = ("sha256",)

    sha256 = factory.Sequence(lambda n: hashlib.sha256(f"file {n}".encode()).hexdigest())
    size = 1024
    content_type = "application/pdf"
    storage_name = factory.LazyAttribute(lambda o: f"files/{o.sha256}")


class IncomingAttachmentFactory(ScopeFreeFactory):
    class Meta:
        model = IncomingAttachment

    incoming = factory.SubFactory(IncomingDocumentFactory)
    agency = factory.LazyAttribute(lambda o: o.incoming.agency)
    name = factory.Sequence(lambda n: f"van-ban-{n}.pdf")
    file = factory.SubFactory(StoredFileFactory)
    size = 1024
    content_type = "application/pdf"


def sent_copy(
    *,
    sender: Agency,
    recipient: Agency,
    subject: str = "Về việc báo cáo kết quả thực hiện nhiệm vụ",
    urgency: str = "normal",
    secrecy: str = "normal",
    due_date: date | None = None,
    attachments: int = 0,
    drafter=None,
    issued_by=None,
) -> IncomingDocument:
    """One issued document of ``sender`` delivered to ``recipient``: both ends' rows, status 01."""
    drafter = drafter or MembershipFactory(agency=sender, staff=True).user
    issued_by = issued_by or MembershipFactory(agency=sender, clerk=True).user
    now = timezone.now()
    with cross_agency("system"):
        number = OutgoingDocument.objects.filter(agency=sender).count() + 1
        outgoing = OutgoingDocument.objects.create(
            agency=sender, state=OutgoingState.ISSUED, doc_type="cong_van", subject=subject,
            urgency=urgency, secrecy=secrecy, drafter=drafter, signed_by=drafter,
            recipient_codes=[recipient.code], due_date=due_date, year=now.year, number=number,
            notation=f"{number:02d}/{sender.symbol}-VP", issued_at=now, issued_by=issued_by,
        )
        delivery = Delivery.objects.create(
            agency=sender, document=outgoing, recipient_agency=recipient,
            recipient_code=recipient.code, recipient_name=recipient.name,
        )
        incoming = IncomingDocumentFactory(
            agency=recipient, sender_agency=sender, source_document_id=outgoing.id,
            source_delivery_id=delivery.id, number=number, notation=outgoing.notation,
            subject=subject, urgency=urgency, secrecy=secrecy, sender_due_date=due_date,
            issued_on=timezone.localdate(now), delivered_at=now,
        )
        Delivery.objects.filter(pk=delivery.pk).update(incoming_id=incoming.id)
        for _ in range(attachments):
            IncomingAttachmentFactory(incoming=incoming)
    return incoming
