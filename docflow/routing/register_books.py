"""A register's book for one year (sổ đăng ký văn bản đi / đến), for printing, binding and export.

``register_book`` reads the rows of one register of the active agency in number order, in the
columns of Decree 30/2020/NĐ-CP, Appendix IV (``rendering.registers``), at a fixed number of
queries whatever the number of rows. It lives in ``routing`` because an incoming book reads
incoming copies. CSV is made in the request (a year of a district is a few hundred kilobytes).

The PDF is made by a worker: reportlab lays out about 300 rows a second, so a commune's year
takes seconds and a district's a minute, too long for a request. The book's rows are hashed;
the PDF rendered from them is stored content-addressed and found again through a small pointer
object named by that hash (``register-books/<register>/<year>/<hash>``). While the book as it is
now has no PDF, ``register_book_pdf_request`` records the rendering work once per content and
the API answers 202; a book that changed since gets a new PDF, the old one is left as it was.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from docflow.core.errors import NotFound, NotPermitted
from docflow.documents.files import stored_file_put_bytes
from docflow.documents.models import OutgoingDocument, OutgoingState, Register, RegisterDirection
from docflow.documents.official_document import recipient_lines
from docflow.documents.pdf import PDF
from docflow.documents.types import Secrecy, Urgency, document_type
from docflow.outbox.services import outbox_enqueue
from docflow.rendering.registers import (
    INCOMING_REGISTER_COLUMNS,
    OUTGOING_REGISTER_COLUMNS,
    RegisterColumn,
    render_register_csv,
    render_register_pdf,
)
from docflow.routing.models import IncomingDocument, Status
from docflow.tenancy.models import Agency, Membership
from docflow.core.scoping import agency_scope
from docflow.core.services import service_transaction

BOOK_PDF_TASK = "pdf.register_book"
BOOK_ROLES = ("clerk", "leader", "agency_admin")
FIRST_YEAR = 2000
TITLES = {
    RegisterDirection.OUTGOING: "Sổ đăng ký văn bản đi",
    RegisterDirection.INCOMING: "Sổ đăng ký văn bản đến",
}
COLUMNS = {
    RegisterDirection.OUTGOING: OUTGOING_REGISTER_COLUMNS,
    RegisterDirection.INCOMING: INCOMING_REGISTER_COLUMNS,
}
# A register cell names a few recipients; past that, agencies are counted by level.
MAX_RECIPIENTS_IN_CELL = 5


FILE_SERIES = {"general": "", "secret": "mat"}  # series code → its part of a file name


@dataclass(frozen=True)
class RegisterBook:
    register: Register
    year: int
    title: str
    columns: tuple[RegisterColumn, ...]
    rows: list[list[str]]

    @property
    def content_key(self) -> str:
        """The SHA-256 of what the PDF prints: equal key, equal PDF."""
        payload = json.dumps([self.title, self.year, [c.heading for c in self.columns], self.rows],
                             ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def file_stem(self) -> str:
        """``so-van-ban-di-2026``, ``so-van-ban-den-mat-2026``: the series code "general" is
        ours, not a word a clerk should find in a file name."""
        direction = "di" if self.register.direction == RegisterDirection.OUTGOING else "den"
        series = FILE_SERIES.get(self.register.series, self.register.series.replace("_", "-"))
        return "-".join(part for part in ("so-van-ban", direction, series, str(self.year)) if part)


def registers_list(*, membership: Membership):
    """The active agency's registers, incoming first, with their yearly counters (clerks,
    leaders, admins; NotPermitted for others)."""
    _check_role(membership)
    return Register.objects.prefetch_related("counters").order_by("direction", "series", "id")


def register_book(*, membership: Membership, register_id: UUID | str, year: int) -> RegisterBook:
    """The book of one register of the active agency for ``year`` (clerks, leaders, admins).

    NotFound for a register of another agency; NotPermitted for a member without those roles;
    ValidationError on ``year`` outside 2000..next year.
    """
    register = Register.objects.filter(pk=register_id).first()
    if register is None:
        raise NotFound("Không tìm thấy sổ văn bản.")
    _check_role(membership)
    _check_year(year)
    return _book(register, year)


def register_book_csv(*, book: RegisterBook) -> bytes:
    return render_register_csv(book.columns, book.rows)


def register_book_pdf_request(*, book: RegisterBook) -> str | None:
    """The SHA-256 of the stored PDF of ``book`` as it is now; or None, having recorded the
    work to render it (once per content: asking again while it renders records nothing)."""
    key = book.content_key
    sha256 = _pointer_read(book.register, book.year, key)
    if sha256 is not None:
        return sha256
    with service_transaction():
        outbox_enqueue(
            task_name=BOOK_PDF_TASK, queue="pdf",
            dedup_key=f"book:{book.register.pk}:{book.year}:{key}",
            kwargs={"agency_id": book.register.agency_id, "register_id": str(book.register.pk),
                    "year": book.year},
        )
    return _pointer_read(book.register, book.year, key)  # an eager worker rendered it already


def register_book_pdf_render(*, agency_id: int, register_id: UUID | str, year: int) -> str | None:
    """Render the register's book as it is now, store it, and point its content key at it.

    None when the register is gone. Idempotent: the same rows give the same bytes and key.
    """
    with agency_scope(agency_id):
        register = Register.objects.filter(pk=register_id).first()
        if register is None:
            return None
        book = _book(register, year)
        key = book.content_key
        sha256 = _pointer_read(register, year, key)
        if sha256 is None:
            data = render_register_pdf(book.title, book.year, book.columns, book.rows)
            sha256 = stored_file_put_bytes(data=data, content_type=PDF).sha256
            _pointer_write(register, year, key, sha256)
        return sha256


def _check_role(membership: Membership) -> None:
    if not membership.has_role(*BOOK_ROLES):
        raise NotPermitted("Chỉ văn thư, lãnh đạo và quản trị đơn vị được xem sổ văn bản.")


def _check_year(year: int) -> None:
    last = timezone.localdate().year + 1
    if not FIRST_YEAR <= year <= last:
        raise ValidationError({"year": [f"Năm phải từ {FIRST_YEAR} đến {last}."]})


def _book(register: Register, year: int) -> RegisterBook:
    rows = (_outgoing_rows if register.direction == RegisterDirection.OUTGOING else _incoming_rows)(
        register, year
    )
    title = TITLES[register.direction]
    if register.series == "secret":
        title += " mật"
    return RegisterBook(register, year, title, COLUMNS[register.direction], rows)


def _day(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value).date()
    return value.strftime("%d/%m/%Y")


def _kind_and_subject(doc_type: str, subject: str) -> str:
    kind = document_type(doc_type)
    return subject if kind.is_cong_van else f"{kind.name}: {subject}"


def _marks(urgency: str, secrecy: str) -> list[str]:
    marks = [Secrecy(secrecy).label] if secrecy != Secrecy.NORMAL else []
    return marks + ([Urgency(urgency).label] if urgency != Urgency.NORMAL else [])


def _outgoing_rows(register: Register, year: int) -> list[list[str]]:
    documents = list(
        OutgoingDocument.objects.filter(register=register, year=year, state=OutgoingState.ISSUED)
        .select_related("signed_by", "signer", "unit", "replaces")
        .order_by("number", "id")
    )
    codes = {code for d in documents for code in d.recipient_codes}
    agencies = {a.code: a for a in Agency.objects.filter(code__in=codes).only("code", "name", "level")}
    rows = []
    for d in documents:
        signer = d.signed_by or d.signer
        recipients = recipient_lines(
            [agencies[c] for c in d.recipient_codes if c in agencies], list(d.external_places),
            max_lines=MAX_RECIPIENTS_IN_CELL, max_places=MAX_RECIPIENTS_IN_CELL - 1,
        )
        notes = _marks(d.urgency, d.secrecy)
        if d.replaces_id:
            notes.append(f"Thay thế văn bản số {d.replaces.notation}")
        if d.recall_requested_at:
            notes.append(f"Yêu cầu thu hồi ngày {_day(d.recall_requested_at)}")
        rows.append([
            d.notation, _day(d.issued_at), _kind_and_subject(d.doc_type, d.subject),
            signer.get_full_name() if signer else "", "\n".join(recipients),
            f"VT, {d.unit.name}" if d.unit else "VT", "", "; ".join(notes),
        ])
    return rows


def _incoming_rows(register: Register, year: int) -> list[list[str]]:
    copies = list(
        IncomingDocument.objects.filter(register=register, incoming_year=year, incoming_number__isnull=False)
        .select_related("lead").order_by("incoming_number", "id")
    )
    leads = {c.lead_id for c in copies if c.lead_id}
    units = dict(
        Membership.objects.filter(user_id__in=leads, unit__isnull=False).values_list("user_id", "unit__name")
    )
    rows = []
    for c in copies:
        handler = " - ".join(p for p in (c.lead.get_full_name(), units.get(c.lead_id, "")) if p) if c.lead else ""
        notes = _marks(c.urgency, c.secrecy)
        if c.due_date:
            notes.append(f"Hạn xử lý {_day(c.due_date)}")
        if c.status_code == Status.RECALL_ACCEPTED:
            notes.append("Đã thu hồi")
        rows.append([
            _day(c.received_at), f"{c.incoming_number:02d}", c.sender_name, c.notation,
            _day(c.issued_on), _kind_and_subject(c.doc_type, c.subject), handler, "", "; ".join(notes),
        ])
    return rows


def _pointer_name(register: Register, year: int, key: str) -> str:
    return f"register-books/{register.pk}/{year}/{key}"


def _pointer_read(register: Register, year: int, key: str) -> str | None:
    name = _pointer_name(register, year, key)
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as fh:
        return fh.read().decode().strip() or None


def _pointer_write(register: Register, year: int, key: str, sha256: str) -> None:
    name = _pointer_name(register, year, key)
    if default_storage.exists(name):
        return
    saved = default_storage.save(name, ContentFile(sha256.encode()))
    if saved != name:  # a concurrent render wrote the same pointer first
        default_storage.delete(saved)
