"""Registering a document that arrived outside the system (paper, email, fax, by hand).

``incoming_register`` makes the agency's own incoming copy in one durable transaction, already
registered (03): the next number of the year in the right incoming register, taken as
``handling.incoming_accept`` takes it; the scans the clerk brought in become its attachments;
its audit event; the leaders' notifications and the ĐẾN stamp after commit. From then on it is
an incoming copy like any other. Documents above ``normal`` secrecy go to the secret register
with only what may be recorded of them (Decree 30, Art. 21; the law on state secrets): number,
notation, date, sender, type, urgency and secrecy, never their subject, signer or files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from docflow.audit.services import event_record
from docflow.core.errors import InvalidState, NotPermitted
from docflow.core.services import service
from docflow.core.text import fold
from docflow.documents.types import TYPES_BY_CODE, Secrecy, Urgency
from docflow.routing.handling import incoming_number_take, incoming_registered_notify
from docflow.routing.intake_scans import intake_scans_unregistered, scans_attach
from docflow.routing.models import IncomingDocument, KnownSender, Medium, Status
from docflow.routing.status import INCOMING_OBJECT
from docflow.tenancy.models import Agency, Membership, Role

PAPER_MEDIA = (Medium.PAPER, Medium.EMAIL, Medium.FAX, Medium.HAND)
SECRET_SUBJECT = "Văn bản mật (trích yếu không ghi trên hệ thống)"
# Short forms in agency names as printed in the header, and their directory spelling (folded).
ABBREVIATIONS = {"ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan"}
# The fields OCR may pre-fill; the audit event records which ones the clerk kept as read.
READ_FIELDS = ("number", "notation", "issued_on", "sender_name", "doc_type", "subject")


class DuplicateIncoming(InvalidState):
    """The same sender, notation and issue date is already held (409 with their ids)."""

    def __init__(self, message: str, *, duplicates: list[UUID]) -> None:
        super().__init__(message, state="duplicate")
        self.duplicates = duplicates


@dataclass(frozen=True, kw_only=True)
class PaperEnvelope:
    """What the clerk reads off the document (or confirms from OCR)."""

    notation: str
    issued_on: date | None
    doc_type: str
    subject: str = ""
    sender_code: str = ""
    sender_name: str = ""
    number: int | None = None
    signer_name: str = ""
    urgency: str = Urgency.NORMAL
    secrecy: str = Secrecy.NORMAL
    received_at: datetime | None = None
    medium: str = Medium.PAPER
    page_count: int | None = None
    copy_count: int | None = None
    duplicate_reason: str = ""
    scan_ids: Sequence[UUID | str] = field(default_factory=tuple)


@service(scope="membership")
def incoming_register(*, membership: Membership, envelope: PaperEnvelope) -> IncomingDocument:
    """Register a document received outside the system (clerks only); returns the copy at 03.

    400 naming the field for what is missing or wrong (sender, notation, date, type, subject,
    medium, a time received in the future, scans that are not this agency's or already used,
    scans of a secret document); 409 ``DuplicateIncoming`` when a copy with the same sender,
    notation and issue date is held, unless ``duplicate_reason`` is given (then audited).
    A sender outside the directory is remembered (``KnownSender``) for the next time.
    """
    if not membership.has_role(Role.CLERK):
        raise NotPermitted(_("Chỉ văn thư được vào sổ văn bản đến."))
    now = timezone.now()
    env = _checked(envelope, now)
    sender_agency, sender_code, sender_name = _sender(env)
    duplicates = _duplicates(sender_code, sender_name, env.notation, env.issued_on)
    if duplicates and not env.duplicate_reason:
        raise DuplicateIncoming(
            _("Văn bản này (cùng nơi gửi, số ký hiệu và ngày) đã có trong sổ."), duplicates=duplicates
        )
    secret = env.secrecy != Secrecy.NORMAL
    if secret and env.scan_ids:
        raise ValidationError({"scan_ids": [_("Văn bản mật không được đưa bản quét lên hệ thống.")]})
    scans = intake_scans_unregistered(scan_ids=env.scan_ids, lock=True)
    incoming = IncomingDocument(
        agency=membership.agency, sender_agency=sender_agency, sender_code=sender_code,
        sender_name=sender_name, number=env.number, notation=env.notation,
        issued_on=env.issued_on, doc_type=env.doc_type,
        subject=SECRET_SUBJECT if secret else env.subject,
        signer_name="" if secret else env.signer_name, urgency=env.urgency,
        secrecy=env.secrecy, delivered_at=env.received_at, medium=env.medium,
        page_count=env.page_count, copy_count=env.copy_count,
        duplicate_reason=env.duplicate_reason if duplicates else "",
    )
    incoming_number_take(incoming=incoming, membership=membership, received_at=env.received_at)
    incoming.status_code = Status.ACCEPTED
    incoming.full_clean(validate_constraints=False)
    incoming.save()
    if sender_agency is None:
        _remember(membership.agency_id, sender_code, sender_name, now)
    event = event_record(
        agency_id=membership.agency_id, action="incoming.register", object_type=INCOMING_OBJECT,
        object_id=incoming.pk, state_before="",
        state_after=incoming.status_code, data=_event_data(incoming, env, scans, duplicates),
    )
    scans_attach(incoming=incoming, scans=scans, actor_id=membership.user_id)
    incoming_registered_notify(incoming=incoming, event=event)
    return incoming


def known_senders(*, q: str = "", limit: int = 20) -> list[KnownSender]:
    """The agency's remembered senders outside the directory, most recently used first."""
    rows = KnownSender.objects.order_by("-last_used_at")
    if q.strip():
        rows = rows.filter(name_folded__contains=fold(q).strip())
    return list(rows[:limit])


def ocr_prefill(fields: dict) -> dict[str, str]:
    """OCR's first-page fields as the form's values (the type name as its code); what was
    not read is left out, so the form shows it empty and marked as typed."""
    types = {fold(t.name): t.code for t in TYPES_BY_CODE.values()}
    values = {k: fields.get(k, "") for k in ("number", "notation", "issued_on", "sender_name", "subject")}
    values["doc_type"] = types.get(fold(fields.get("type_name", "")).strip(), "")
    values["sender_code"] = _directory_code(values["sender_name"])
    return {k: v for k, v in values.items() if v}


def _directory_code(printed_name: str) -> str:
    """The directory's code for an agency name as printed ("UBND HUYỆN BẮC YÊN"), if exactly one."""
    name = fold(printed_name)
    if not name:
        return ""
    name = " ".join(ABBREVIATIONS.get(word, word) for word in name.split())
    codes = list(Agency.objects.filter(search_text__endswith=f" {name}").values_list("code", flat=True)[:2])
    return codes[0] if len(codes) == 1 else ""


def _checked(env: PaperEnvelope, now: datetime) -> PaperEnvelope:
    errors: dict[str, list[str]] = {}
    notation = " ".join((env.notation or "").split())
    if not notation:
        errors["notation"] = [_("Nhập số và ký hiệu văn bản.")]
    if env.issued_on is None:
        errors["issued_on"] = [_("Nhập ngày ban hành.")]
    if env.doc_type not in TYPES_BY_CODE:
        errors["doc_type"] = [_("Loại văn bản không hợp lệ.")]
    if env.secrecy == Secrecy.NORMAL and not (env.subject or "").strip():
        errors["subject"] = [_("Nhập trích yếu.")]
    if env.medium not in PAPER_MEDIA:
        errors["medium"] = [_("Hình thức nhận phải là paper, email, fax hoặc hand.")]
    received_at = env.received_at or now
    if received_at > now + timezone.timedelta(minutes=5):
        errors["received_at"] = [_("Thời điểm nhận không được ở tương lai.")]
    if env.issued_on and env.issued_on > timezone.localdate(received_at):
        errors["issued_on"] = [_("Ngày ban hành sau ngày nhận.")]
    if not (env.sender_code or "").strip() and not (env.sender_name or "").strip():
        errors["sender_name"] = [_("Chọn nơi gửi trong danh bạ hoặc nhập tên nơi gửi.")]
    if errors:
        raise ValidationError(errors)
    return PaperEnvelope(**{
        **env.__dict__, "notation": notation, "received_at": received_at,
        "subject": (env.subject or "").strip(), "sender_code": (env.sender_code or "").strip(),
        "sender_name": " ".join((env.sender_name or "").split()),
        "duplicate_reason": (env.duplicate_reason or "").strip(),
        "signer_name": (env.signer_name or "").strip(),
    })


def _sender(env: PaperEnvelope) -> tuple[Agency | None, str, str]:
    """The directory's agency for a known code; else the remembered or typed name and code."""
    if env.sender_code:
        agency = Agency.objects.filter(code=env.sender_code).first()
        if agency is not None:
            return agency, agency.code, agency.name
        known = KnownSender.objects.filter(code=env.sender_code).order_by("-last_used_at").first()
        if known is not None and not env.sender_name:
            return None, known.code, known.name
        if not env.sender_name:
            raise ValidationError({"sender_code": [_("Mã không có trong danh bạ; nhập tên nơi gửi.")]})
    if len(env.sender_code) > 13:
        raise ValidationError({"sender_code": [_("Mã nơi gửi dài tối đa 13 ký tự.")]})
    return None, env.sender_code, env.sender_name[:255]


def _duplicates(sender_code: str, sender_name: str, notation: str, issued_on: date) -> list[UUID]:
    """Copies held with the same sender (by code, else by name), notation and issue date."""
    rows = IncomingDocument.objects.filter(issued_on=issued_on).exclude(status_code=Status.REJECTED)
    rows = rows.filter(sender_code=sender_code) if sender_code else rows.filter(sender_code="")
    wanted_notation, wanted_name = fold(notation).replace(" ", ""), fold(sender_name)
    return [
        row_id for row_id, row_notation, row_name in rows.values_list("id", "notation", "sender_name")
        if fold(row_notation).replace(" ", "") == wanted_notation
        and (sender_code or fold(row_name) == wanted_name)
    ]


def _remember(agency_id: int, code: str, name: str, now: datetime) -> None:
    known = KnownSender.objects.filter(name_folded=fold(name).strip()).first()
    if known is None:
        KnownSender.objects.create(agency_id=agency_id, name=name, code=code, last_used_at=now)
    else:
        known.name, known.code, known.last_used_at = name, code or known.code, now
        known.save(update_fields=["name", "code", "name_folded", "last_used_at"])


def _event_data(incoming: IncomingDocument, env: PaperEnvelope, scans, duplicates) -> dict:
    read: dict[str, str] = {}
    for scan in scans:
        read = {**ocr_prefill(scan.ocr_fields), **read}
    typed = {"number": f"{env.number:02d}" if env.number else "", "notation": env.notation,
             "issued_on": env.issued_on.isoformat(), "sender_name": incoming.sender_name,
             "doc_type": env.doc_type, "subject": env.subject}
    data = {
        "incoming_number": incoming.incoming_number, "register": incoming.register.name,
        "medium": incoming.medium, "notation": incoming.notation, "sender": incoming.sender_name,
        "read_by_ocr": [f for f in READ_FIELDS if read.get(f) and read.get(f) == typed[f]],
    }
    if duplicates:
        data.update(duplicates=[str(d) for d in duplicates], duplicate_reason=incoming.duplicate_reason)
    return data
