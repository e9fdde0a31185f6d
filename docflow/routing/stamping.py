"""The incoming stamp ("dấu đến") on a received copy's PDF attachments, made after commit.

``incoming_accept`` records stamp work (``stamp_work_record``) when the copy has a PDF
attachment; ``incoming_assign`` records it again, so that the stamp's "Chuyển:" line names the
lead handler the leader chose, as a clerk fills in the rubber stamp once the leader has decided.
The task (``pdf.stamp_incoming``) runs ``incoming_attachments_stamp``, which always stamps the
copy as it is *now* (agency, incoming number, time received, lead handler): two runs, or runs
out of order, end with the same stamped files. Stamped bytes are stored content-addressed in
``IncomingAttachment.stamped_sha256``; the original file is never changed.

A PDF that cannot be stamped (damaged, encrypted) keeps only its original: the failure is
logged and the task ends normally, because running it again would fail the same way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


from docflow.core.errors import NotFound
from docflow.documents.files import stored_file_open, stored_file_put_bytes
from docflow.outbox.models import OutboxTask
from docflow.outbox.services import MAX_SENDS, outbox_enqueue_many
from docflow.rendering.stamp import StampError, stamp_incoming
from docflow.routing.models import IncomingAttachment, IncomingDocument
from docflow.tenancy.models import Membership, User
from docflow.core.scoping import agency_scope
from docflow.core.services import service_transaction

log = logging.getLogger(__name__)

STAMP_TASK = "pdf.stamp_incoming"
PDF = "application/pdf"
# A copy whose stamp inputs change while it is being stamped is stamped again, this many times.
ATTEMPTS = 3


@dataclass(frozen=True)
class StampInputs:
    """Everything the stamp prints, and which attachments carry it: equal inputs, equal files."""

    agency_name: str
    incoming_number: int
    received_at: datetime
    note: str
    file_code: str  # "Lưu hồ sơ số": the work file (hồ sơ) the copy is kept in; blank when none
    attachments: tuple[tuple[UUID, str], ...]  # (attachment id, original file's sha256)


def stamp_work_record(*, incoming: IncomingDocument, reason: str) -> None:
    """Inside the handling service's transaction: stamp this copy's PDFs after commit (once
    per ``reason``: "accept", or the assignment's event id). Nothing when it has no PDF."""
    if not IncomingAttachment.objects.filter(incoming_id=incoming.pk, content_type=PDF).exists():
        return
    # One INSERT that skips a task already recorded for this reason (no lookup, no savepoint).
    outbox_enqueue_many(tasks=[{
        "task_name": STAMP_TASK, "queue": "pdf", "dedup_key": f"stamp:{incoming.pk}:{reason}",
        "kwargs": {"agency_id": incoming.agency_id, "incoming_id": str(incoming.pk)},
    }])


def incoming_attachments_stamp(*, agency_id: int, incoming_id: UUID | str) -> int:
    """Stamp every PDF attachment of an accepted copy as the copy is now; returns how many
    attachments got a new stamped file.

    0 when the copy is gone, not (or no longer) registered, or already stamped this way. The
    stamps are drawn outside any transaction; they are saved only if the copy's stamp inputs
    are still the same under a row lock, else drawn again.
    """
    with agency_scope(agency_id):
        for _attempt in range(ATTEMPTS):
            inputs = _inputs(incoming_id)
            if inputs is None:
                return 0
            stamped = {
                attachment_id: sha256
                for attachment_id, original in inputs.attachments
                if (sha256 := _stamp_file(original, inputs)) is not None
            }
            with service_transaction():
                if _inputs(incoming_id, lock=True) != inputs:
                    continue  # assigned (or re-registered) meanwhile: stamp what it is now
                return sum(
                    IncomingAttachment.objects.filter(pk=pk).exclude(stamped_sha256=sha256)
                    .update(stamped_sha256=sha256)
                    for pk, sha256 in stamped.items()
                )
    return 0  # it kept changing; the work recorded by the latest change stamps it


def incoming_attachment_get(*, incoming_id: UUID | str, attachment_id: UUID | str) -> IncomingAttachment:
    """An attachment of a copy of the active agency, with its copy; NotFound otherwise."""
    attachment = (
        IncomingAttachment.objects.select_related("incoming")
        .filter(pk=attachment_id, incoming_id=incoming_id).first()
    )
    if attachment is None:
        raise NotFound("Không tìm thấy tệp đính kèm.")
    return attachment


@dataclass(frozen=True)
class FileVersion:
    """What a download of an attachment sends: its bytes, name and type."""

    sha256: str
    name: str
    content_type: str


def attachment_version(attachment: IncomingAttachment, *, stamped: bool) -> FileVersion | None:
    """The file as it arrived, or its copy with our "ĐẾN" stamp (``…-den.pdf``); None when the
    stamped copy was asked for and does not exist (yet)."""
    if not stamped:
        return FileVersion(attachment.file_id, attachment.name, attachment.content_type)
    if not attachment.stamped_sha256:
        return None
    return FileVersion(attachment.stamped_sha256, f"{attachment.name.rsplit('.', 1)[0]}-den.pdf", PDF)


def incoming_stamp_pending(*, incoming_id: UUID | str) -> bool:
    """Whether stamp work for this copy is recorded and not finished (nor given up)."""
    return OutboxTask.objects.filter(
        task_name=STAMP_TASK, dedup_key__startswith=f"stamp:{incoming_id}:",
        done_at__isnull=True, send_count__lt=MAX_SENDS,
    ).exists()


def stamp_note(incoming: IncomingDocument) -> str:
    """The stamp's "Chuyển:" line: the lead handler and their unit in the copy's agency, once a
    leader assigned one. Read by the lead's id, not through ``incoming.lead``: a copy loaded
    without its lead (or whose lead changed since) still gets the name stored now."""
    if incoming.lead_id is None:
        return ""
    lead = User.objects.filter(pk=incoming.lead_id).first()
    unit = (
        Membership.objects.filter(user_id=incoming.lead_id, agency_id=incoming.agency_id, unit__isnull=False)
        .values_list("unit__name", flat=True).first()
    )
    return " - ".join(p for p in (lead.get_full_name() if lead else "", unit or "") if p)


def _inputs(incoming_id, *, lock: bool = False) -> StampInputs | None:
    copies = IncomingDocument.objects.select_related("agency")
    if lock:
        copies = copies.select_for_update(of=("self",))
    copy = copies.filter(pk=incoming_id).first()
    if copy is None or copy.incoming_number is None or copy.received_at is None:
        return None
    attachments = IncomingAttachment.objects.filter(incoming_id=copy.pk, content_type=PDF)
    return StampInputs(
        agency_name=copy.agency.short_name or copy.agency.name,
        incoming_number=copy.incoming_number,
        received_at=copy.received_at,
        note=stamp_note(copy),
        file_code="",  # copies are not filed in a work file (hồ sơ) yet: the stamp shows the blank
        attachments=tuple(attachments.order_by("id").values_list("id", "file_id")),
    )


def _stamp_file(original_sha256: str, inputs: StampInputs) -> str | None:
    """The stamped copy of one stored PDF, stored by hash; None when it cannot be stamped."""
    with stored_file_open(sha256=original_sha256) as fh:
        data = fh.read()
    try:
        stamped = stamp_incoming(
            data, agency_name=inputs.agency_name, incoming_number=inputs.incoming_number,
            received_at=inputs.received_at, handling_note=inputs.note, file_code=inputs.file_code,
        )
    except StampError as exc:  # damaged or encrypted: the same file fails the same way every time
        log.warning("incoming stamp: %s cannot be stamped (%s); the original is kept", original_sha256, exc)
        return None
    except Exception:  # pypdf choking while writing a file it could read: just as permanent
        log.exception("incoming stamp: %s could not be stamped; the original is kept", original_sha256)
        return None
    return stored_file_put_bytes(data=stamped, content_type=PDF).sha256
