"""Reading the active agency's files; every query is scoped, and counts do not grow with rows."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from docflow.core.errors import NotFound
from docflow.core.text import fold
from docflow.documents.models import OutgoingDocument
from docflow.records.models import ArchiveTransfer, FileDocument, FileState, WorkFile
from docflow.routing.models import IncomingDocument, Status
from docflow.tenancy.models import Membership


def _uuid(value, message: str) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        raise NotFound(message) from None


def files_list(*, q: str = "", state: str = "", year: int | None = None) -> QuerySet[WorkFile]:
    """Files of the active agency, filtered; ``q`` matches code and title ignoring diacritics."""
    files = WorkFile.objects.select_related("responsible", "unit").order_by("-year", "code", "id")
    if q:
        files = files.filter(search_text__contains=fold(q))
    if state:
        files = files.filter(state=state)
    if year:
        files = files.filter(year=year)
    return files


def file_items() -> QuerySet[FileDocument]:
    return (FileDocument.objects.select_related("incoming", "outgoing", "added_by")
            .order_by("position"))


def work_file_get(*, file_id) -> WorkFile:
    """One file with its documents in order (two queries whatever their number); NotFound for
    another agency's id."""
    pk = _uuid(file_id, "Không tìm thấy hồ sơ.")
    work_file = (WorkFile.objects.select_related("responsible", "unit", "closed_by", "entry")
                 .prefetch_related(Prefetch("documents", queryset=file_items())).filter(pk=pk).first())
    if work_file is None:
        raise NotFound("Không tìm thấy hồ sơ.")
    return work_file


def work_file_require(*, file_id) -> None:
    """NotFound unless the active agency has this file (one cheap query)."""
    if not WorkFile.objects.filter(pk=_uuid(file_id, "Không tìm thấy hồ sơ.")).exists():
        raise NotFound("Không tìm thấy hồ sơ.")


def my_open_files(*, member: Membership) -> QuerySet[WorkFile]:
    """Open files the member keeps."""
    return files_list(state=FileState.OPEN).filter(responsible_id=member.user_id)


def incoming_unfiled(*, member: Membership) -> QuerySet[IncomingDocument]:
    """Completed incoming documents the member led that no file holds yet."""
    filed = FileDocument.objects.filter(incoming_id=OuterRef("pk"))
    return (IncomingDocument.objects.filter(status_code=Status.COMPLETED, lead_id=member.user_id)
            .filter(~Exists(filed)).order_by("-completed_at", "-id"))


def files_holding(*, incoming_id=None, outgoing_id=None) -> QuerySet[WorkFile]:
    """Files a document sits in (original first)."""
    field = "incoming_id" if incoming_id else "outgoing_id"
    value = incoming_id or outgoing_id
    return (WorkFile.objects.filter(**{f"documents__{field}": value})
            .order_by("-documents__is_original", "code").distinct())


def files_suggested(*, incoming_id=None, outgoing_id=None) -> QuerySet[WorkFile]:
    """Open files a document most likely belongs to: for a reply, the files of what it answers;
    for an incoming document answered by one of ours, the files of that reply."""
    if outgoing_id:
        # The copy a reply was drafted from, or the copy completed with it.
        drafted_from = OutgoingDocument.objects.filter(pk=outgoing_id).values("reply_to_incoming_id")
        answered = IncomingDocument.objects.filter(Q(reply_outgoing_id=outgoing_id) | Q(pk__in=drafted_from))
        files = WorkFile.objects.filter(documents__incoming_id__in=answered.values("pk"))
    else:
        replies = OutgoingDocument.objects.filter(reply_to_incoming_id=incoming_id).values("pk")
        completed_with = IncomingDocument.objects.filter(pk=incoming_id).values("reply_outgoing_id")
        files = WorkFile.objects.filter(Q(documents__outgoing_id__in=replies)
                                        | Q(documents__outgoing_id__in=completed_with))
    return files.filter(state=FileState.OPEN).order_by("code").distinct()


def files_due_for_transfer() -> QuerySet[WorkFile]:
    """Closed files not yet handed to the archive, oldest first."""
    return files_list(state=FileState.CLOSED).order_by("closed_at", "id")


def files_past_retention(*, year: int) -> QuerySet[WorkFile]:
    """Files whose retention ends by the end of ``year``: a list for review, never deletion."""
    return (files_list().exclude(state=FileState.OPEN)
            .filter(disposal_on__isnull=False, disposal_on__lte=dt.date(year, 12, 31))
            .order_by("disposal_on", "code"))


def transfers_list() -> QuerySet[ArchiveTransfer]:
    return ArchiveTransfer.objects.select_related("requested_by").order_by("-created_at", "-id")


def transfer_get(*, transfer_id) -> ArchiveTransfer:
    pk = _uuid(transfer_id, "Không tìm thấy đợt nộp lưu.")
    transfer = transfers_list().filter(pk=pk).first()
    if transfer is None:
        raise NotFound("Không tìm thấy đợt nộp lưu.")
    return transfer
