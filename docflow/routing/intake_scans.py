"""Scanned files of documents that arrive on paper: upload, OCR after commit, and the copy's
text layer and search text once OCR has read them.

A scan is one PDF: a PDF as it came, or several images (JPEG, PNG, TIFF) made one PDF in the
order given. It is uploaded before registration (the web form is pre-filled from what OCR
reads) or to a registered copy (the API). OCR runs in a worker (``pdf.ocr_scan``); when it ends
the copy's attachment becomes the PDF with the text layer (the scan as uploaded is kept as
``original``), the copy's ``ocr_text`` joins its search text and the ĐẾN stamp is made again on
the searchable file. Without Tesseract the scan is marked ``unavailable`` and nothing else
changes: the clerk types the fields.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypdf import PdfReader

from docflow.audit.services import event_record
from docflow.core.errors import InvalidState, NotFound, NotPermitted
from docflow.documents.attachments import attachment_name_clean
from docflow.documents.content_checks import SCANS, upload_check
from docflow.documents.files import spooled, stored_file_open, stored_file_put_bytes
from docflow.documents.types import Secrecy
from docflow.ocr.engine import OcrFailed, ocr_available, pdf_ocr
from docflow.ocr.images import PDF, ImageError, images_to_pdf, scan_type_detect
from docflow.outbox.services import outbox_enqueue, outbox_enqueue_many
from docflow.documents.signing.verification import verification_work
from docflow.routing.models import IncomingAttachment, IncomingDocument, IntakeScan, OcrState
from docflow.routing.stamping import stamp_work_record
from docflow.routing.status import INCOMING_OBJECT
from docflow.tenancy.models import Membership, Role
from docflow.core.scoping import agency_scope
from docflow.core.services import service_transaction

OCR_TASK = "pdf.ocr_scan"
Upload = tuple[str, Iterable[bytes]]  # (file name, chunks)


def scan_refused(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def intake_scan_upload(
    *, membership: Membership, files: Sequence[Upload], incoming_id: UUID | str | None = None
) -> IntakeScan:
    """One scan from one PDF or several images (clerks only), OCR recorded for after commit.

    With ``incoming_id`` the scan is attached to that registered copy of the agency at once.
    Refused with 400 on ``file``: no file, a kind other than PDF/JPEG/PNG/TIFF (by content),
    an active or damaged PDF, several files that are not all images, a secret copy (its
    contents are never put on the system); nothing is stored then.
    """
    with agency_scope(membership.agency_id):
        if not membership.has_role(Role.CLERK):
            raise NotPermitted(_("Chỉ văn thư được đưa bản quét văn bản đến lên hệ thống."))
        if incoming_id is not None:
            _copy_for_scan(incoming_id)  # 404/409/400 before reading the upload
        name, data, pages = scan_pdf(files)
        with service_transaction():
            stored = stored_file_put_bytes(data=data, content_type=PDF)
            scan = IntakeScan.objects.create(
                agency_id=membership.agency_id, name=name, original=stored, page_count=pages,
                uploaded_by=membership.user,
            )
            if incoming_id is not None:
                incoming = _copy_for_scan(incoming_id, lock=True)
                scans_attach(incoming=incoming, scans=[scan], actor_id=membership.user_id)
                stamp_work_record(incoming=incoming, reason=f"scan:{scan.pk}")
            outbox_enqueue(task_name=OCR_TASK, queue="pdf", dedup_key=f"ocr:{scan.pk}",
                           kwargs={"agency_id": membership.agency_id, "scan_id": str(scan.pk)})
        return scan


def scans_attach(*, incoming: IncomingDocument, scans: Sequence[IntakeScan], actor_id: int) -> None:
    """Inside the caller's transaction: each scan becomes an attachment of the copy (its
    searchable PDF when OCR already ran), and the copy's OCR text takes in what was read."""
    # The first scan of a paper copy is the document itself (văn bản chính), as a sender's first PDF.
    needs_main = not IncomingAttachment.objects.filter(incoming_id=incoming.pk, is_main=True).exists()
    for index, scan in enumerate(scans):
        stored = scan.searchable or scan.original
        attachment = IncomingAttachment.objects.create(
            agency_id=incoming.agency_id, incoming=incoming, name=scan.name, file=stored,
            size=stored.size, content_type=PDF, is_main=needs_main and index == 0,
        )
        scan.incoming, scan.attachment = incoming, attachment
        scan.save(update_fields=["incoming", "attachment"])
        event_record(
            agency_id=incoming.agency_id, action="incoming.scan_added", object_type=INCOMING_OBJECT,
            object_id=incoming.pk, actor_id=actor_id, state_before=incoming.status_code,
            state_after=incoming.status_code,
            data={"attachment": str(attachment.pk), "name": scan.name, "pages": scan.page_count,
                  "sha256": stored.sha256},
        )
    _copy_text_refresh(incoming)
    # A PDF that came by email may carry signatures: checked like every other arrival.
    outbox_enqueue_many(tasks=verification_work((scan.searchable or scan.original).sha256 for scan in scans))


def intake_scan_ocr(*, agency_id: int, scan_id: UUID | str) -> str:
    """The worker's part: read the scan (outside any transaction), then record the text layer,
    the text and the fields, and pass them to its copy. Returns the scan's OCR state; a scan
    already read (or gone) is left as it is, so running twice changes nothing."""
    with agency_scope(agency_id):
        scan = IntakeScan.objects.select_related("original").filter(pk=scan_id).first()
        if scan is None:
            return "gone"
        if scan.ocr_state != OcrState.PENDING:
            return scan.ocr_state
        if not ocr_available():
            return _ocr_finish(scan_id, state=OcrState.UNAVAILABLE)
        with stored_file_open(sha256=scan.original_id) as fh:
            data = fh.read()
        try:
            result = pdf_ocr(data)
        except OcrFailed:
            return _ocr_finish(scan_id, state=OcrState.FAILED)
        searchable = stored_file_put_bytes(data=result.pdf, content_type=PDF) if result.text_layer_added else None
        return _ocr_finish(scan_id, state=OcrState.DONE, text=result.text,
                           fields=result.fields.as_dict(), searchable=searchable)


def intake_scan_get(*, scan_id: UUID | str) -> IntakeScan:
    """A scan of the active agency; NotFound otherwise."""
    scan = IntakeScan.objects.filter(pk=scan_id).first()
    if scan is None:
        raise NotFound(_("Không tìm thấy bản quét."))
    return scan


def intake_scans_unregistered(*, scan_ids: Sequence[UUID | str], lock: bool = False) -> list[IntakeScan]:
    """The agency's scans of ``scan_ids``, in that order, not yet attached to a copy; 400 on
    ``scan_ids`` otherwise."""
    rows = IntakeScan.objects.select_related("original", "searchable").filter(pk__in=list(scan_ids))
    if lock:
        rows = rows.select_for_update(of=("self",))
    found = {str(s.pk): s for s in rows}
    missing = [str(i) for i in scan_ids if str(i) not in found or found[str(i)].incoming_id]
    if missing:
        raise ValidationError({"scan_ids": [_("Bản quét không có hoặc đã vào sổ: %s") % ", ".join(missing)]})
    return [found[str(i)] for i in scan_ids]


def _ocr_finish(scan_id, *, state: str, text: str = "", fields: dict | None = None, searchable=None) -> str:
    with service_transaction():
        scan = IntakeScan.objects.select_for_update().filter(pk=scan_id).first()
        if scan is None or scan.ocr_state != OcrState.PENDING:
            return scan.ocr_state if scan else "gone"
        scan.ocr_state, scan.ocr_text, scan.ocr_fields = state, text, fields or {}
        scan.searchable = searchable
        scan.save(update_fields=["ocr_state", "ocr_text", "ocr_fields", "searchable"])
        if scan.attachment_id is None or searchable is None and not text:
            return state
        incoming = IncomingDocument.objects.select_for_update().get(pk=scan.incoming_id)
        if searchable is not None:
            IncomingAttachment.objects.filter(pk=scan.attachment_id).update(file=searchable, size=searchable.size)
            outbox_enqueue_many(tasks=verification_work([searchable.sha256]))
        _copy_text_refresh(incoming)
        event_record(
            agency_id=incoming.agency_id, action="incoming.ocr_done", object_type=INCOMING_OBJECT,
            object_id=incoming.pk, state_before=incoming.status_code, state_after=incoming.status_code,
            actor_label="OCR", data={"attachment": str(scan.attachment_id), "characters": len(text)},
        )
        stamp_work_record(incoming=incoming, reason=f"ocr:{scan.pk}")  # on the searchable file
        return state


def _copy_text_refresh(incoming: IncomingDocument) -> None:
    """The copy's OCR text is its scans' text, in upload order; its search text follows."""
    texts = IntakeScan.objects.filter(incoming_id=incoming.pk).order_by("created_at", "id").values_list("ocr_text", flat=True)
    ocr_text = "\n".join(t for t in texts if t)
    if ocr_text != incoming.ocr_text:
        incoming.ocr_text = ocr_text
        incoming.save(update_fields=["ocr_text", "updated_at"])


def _copy_for_scan(incoming_id, *, lock: bool = False) -> IncomingDocument:
    copies = IncomingDocument.objects.select_for_update() if lock else IncomingDocument.objects
    incoming = copies.filter(pk=incoming_id).first()
    if incoming is None:
        raise NotFound(_("Không tìm thấy văn bản đến."))
    if incoming.incoming_number is None:
        raise InvalidState(_("Văn bản chưa vào sổ."), state=incoming.status)
    if incoming.secrecy != Secrecy.NORMAL:
        raise scan_refused(_("Văn bản mật không được đưa bản quét lên hệ thống."))
    return incoming


def scan_pdf(files: Sequence[Upload]) -> tuple[str, bytes, int]:
    """(name, PDF bytes, pages) of the upload: one PDF, or the images made one PDF in order."""
    if not files:
        raise scan_refused(_("Chưa chọn tệp."))
    kinds, blobs = [], []
    for name, chunks in files:
        with spooled(chunks) as upload:
            with open(upload.path, "rb") as fh:
                data = fh.read()
            if scan_type_detect(data[:8]) is None:
                raise scan_refused(_("Chỉ nhận bản quét PDF, JPEG, PNG hoặc TIFF (xét theo nội dung tệp)."))
            kind = upload_check(path=upload.path, name=name, allowed=SCANS).content_type
        kinds.append(kind)
        blobs.append(data)
    stem = attachment_name_clean(files[0][0]).rsplit(".", 1)[0]
    if PDF in kinds:
        if len(files) > 1:
            raise scan_refused(_("Gửi một tệp PDF, hoặc nhiều ảnh của cùng một văn bản."))
        data = blobs[0]
    else:
        try:
            data = images_to_pdf(blobs)
        except ImageError:
            raise scan_refused(_("Ảnh bị hỏng, không đọc được.")) from None
    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except Exception:
        raise scan_refused(_("Tệp PDF bị hỏng, không đọc được.")) from None
    return f"{stem}.pdf", data, pages
