"""Handing closed files to the agency archive (nộp lưu, Decree 30 Art. 30–31).

``archive_transfer_create`` records the transfer, marks its files transferred (still readable)
and enqueues the package; ``archive_package_build`` (the worker) renders the handover list and
record and streams every document into a BagIt ZIP on disk, reporting progress as it goes, then
stores the ZIP by SHA-256. Documents are kept byte for byte: a signed PDF rewritten as PDF/A
would no longer verify, so the package keeps originals, adds a PDF/A-2b rendition beside each
unsigned PDF (``…/pdfa/``) and says per file whether it is signed and whether a rendition exists.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone

from docflow.audit.services import event_record
from docflow.documents.files import Spooled, stored_file_open, stored_file_put, stored_file_put_bytes
from docflow.documents.models import Attachment
from docflow.outbox.services import outbox_enqueue
from docflow.records.bagit_zip import BagZipWriter, file_chunks
from docflow.records.contents import PDF, document_parts
from docflow.records.metadata import document_metadata, file_key, file_metadata, note_metadata, safe_name
from docflow.records.pdfa import pdfa_rendition
from docflow.records.models import (
    ArchiveTransfer, ArchiveTransferFile, FileDocument, FileState, TransferState, WorkFile,
    retention_label,
)
from docflow.records.permissions import require_transfer_role
from docflow.rendering.handover import HandoverRecord, render_handover_record
from docflow.rendering.registers import RegisterColumn, render_register_pdf
from docflow.routing.models import IncomingAttachment
from docflow.tenancy.models import Membership
from docflow.core.scoping import agency_scope
from docflow.core.services import service, service_transaction

BUILD_TASK = "records.archive_package"
AUDIT_OBJECT = "archive_transfer"
PROGRESS_EVERY = 50
HANDOVER_COLUMNS = (
    RegisterColumn("STT", 0.5), RegisterColumn("Số và ký hiệu hồ sơ", 1.3),
    RegisterColumn("Tiêu đề hồ sơ", 3.6), RegisterColumn("Thời gian tài liệu", 1.4),
    RegisterColumn("Thời hạn bảo quản", 1.0), RegisterColumn("Số văn bản", 0.8),
    RegisterColumn("Số trang", 0.8), RegisterColumn("Ghi chú", 1.2),
)


@service
def archive_transfer_create(*, actor: Membership, file_ids: list) -> ArchiveTransfer:
    """Hand closed files to the archive (clerk, archivist): 400 on ``files`` naming any id that is
    not a closed file of the agency; the files become transferred in the same transaction."""
    require_transfer_role(actor)
    try:
        wanted = list(dict.fromkeys(UUID(str(i)) for i in file_ids or []))
    except ValueError:
        raise ValidationError({"files": ["Mã hồ sơ không hợp lệ."]}) from None
    if not wanted:
        raise ValidationError({"files": ["Chọn ít nhất một hồ sơ đã kết thúc."]})
    files = {f.pk: f for f in WorkFile.objects.select_for_update().filter(pk__in=wanted)}
    wrong = [str(pk) for pk in wanted if pk not in files or files[pk].state != FileState.CLOSED]
    if wrong:
        raise ValidationError({"files": [f"Không phải hồ sơ đã kết thúc, chưa nộp lưu: {', '.join(wrong)}"]})
    now = timezone.now()
    ordered = sorted(files.values(), key=lambda f: (f.year, f.code))
    transfer = ArchiveTransfer.objects.create(
        agency_id=actor.agency_id, requested_by=actor.user,
        documents_total=sum(f.document_count for f in ordered),
    )
    ArchiveTransferFile.objects.bulk_create([
        ArchiveTransferFile(agency_id=actor.agency_id, transfer=transfer, work_file=f, position=i)
        for i, f in enumerate(ordered, start=1)
    ])
    WorkFile.objects.filter(pk__in=wanted).update(state=FileState.TRANSFERRED, transferred_at=now)
    event_record(agency_id=actor.agency_id, action="archive_transfer.created", object_type=AUDIT_OBJECT,
                 object_id=transfer.id,
                 data={"files": [f.code for f in ordered]})
    outbox_enqueue(task_name=BUILD_TASK, queue="pdf", dedup_key=f"archive_transfer:{transfer.id}",
                   kwargs={"agency_id": actor.agency_id, "transfer_id": str(transfer.id)})
    return transfer


def _transfer_files(transfer: ArchiveTransfer) -> list[WorkFile]:
    return [i.work_file for i in transfer.items.select_related(
        "work_file__unit", "work_file__responsible").order_by("position")]


def _years(files: list[WorkFile]) -> str:
    years = sorted({f.year for f in files})
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])


def handover_list_pdf(*, transfer: ArchiveTransfer, files: list[WorkFile]) -> bytes:
    """Mục lục hồ sơ, tài liệu nộp lưu: one row per file."""
    rows = [
        [str(i), f.code, f.title, str(f.year), retention_label(f.retention_years),
         str(f.document_count), str(f.page_count), f.closing_note[:120]]
        for i, f in enumerate(files, start=1)
    ]
    return render_register_pdf("Mục lục hồ sơ, tài liệu nộp lưu", transfer.created_at.year,
                               HANDOVER_COLUMNS, rows)


def handover_record_pdf(*, transfer: ArchiveTransfer, files: list[WorkFile]) -> bytes:
    agency = transfer.agency
    return render_handover_record(HandoverRecord(
        agency_name=agency.name, place=agency.place, on=timezone.localdate(transfer.created_at),
        giver=transfer.requested_by.get_full_name(), receiver="Lưu trữ cơ quan",
        file_count=len(files), document_count=sum(f.document_count for f in files),
        page_count=sum(f.page_count for f in files), years=_years(files),
        package_name=f"{package_root(transfer)}.zip",
    ))


def package_root(transfer: ArchiveTransfer) -> str:
    return f"nop-luu-{transfer.agency.code}-{transfer.created_at:%Y%m%d}-{str(transfer.id)[-8:]}"


FILES_PER_BATCH = 50


def _file_items(files: list[WorkFile]) -> dict:
    """The documents of a batch of files with their attachments, by file: three queries a batch,
    whatever the files hold (a batch of 50 files of 20 documents is ~1,000 rows in memory)."""
    rows = (FileDocument.objects.filter(work_file__in=files).order_by("work_file_id", "position")
            .select_related("incoming", "outgoing", "outgoing__signed_by", "added_by")
            .prefetch_related(
                Prefetch("incoming__attachments", queryset=IncomingAttachment.objects.order_by("id")),
                Prefetch("outgoing__attachments", queryset=Attachment.objects.order_by("created_at", "id"))))
    items: dict = {f.pk: [] for f in files}
    for item in rows:
        items[item.work_file_id].append(item)
    return items


def _rendition(bag: BagZipWriter, part, path: str, signed: bool) -> dict:
    """The PDF/A-2b copy beside an unsigned PDF original, or why there is none (never raises)."""
    if part.content_type != PDF:
        return {"ban_pdfa": None, "ly_do_khong_co_ban_pdfa": "khong_phai_pdf"}
    if signed:  # a rewritten signed PDF would no longer verify: the signed original is the record
        return {"ban_pdfa": None, "ly_do_khong_co_ban_pdfa": "chu_ky_so_giu_nguyen_ban_goc"}
    made = pdfa_rendition(sha256=part.sha256)
    if made.failure:
        return {"ban_pdfa": None, "ly_do_khong_co_ban_pdfa": f"chuyen_doi_loi: {made.failure}"}
    try:
        with open(made.path, "rb") as fh:
            sha256, size, _ = bag.add_stream(path, file_chunks(fh))
    finally:
        made.discard()
    return {"ban_pdfa": {"duong_dan": f"data/{path}", "sha256": sha256, "kich_thuoc": size,
                         "dinh_dang": PDF, "pdfa": "2b", "nguon": "ghostscript"},
            "ly_do_khong_co_ban_pdfa": ""}


def _write_file(bag: BagZipWriter, transfer: ArchiveTransfer, work_file: WorkFile, items: list, done: int) -> int:
    key = file_key(transfer.agency.code, work_file)
    folder = safe_name(f"{work_file.year}-{work_file.code}")
    documents = []
    for item in items:
        if item.kind == "note":
            documents.append(note_metadata(key=key, item=item))
            continue
        stem = f"{folder}/{item.position:04d}-{safe_name(item.document.notation or item.kind, limit=40)}"
        files = []
        for part in document_parts(item.document):
            path = f"{stem}/{safe_name(part.name)}"
            with stored_file_open(sha256=part.sha256) as fh:
                sha256, size, signed = bag.add_stream(path, file_chunks(fh))
            if sha256 != part.sha256:  # storage returned other bytes than it stored
                raise ValueError(f"checksum mismatch for {part.sha256}")
            files.append({"duong_dan": f"data/{path}", "sha256": sha256, "kich_thuoc": size,
                          "dinh_dang": part.content_type, "van_ban_chinh": part.is_main,
                          "chu_ky_so": signed, "pdfa": False, "giu_nguyen_ban_goc": True,
                          **_rendition(bag, part, f"{stem}/pdfa/{safe_name(part.name)}", signed)})
        documents.append(document_metadata(key=key, agency=transfer.agency, item=item, files=files))
        done += 1
        if done % PROGRESS_EVERY == 0:
            ArchiveTransfer.objects.filter(pk=transfer.pk).update(documents_done=done)
    meta = file_metadata(key=key, agency=transfer.agency, work_file=work_file, documents=documents)
    # No indent: only then does json use its C encoder (a package holds 20,000 of these records).
    bag.add_bytes(f"{folder}/ho-so.json", json.dumps(meta, ensure_ascii=False).encode())
    return done


def _write_package(out, transfer: ArchiveTransfer, files: list[WorkFile], handover: tuple) -> int:
    """The bag into ``out``: the handover PDFs, then the files' documents 50 files at a time."""
    with BagZipWriter(out, root=package_root(transfer)) as bag:
        for name, stored in zip(("muc-luc-ho-so.pdf", "bien-ban-giao-nhan.pdf"), handover, strict=True):
            with stored_file_open(sha256=stored.sha256) as fh:
                bag.add_stream(name, file_chunks(fh))
        done = 0
        for start in range(0, len(files), FILES_PER_BATCH):
            batch = files[start:start + FILES_PER_BATCH]
            items = _file_items(batch)
            for work_file in batch:
                done = _write_file(bag, transfer, work_file, items[work_file.pk], done)
        bag.close(today=timezone.localdate(), bag_info={
            "Source-Organization": transfer.agency.name,
            "Organization-Address": transfer.agency.place or transfer.agency.name,
            "External-Identifier": str(transfer.id),
            "External-Description": f"Hồ sơ nộp lưu: {len(files)} hồ sơ, {done} văn bản",
            "Docflow-Agency-Code": transfer.agency.code,
            "Docflow-PDF-Policy": "originals kept byte for byte; PDF/A-2b rendition beside each unsigned PDF;"
                                  " signed PDFs never rewritten",
        })
    return done


def archive_package_build(*, agency_id: int, transfer_id) -> str | None:
    """Build and store the transfer's package; returns its SHA-256 (None when the transfer is gone).

    Safe to run twice: a transfer with a package is returned as it is; of two concurrent runs
    the first to commit sets it. Memory stays bounded: documents are streamed into a ZIP on disk.
    """
    with agency_scope(agency_id):
        transfer = ArchiveTransfer.objects.select_related("agency", "requested_by").filter(pk=transfer_id).first()
        if transfer is None:
            return None
        if transfer.package_sha256:
            return transfer.package_sha256
        ArchiveTransfer.objects.filter(pk=transfer.pk).update(state=TransferState.BUILDING, documents_done=0)
        files = _transfer_files(transfer)
        listing = stored_file_put_bytes(data=handover_list_pdf(transfer=transfer, files=files),
                                        content_type="application/pdf")
        record = stored_file_put_bytes(data=handover_record_pdf(transfer=transfer, files=files),
                                       content_type="application/pdf")
        fd, path = tempfile.mkstemp(prefix="docflow-bag-", suffix=".zip", dir=settings.FILE_UPLOAD_TEMP_DIR)
        try:
            with os.fdopen(fd, "w+b") as out:
                done = _write_package(out, transfer, files, (listing, record))
                out.flush()
                size, digest = out.tell(), hashlib.sha256()
                out.seek(0)
                for chunk in file_chunks(out, 1024 * 1024):
                    digest.update(chunk)
            stored = stored_file_put(source=Spooled(path=path, size=size, sha256=digest.hexdigest()),
                                     content_type="application/zip").file
        finally:
            os.unlink(path)
        with service_transaction():
            won = ArchiveTransfer.objects.filter(pk=transfer.pk, package_sha256="").update(
                package_sha256=stored.sha256, package_size=size, handover_list_sha256=listing.sha256,
                handover_record_sha256=record.sha256, state=TransferState.READY, documents_done=done,
                ready_at=timezone.now(),
            )
            if not won:
                return ArchiveTransfer.objects.values_list("package_sha256", flat=True).get(pk=transfer.pk)
            event_record(agency_id=agency_id, action="archive_transfer.ready", object_type=AUDIT_OBJECT,
                         object_id=transfer.id, data={"sha256": stored.sha256, "size": size})
        return stored.sha256
