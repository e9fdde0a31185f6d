"""Receiving uploaded files without keeping more than the limit allows.

Django writes uploads to memory or disk before a view sees them; ``limit_uploads`` puts a
counting handler first, so a file past ``DOCFLOW_MAX_UPLOAD_BYTES`` is dropped as it arrives
(the rest of it is read and discarded, never stored), and every file goes to a temporary file
on disk rather than memory. The view then answers 400 on the field with ``upload_refusal``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, TemporaryFileUploadHandler
from django.utils.translation import gettext as _

from docflow.documents.files import too_large_error


class SizeLimitHandler(FileUploadHandler):
    """Passes chunks on to the next handler until a file passes ``limit`` bytes, then skips it."""

    def __init__(self, request=None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_large: set[str] = set()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.too_large.add(self.field_name)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler makes the file


def limit_uploads(request) -> SizeLimitHandler:
    """Install the limit on a DRF request before its body is parsed; returns the limit handler.

    Refuses at once (400 on ``file``) when the declared length alone is over the limit.
    """
    limit = settings.DOCFLOW_MAX_UPLOAD_BYTES
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise too_large_error(limit)
    guard = SizeLimitHandler(request._request, limit=limit)
    request._request.upload_handlers = [guard, TemporaryFileUploadHandler(request._request)]
    return guard


def upload_refusal(guard: SizeLimitHandler, field: str) -> ValidationError | None:
    """The 400 for a file the guard dropped, if it did."""
    if field in guard.too_large:
        return too_large_error(guard.limit)
    return None


def uploads_received(request, guard: SizeLimitHandler, field: str = "file") -> list:
    """The files sent in ``field``, after the 400 for one the guard dropped or for none at all."""
    refusal = upload_refusal(guard, field)
    if refusal is not None:
        raise refusal
    files = request.FILES.getlist(field)
    if not files:
        raise ValidationError({field: [_("Chưa chọn tệp.")]})
    return files
