"""Files chosen on a form that was sent back with errors: held, so the person need not choose
them again.

A browser cannot refill a file input, so the web form would silently drop the chosen file
whenever any other field had an error. ``upload_hold`` checks the file as an attachment would be
checked (a refused file is refused now, naming it), stores its bytes once by SHA-256 and returns
a signed token naming the bytes, the member and the agency; the form carries the token back,
and ``attachment_add_held`` attaches the same bytes. A token is worth nothing to anyone else
(signature, member and agency checked) and expires after a day.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from uuid import UUID

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from docflow.documents.attachments import attachment_add
from docflow.documents.content_checks import upload_check
from docflow.documents.files import spooled, stored_file_open, stored_file_put
from docflow.documents.models import Attachment
from docflow.tenancy.models import Membership

SALT = "docflow.documents.held-upload"
MAX_AGE = 24 * 3600
CHUNK = 64 * 1024


@dataclass(frozen=True)
class HeldUpload:
    token: str
    name: str
    size: int


def upload_hold(*, actor: Membership, name: str, chunks: Iterable[bytes]) -> HeldUpload:
    """Check and store an upload for a later ``attachment_add_held``; 400 on ``file`` as
    ``attachment_add`` would answer."""
    with spooled(chunks) as upload:
        checked = upload_check(path=upload.path, name=name)
        stored = stored_file_put(source=upload, content_type=checked.content_type).file
    clean = checked.name
    token = signing.dumps(
        {"sha256": stored.sha256, "name": clean, "size": stored.size,
         "agency": actor.agency_id, "user": actor.user_id},
        salt=SALT, compress=True,
    )
    return HeldUpload(token=token, name=clean, size=stored.size)


def held_upload_read(*, actor: Membership, token: str) -> HeldUpload:
    """The upload a token names, for showing it again; 400 on ``files`` for a bad or old token."""
    data = _load(actor, token)
    return HeldUpload(token=token, name=data["name"], size=data["size"])


def attachment_add_held(*, actor: Membership, document_id: UUID | str, token: str) -> Attachment:
    """Attach held bytes to a document, with every rule of ``attachment_add``."""
    data = _load(actor, token)
    with stored_file_open(sha256=data["sha256"]) as fh:
        return attachment_add(actor=actor, document_id=document_id, name=data["name"], chunks=_chunks(fh))


def _load(actor: Membership, token: str) -> dict:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise ValidationError({"files": [_("Tệp đã chọn trước đó không còn giữ được; hãy chọn lại.")]}) from None
    if data.get("agency") != actor.agency_id or data.get("user") != actor.user_id:
        raise ValidationError({"files": [_("Tệp đã chọn trước đó không còn giữ được; hãy chọn lại.")]})
    return data


def _chunks(fh) -> Iterator[bytes]:
    while chunk := fh.read(CHUNK):
        yield chunk
