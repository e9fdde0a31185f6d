"""Writes on work files: open, add documents and notes, reorder, close, reopen.

Each service is one transaction with its audit event. A closed or transferred file refuses
every change with ``InvalidState`` (409), whoever asks; only the agency admin reopens it.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import F, Max
from django.utils import timezone

from docflow.audit.services import event_record
from docflow.core.errors import InvalidState, NotFound
from docflow.documents.models import OutgoingDocument
from docflow.records.contents import document_page_count
from docflow.records.file_list import file_entry_create, member_by_username, refused_if_taken, unit_by_symbol
from docflow.records.models import FileDocument, FileListEntry, FileState, WorkFile
from docflow.records.permissions import require_closer, require_list_keeper, require_reopener
from docflow.routing.models import IncomingDocument
from docflow.tenancy.models import Membership
from docflow.core.services import service

AUDIT_OBJECT = "work_file"


def _locked_file(file_id: UUID | str) -> WorkFile:
    try:
        pk = file_id if isinstance(file_id, UUID) else UUID(str(file_id))
    except ValueError:
        raise NotFound("Không tìm thấy hồ sơ.") from None
    work_file = WorkFile.objects.select_for_update().filter(pk=pk).first()
    if work_file is None:
        raise NotFound("Không tìm thấy hồ sơ.")
    return work_file


def _require_open(work_file: WorkFile) -> None:
    if work_file.state != FileState.OPEN:
        raise InvalidState("Hồ sơ đã kết thúc, không thay đổi được.", state=work_file.state)


def _audit(actor: Membership, work_file: WorkFile, action: str, before: str = "", **data) -> None:
    event_record(agency_id=actor.agency_id, action=f"work_file.{action}", object_type=AUDIT_OBJECT,
                 object_id=work_file.id, state_before=before,
                 state_after=work_file.state, data={"code": work_file.code, **data})


@service
def work_file_open(
    *, actor: Membership, year: int | None = None, entry_id=None, code: str = "", title: str = "",
    retention: int | None = None, unit: str | None = None, responsible: str | None = None,
) -> WorkFile:
    """Open a file from a list entry (code, title, unit, keeper and retention from it) or ad hoc;
    an ad hoc file is added to the year's list in the same transaction."""
    require_list_keeper(actor)
    if entry_id:
        entry = FileListEntry.objects.filter(pk=entry_id).first()
        if entry is None:
            raise ValidationError({"entry": ["Không có dòng này trong danh mục hồ sơ."]})
    else:
        if year is None:
            raise ValidationError({"year": ["Cần năm của hồ sơ."]})
        entry = file_entry_create(actor=actor, year=year, code=code, title=title, retention=retention,
                                  unit=unit, responsible=responsible)
    if WorkFile.objects.filter(year=entry.year, code=entry.code).exists():
        raise ValidationError({"code": ["Đã có hồ sơ mang ký hiệu này trong năm."]})
    keeper = member_by_username(actor.agency_id, responsible, "responsible") if responsible else None
    work_file = WorkFile(
        agency_id=actor.agency_id, entry=entry, year=entry.year, code=entry.code, title=entry.title,
        unit=unit_by_symbol(actor.agency_id, unit) if unit else entry.unit,
        responsible=keeper or entry.responsible or actor.user, retention_years=entry.retention_years,
        opened_by=actor.user,
    )
    work_file.full_clean(exclude=["entry", "unit", "responsible", "opened_by"], validate_unique=False)
    with refused_if_taken("code", "Đã có hồ sơ mang ký hiệu này trong năm."):
        work_file.save()
    _audit(actor, work_file, "opened", year=entry.year)
    return work_file


def _document(agency_id: int, *, incoming_id, outgoing_id) -> IncomingDocument | OutgoingDocument:
    if bool(incoming_id) == bool(outgoing_id):
        raise ValidationError({"incoming_id": ["Cần đúng một trong incoming_id và outgoing_id."]})
    model, field, pk = ((IncomingDocument, "incoming_id", incoming_id) if incoming_id
                        else (OutgoingDocument, "outgoing_id", outgoing_id))
    try:
        document = model.objects.prefetch_related("attachments").filter(pk=UUID(str(pk))).first()
    except ValueError:
        document = None
    if document is None:  # another agency's document is not ours to file
        raise ValidationError({field: ["Không tìm thấy văn bản trong cơ quan."]})
    return document


@service
def work_file_document_add(
    *, actor: Membership, file_id, incoming_id=None, outgoing_id=None, is_original: bool | None = None,
    page_count: int | None = None,
) -> FileDocument:
    """Put a document of the actor's agency at the end of an open file (any member).

    The document is the original here unless it already is in another file, where it stays
    the original and this becomes a reference; the page count is read from its PDFs unless given.
    """
    work_file = _locked_file(file_id)
    _require_open(work_file)
    document = _document(actor.agency_id, incoming_id=incoming_id, outgoing_id=outgoing_id)
    kind = "incoming" if isinstance(document, IncomingDocument) else "outgoing"
    same = FileDocument.objects.filter(**{kind: document})
    if same.filter(work_file=work_file).exists():
        raise ValidationError({f"{kind}_id": ["Văn bản đã có trong hồ sơ này."]})
    has_original = same.filter(is_original=True).exists()
    if is_original and has_original:
        raise ValidationError({"is_original": ["Bản chính của văn bản đã nằm trong hồ sơ khác."]})
    if page_count is not None and page_count < 0:
        raise ValidationError({"page_count": ["Số trang không âm."]})
    pages = document_page_count(document) if page_count is None else page_count
    last = work_file.documents.aggregate(m=Max("position"))["m"] or 0
    with refused_if_taken(f"{kind}_id", "Văn bản vừa được lưu vào hồ sơ khác làm bản chính; hãy thử lại."):
        item = FileDocument.objects.create(
            agency_id=actor.agency_id, work_file=work_file, position=last + 1, page_count=pages,
            is_original=not has_original if is_original is None else is_original,
            added_by=actor.user, **{kind: document},
        )
    WorkFile.objects.filter(pk=work_file.pk).update(
        document_count=F("document_count") + 1, page_count=F("page_count") + pages)
    _audit(actor, work_file, "document_added", **{f"{kind}_id": str(document.pk),
                                                   "original": item.is_original})
    return item


NOTE_LIMIT = 4000


@service
def work_file_note_add(*, actor: Membership, file_id, note: str) -> FileDocument:
    """Write a handler's note (free text) into an open file as its next item (any member); notes
    are items in order but not documents, so the file's document and page counts stay."""
    text = (note or "").strip()
    if not text:
        raise ValidationError({"note": ["Cần nội dung ghi chú."]})
    if len(text) > NOTE_LIMIT:
        raise ValidationError({"note": [f"Ghi chú tối đa {NOTE_LIMIT} ký tự."]})
    work_file = _locked_file(file_id)
    _require_open(work_file)
    last = work_file.documents.aggregate(m=Max("position"))["m"] or 0
    item = FileDocument.objects.create(agency_id=actor.agency_id, work_file=work_file, position=last + 1,
                                       page_count=0, note=text, added_by=actor.user)
    _audit(actor, work_file, "note_added", item_id=str(item.pk))
    return item


@service
def work_file_documents_reorder(*, actor: Membership, file_id, order: list) -> None:
    """Set the order of an open file's documents: ``order`` lists every item id once."""
    work_file = _locked_file(file_id)
    _require_open(work_file)
    items = {str(i.pk): i for i in work_file.documents.all()}
    if sorted(map(str, order)) != sorted(items):
        raise ValidationError({"order": ["Cần liệt kê mỗi văn bản của hồ sơ đúng một lần."]})
    # Two passes keep the (file, position) constraint true between the UPDATEs.
    offset = len(items) + 1
    rows = [items[str(pk)] for pk in order]
    for index, item in enumerate(rows, start=1):
        item.position = offset + index
    FileDocument.objects.bulk_update(rows, ["position"])
    for index, item in enumerate(rows, start=1):
        item.position = index
    FileDocument.objects.bulk_update(rows, ["position"])
    _audit(actor, work_file, "reordered")


@service
def work_file_close(*, actor: Membership, file_id, note: str) -> WorkFile:
    """Close an open file with a note (its keeper, a clerk or the archivist); the disposal date
    follows from the retention period and the closing date."""
    work_file = _locked_file(file_id)
    require_closer(actor, work_file)
    _require_open(work_file)
    if not (note or "").strip():
        raise ValidationError({"note": ["Cần ghi chú kết thúc hồ sơ."]})
    now = timezone.now()
    work_file.state, work_file.closed_at, work_file.closed_by = FileState.CLOSED, now, actor.user
    work_file.closing_note = note.strip()
    work_file.disposal_on = WorkFile.disposal_date(closed_on=timezone.localdate(now),
                                                   years=work_file.retention_years)
    work_file.save(update_fields=["state", "closed_at", "closed_by", "closing_note", "disposal_on"])
    _audit(actor, work_file, "closed", before=FileState.OPEN, note=work_file.closing_note)
    return work_file


@service
def work_file_reopen(*, actor: Membership, file_id, reason: str) -> WorkFile:
    """Reopen a closed (not yet transferred) file: the agency admin, with the reason audited."""
    require_reopener(actor)
    work_file = _locked_file(file_id)
    if work_file.state != FileState.CLOSED:
        raise InvalidState("Chỉ mở lại được hồ sơ đã kết thúc và chưa nộp lưu.", state=work_file.state)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Cần lý do mở lại hồ sơ."]})
    work_file.state, work_file.closed_at, work_file.closed_by = FileState.OPEN, None, None
    work_file.disposal_on = None
    work_file.save(update_fields=["state", "closed_at", "closed_by", "disposal_on"])
    _audit(actor, work_file, "reopened", before=FileState.CLOSED, reason=reason.strip())
    return work_file
