"""Content-addressed file storage: the same bytes are stored once, under their SHA-256.

An upload is first spooled to a temporary file while it is hashed and counted (never held
whole in memory, refused as soon as it passes the size limit), then checked
(``documents.content_checks``), and only then put into Django's default storage under
``sha256/ab/cd/<hash>``. ``StoredFile`` rows are keyed by the hash; rows of every agency that
hold the same bytes point at the same ``StoredFile``. Nothing is written for a refused upload.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.utils.translation import gettext as _

from docflow.documents.models import StoredFile
from docflow.core.services import savepoint

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Spooled:
    """An upload on local disk: its path, size and SHA-256 (hex)."""

    path: str
    size: int
    sha256: str


def storage_name(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def max_upload_bytes() -> int:
    return settings.DOCFLOW_MAX_UPLOAD_BYTES


def too_large_error(limit: int) -> ValidationError:
    return ValidationError(
        {"file": [_("Tệp vượt quá dung lượng cho phép (%(mb)s MB).") % {"mb": limit // (1024 * 1024)}]}
    )


@contextmanager
def spooled(chunks: Iterable[bytes], *, limit: int | None = None) -> Iterator[Spooled]:
    """Copy ``chunks`` to a temporary file while hashing; the file is removed on exit.

    Raises ValidationError on ``file`` as soon as more than ``limit`` bytes arrived.
    """
    limit = max_upload_bytes() if limit is None else limit
    digest, size = hashlib.sha256(), 0
    fd, path = tempfile.mkstemp(prefix="docflow-upload-", dir=settings.FILE_UPLOAD_TEMP_DIR)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise too_large_error(limit)
                digest.update(chunk)
                out.write(chunk)
        yield Spooled(path=path, size=size, sha256=digest.hexdigest())
    finally:
        os.unlink(path)


def _storage_put(name: str, content: File) -> bool:
    """Write ``content`` at ``name`` unless it is there; True when this call wrote it."""
    if default_storage.exists(name):
        return False
    saved = default_storage.save(name, content)
    if saved != name:  # a concurrent writer stored the same bytes first; keep theirs
        default_storage.delete(saved)
        return False
    return True


def _stored_file_row(*, sha256: str, size: int, content_type: str) -> StoredFile:
    try:
        with savepoint():
            row, _created = StoredFile.objects.get_or_create(
                sha256=sha256,
                defaults={"size": size, "content_type": content_type, "storage_name": storage_name(sha256)},
            )
    except IntegrityError:  # created concurrently between get and create
        row = StoredFile.objects.get(sha256=sha256)
    return row


@dataclass
class StoredPut:
    """The row and whether this call wrote the bytes (so a failed caller can take them back)."""

    file: StoredFile
    wrote: bool


def stored_file_put(*, source: Spooled, content_type: str) -> StoredPut:
    """Store checked bytes once by hash and return their ``StoredFile``."""
    with open(source.path, "rb") as fh:
        wrote = _storage_put(storage_name(source.sha256), File(fh))
    row = _stored_file_row(sha256=source.sha256, size=source.size, content_type=content_type)
    return StoredPut(file=row, wrote=wrote)


def stored_file_put_bytes(*, data: bytes, content_type: str) -> StoredFile:
    """Store bytes we produced ourselves (rendered PDFs) once by hash."""
    sha256 = hashlib.sha256(data).hexdigest()
    _storage_put(storage_name(sha256), ContentFile(data))
    return _stored_file_row(sha256=sha256, size=len(data), content_type=content_type)


def stored_file_forget_if_orphan(*, put: StoredPut) -> None:
    """After a failed transaction: remove bytes this call wrote when no row points at them."""
    if put.wrote and not StoredFile.objects.filter(sha256=put.file.sha256).exists():
        default_storage.delete(storage_name(put.file.sha256))


def stored_file_open(*, sha256: str):
    """The stored bytes as a binary file object (the caller closes it)."""
    return default_storage.open(storage_name(sha256), "rb")
