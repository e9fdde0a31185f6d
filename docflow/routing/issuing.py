"""Issuing (phát hành): number, notation and date, and delivery to every recipient, at once.

``document_issue`` runs in one transaction: the document row is locked (a second issue waits,
then gets 409), the number is taken from the register's counter locked FOR UPDATE, and the
official PDF is rendered and stored (it must travel: every copy carries it first, as its main
file), and the sender's Delivery rows, each recipient agency's own incoming copy (status 01)
with its attachment references, and the audit events of both sides are written as one
statement per table (``core.bulk.rows_copy``: COPY on PostgreSQL, bulk INSERT elsewhere).
The notifications and a push to each external recipient are recorded as outbox rows (one
INSERT) and run after commit. If anything fails the whole transaction rolls back, the counter with it: no gap, no duplicate.
The number of queries does not depend on the number of recipients.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from docflow.audit.services import EventSpec, events_record
from docflow.core.bulk import gc_paused, instances_like, rows_copy
from docflow.core.errors import InvalidState, NotPermitted
from docflow.core.ids import uuid7
from docflow.core.services import service
from docflow.documents.models import (
    AUDIT_OBJECT,
    OutgoingDocument,
    OutgoingState,
    RegisterDirection,
    StoredFile,
)
from docflow.documents.numbering import (
    notation_format,
    number_preview,
    number_take,
    register_for,
)
from docflow.documents.pdf import PDF, official_pdf_filename, official_pdf_store
from docflow.documents.selectors import document_locked
from docflow.documents.signatures import attachments_signed
from docflow.documents.signing.verification import verification_work
from docflow.documents.types import Secrecy, document_type
from docflow.notifications.services import notifications_done
from docflow.outbox.services import outbox_enqueue_many
from docflow.routing.copies import CopyFile, incoming_copies_deliver
from docflow.routing.models import Delivery, IncomingDocument, Status
from docflow.tenancy.models import Agency, Membership
from docflow.tenancy.selectors import agencies_for_codes

NOTIFY_TASK = "notify.document_issued"
EXCHANGE_PUSH_TASK = "exchange.document_push"  # sends to an agency outside Docflow
# The recipient's fields issuing uses: its delivery row, its copy, the PDF's "Nơi nhận".
RECIPIENT_FIELDS = ("id", "code", "name", "level", "is_external", "is_active")


@service
def document_issue(
    *, actor: Membership, document_id: UUID | str, signed_scan: StoredFile | None = None,
    expected_number: int | None = None,
) -> OutgoingDocument:
    """Issue an approved document of the actor's agency (clerks only).

    Guarantees, all or nothing: the next number of the right register for this calendar year
    (the secret series above ``normal`` secrecy; a type's own series when the agency keeps
    one), the notation (``05/QĐ-UBND``, công văn ``05/UBND-VP``), ``issued_at``, the official
    PDF; one Delivery and one incoming copy (status 01) per recipient agency in the system,
    carrying the PDF as its main file before the drafter's attachments, a Delivery only for an
    external one (the exchange sends it). Refused with 400 on ``recipients``: a document that
    reaches no agency and names no paper place, and a secret one with electronic recipients.
    Afterwards the document never changes. Signed on paper (``routing.paper_signed``): the
    ``signed_scan`` is the main file instead of the rendered PDF, and the number it bears by
    hand must be the one taken (``expected_number``), else 409 and nothing is taken.
    """
    document = _locked(document_id)
    if not actor.has_role("clerk"):
        raise NotPermitted(_("Chỉ văn thư được phát hành văn bản."))
    if document.state != OutgoingState.APPROVED:
        raise InvalidState(_("Chỉ phát hành được văn bản đã ký duyệt."), state=document.state)
    with gc_paused():  # the fan-out's rows: see core.bulk
        recipients = _recipients_checked(document)
        _take_number(document, actor)
        if expected_number is not None and document.number != expected_number:
            raise InvalidState(_("Số tiếp theo của sổ là %(n)02d, không phải số ghi trên bản giấy.")
                               % {"n": document.number}, state="number_changed")
        if signed_scan is not None:
            main, document.pdf_sha256 = signed_scan, signed_scan.sha256
        else:
            main = official_pdf_store(document=document, recipients=recipients)
        document.save(update_fields=[
            "register", "year", "number", "notation", "state", "issued_at", "issued_by",
            "pdf_sha256", "updated_at",
        ])
        files = _files(document, main)
        _deliver(document, recipients, files)
        _record(document, actor)
        notifications_done(agency_id=document.agency_id, object_type=AUDIT_OBJECT,
                           object_id=document.pk, kinds=["outgoing.approved"])  # "chờ phát hành"
        outbox_enqueue_many(tasks=[
            *_after_commit_work(document, recipients),
            *verification_work(f.sha256 for f in files if f.content_type == PDF),
        ])
    return document


def _files(document: OutgoingDocument, main: StoredFile) -> list[CopyFile]:
    """What every copy carries: the document itself first, then the drafter's attachments
    (their PDFs signed by the agency when the document is signed)."""
    attachments = list(document.attachments.all())
    signed = attachments_signed(document, attachments)
    return [CopyFile(official_pdf_filename(document), main.sha256, main.size, PDF, is_main=True)] + [
        CopyFile(a.name, signed[a.file_id].sha256, signed[a.file_id].size, a.content_type)
        if a.file_id in signed else CopyFile(a.name, a.file_id, a.size, a.content_type)
        for a in attachments
    ]


@dataclass(frozen=True)
class IssuePreview:
    """What issuing this document now would do: the number, and whom it reaches how."""

    register_name: str
    year: int
    number: int
    notation: str
    agencies: int  # copies delivered inside Docflow
    external_agencies: int  # sent on through the exchange
    paper_places: tuple[str, ...]

    @property
    def reaches_nobody(self) -> bool:
        return not (self.agencies or self.external_agencies or self.paper_places)

    @property
    def paper_only(self) -> bool:
        return not (self.agencies or self.external_agencies) and bool(self.paper_places)


def issue_preview(*, document: OutgoingDocument) -> IssuePreview:
    """Read only, in the document's agency scope: the register and number ``document_issue``
    would take now (the same choice of register) and the recipients it would reach."""
    year = timezone.localdate().year
    taken = number_preview(
        agency=document.agency, direction=RegisterDirection.OUTGOING, doc_type=document.doc_type,
        secrecy=document.secrecy, year=year,
    )
    try:
        notation = notation_format(
            number=taken.number, doc_type=document.doc_type, agency_symbol=document.agency.symbol,
            unit_symbol=document.unit.symbol if document.unit else "",
        )
    except ValueError:
        notation = ""
    external = {a.code: a.is_external for a in agencies_for_codes(codes=document.recipient_codes).values()}
    outside = sum(1 for flag in external.values() if flag)
    return IssuePreview(
        register_name=taken.register_name, year=year, number=taken.number, notation=notation,
        agencies=len(external) - outside, external_agencies=outside,
        paper_places=tuple(document.external_places),
    )


def _after_commit_work(document: OutgoingDocument, recipients: list[Agency]) -> list[dict]:
    """The notifications, and a push to each external recipient: one INSERT."""
    ids = {"agency_id": document.agency_id, "document_id": str(document.pk)}
    work = [
        {"task_name": NOTIFY_TASK, "queue": "notify", "dedup_key": f"issued:{document.pk}", "kwargs": ids},
    ]
    work += [
        {"task_name": EXCHANGE_PUSH_TASK, "queue": "delivery", "dedup_key": f"push:{document.pk}:{a.pk}",
         "kwargs": {**ids, "external_agency_id": a.pk}}
        for a in recipients if a.is_external
    ]
    return work


def _locked(document_id) -> OutgoingDocument:
    return document_locked(
        document_id=document_id,
        related=("agency", "agency__parent", "unit", "signer", "signed_by", "replaces"),
    )


def _recipients_checked(document: OutgoingDocument) -> list[Agency]:
    codes = list(document.recipient_codes)
    if not codes and not document.external_places:
        raise ValidationError({"recipients": [_(
            "Văn bản chưa có nơi nhận: chọn cơ quan nhận hoặc ghi nơi nhận bản giấy trước khi phát hành."
        )]})
    if codes and document.secrecy != Secrecy.NORMAL:
        raise ValidationError({"recipients": [_(
            "Văn bản mật không được gửi điện tử: bỏ các cơ quan nhận, chỉ ghi nơi nhận bản giấy."
        )]})
    kind = document_type(document.doc_type)
    if kind.needs_unit and document.unit is None:
        raise ValidationError({"unit": [_("%(t)s cần đơn vị soạn thảo.") % {"t": kind.name}]})
    # What issuing reads of a recipient: 10,000 whole agency rows were a tenth of the issue.
    found = agencies_for_codes(codes=codes, queryset=Agency.objects.only(*RECIPIENT_FIELDS))
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError({"recipients": [
            _("Không còn cơ quan với mã: %(c)s.") % {"c": ", ".join(missing)}
        ]})
    recipients: dict[int, Agency] = {}
    for code in codes:  # an old code reaches its successor once; the delivery row names both
        agency = recipients.setdefault(found[code].pk, found[code])
        if agency.code != code:
            agency.addressed_as = code
    return list(recipients.values())


def _take_number(document: OutgoingDocument, actor: Membership) -> None:
    now = timezone.now()
    register = register_for(
        agency=document.agency, direction=RegisterDirection.OUTGOING,
        doc_type=document.doc_type, secrecy=document.secrecy,
    )
    year = timezone.localdate(now).year
    number = number_take(register=register, year=year)
    document.register, document.year, document.number = register, year, number
    document.notation = notation_format(
        number=number, doc_type=document.doc_type, agency_symbol=document.agency.symbol,
        unit_symbol=document.unit.symbol if document.unit else "",
    )
    document.state, document.issued_at, document.issued_by = OutgoingState.ISSUED, now, actor.user


def _renamed_note(agency: Agency) -> str:
    """What the sender is told when it addressed an old code (a merged agency's)."""
    old = getattr(agency, "addressed_as", "")
    return _("Gửi đến mã cũ %(old)s: nay là %(new)s.") % {"old": old, "new": agency.code} if old else ""


def _deliver(
    document: OutgoingDocument, recipients: list[Agency], files: list[CopyFile]
) -> list[IncomingDocument]:
    """One Delivery per recipient, one incoming copy per recipient in the system: bulk. The
    rows are made from one template each (``instances_like``): they differ in a few fields."""
    if not recipients:
        return []
    sender, now = document.agency, document.issued_at
    answered = _answered(document)
    delivery_changes, copy_changes = [], []
    for agency in recipients:
        delivery_id = uuid7()
        change = {
            "id": delivery_id, "recipient_agency_id": agency.pk, "recipient_code": agency.code,
            "recipient_name": agency.name[:255], "status_note": _renamed_note(agency),
        }
        delivery_changes.append(change)
        if agency.is_external:
            continue  # no tenant there: the exchange package sends the document on
        copy = {"id": uuid7(), "agency_id": agency.pk, "source_delivery_id": delivery_id}
        if answered is not None and answered.sender_agency_id == agency.pk:
            copy["response_for_document_id"] = answered.source_document_id
            copy["response_for_notation"] = answered.notation
        change["incoming_id"] = copy["id"]
        copy_changes.append(copy)
    template = Delivery(agency_id=sender.pk, document_id=document.pk)
    rows_copy(Delivery, instances_like(template, delivery_changes), purpose="delivery")
    copies = instances_like(_incoming_copy(document, sender, None, now), copy_changes)
    incoming_copies_deliver(
        copies=copies, files=files, sender_label=f"{sender.code} {sender.name}",
        event_data={"source_document_id": str(document.pk)},
    )
    return copies


def _answered(document: OutgoingDocument) -> IncomingDocument | None:
    """The copy of ours this document replies to (its sender's copy learns it is answered)."""
    if document.reply_to_incoming_id is None:
        return None
    return IncomingDocument.objects.filter(pk=document.reply_to_incoming_id).first()


def _incoming_copy(document: OutgoingDocument, agency: Agency, delivery_id, now) -> IncomingDocument:
    sender, signer = document.agency, document.signer
    copy = IncomingDocument(
        id=uuid7(), agency_id=agency.pk, status_code=Status.DELIVERED,
        source_document_id=document.pk, source_delivery_id=delivery_id,
        sender_agency_id=sender.pk, sender_code=sender.code, sender_name=sender.name[:255],
        number=document.number, notation=document.notation,
        issued_on=timezone.localdate(now), place=sender.place, doc_type=document.doc_type,
        subject=document.subject, content=document.body, urgency=document.urgency,
        secrecy=document.secrecy, signer_name=signer.get_full_name()[:150] if signer else "",
        signer_position=document.signer_position, sender_due_date=document.due_date,
        delivered_at=now, replaces_notation=document.replaces.notation if document.replaces else "",
    )
    return copy


def _record(document: OutgoingDocument, actor: Membership) -> None:
    events_record(events=[EventSpec(
        agency_id=document.agency_id, action="outgoing.issued", object_type=AUDIT_OBJECT,
        object_id=document.pk, actor_id=actor.user_id, state_before=OutgoingState.APPROVED,
        state_after=OutgoingState.ISSUED,
        data={"number": document.number, "notation": document.notation,
              "register": str(document.register_id), "recipients": list(document.recipient_codes),
              "pdf_sha256": document.pdf_sha256},
    )])
