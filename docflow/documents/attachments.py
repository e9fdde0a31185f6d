"""Attaching files to an outgoing document.

The upload is spooled and hashed, its type decided from its bytes and its content checked
before anything is stored; only then are the bytes stored once by SHA-256 and the attachment
row written with its audit event. A refused upload leaves no ``StoredFile`` and no stored bytes.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable
from uuid import UUID

from django.utils.translation import gettext as _

from docflow.audit.services import event_record
from docflow.core.errors import InvalidState, NotPermitted
from docflow.documents.content_checks import content_type_detect
from docflow.documents.files import (
    spooled,
    stored_file_forget_if_orphan,
    stored_file_put,
)
from docflow.documents.models import AUDIT_OBJECT, Attachment, OutgoingDocument, OutgoingState
from docflow.documents.selectors import document_get, document_locked
from docflow.tenancy.models import Membership
from docflow.core.scoping import agency_scope
from docflow.core.services import service_transaction

DEFAULT_NAME = "tep-dinh-kem"


def attachment_name_clean(name: str) -> str:
    """The file's base name, normalized (NFC), without control characters, at most 255 chars."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = base.strip().strip(".")
    if not base:
        return DEFAULT_NAME
    stem, ext = os.path.splitext(base)
    return stem[: 255 - len(ext[:20])] + ext[:20]


def _check_may_attach(actor: Membership, document: OutgoingDocument) -> None:
    """Drafter or clerk while it is a draft; a clerk also once approved (the signed scan)."""
    is_drafter = document.drafter_id == actor.user_id
    is_clerk = actor.has_role("clerk")
    if not (is_drafter or is_clerk):
        raise NotPermitted(_("Chỉ người soạn thảo hoặc văn thư được đính kèm tệp."))
    if document.state == OutgoingState.DRAFT:
        return
    if document.state == OutgoingState.APPROVED and is_clerk:
        return
    raise InvalidState(_("Không thể đính kèm tệp ở trạng thái này."), state=document.state)


def attachment_add(
    *, actor: Membership, document_id: UUID | str, name: str, chunks: Iterable[bytes]
) -> Attachment:
    """Attach the bytes in ``chunks`` (read once, streamed) to a document of the actor's agency.

    Refused with 400 on ``file``: over ``DOCFLOW_MAX_UPLOAD_BYTES``, a type other than PDF, DOCX,
    XLSX, ODT, PNG, JPEG (by content), an active PDF, a ZIP over its bounds. Role 403, state 409.
    """
    with agency_scope(actor.agency_id):
        document = document_get(document_id=document_id)
        _check_may_attach(actor, document)  # before reading the upload: refuse early
        with spooled(chunks) as upload:
            content_type = content_type_detect(upload.path)
            put = None
            try:
                with service_transaction():
                    document = document_locked(document_id=document.pk)
                    _check_may_attach(actor, document)  # the state may have moved meanwhile
                    put = stored_file_put(source=upload, content_type=content_type)
                    return _attachment_row(actor, document, name, put.file)
            except BaseException:
                if put is not None:  # the row rolled back: take back bytes only this call wrote
                    stored_file_forget_if_orphan(put=put)
                raise


def _attachment_row(actor: Membership, document: OutgoingDocument, name: str, stored) -> Attachment:
    attachment = Attachment.objects.create(
        agency_id=actor.agency_id, document=document, name=attachment_name_clean(name),
        file=stored, size=stored.size, content_type=stored.content_type, uploaded_by=actor.user,
    )
    event_record(
        agency_id=actor.agency_id, action="outgoing.attachment_added", object_type=AUDIT_OBJECT,
        object_id=document.pk, actor_id=actor.user_id, state_before=document.state,
        state_after=document.state,
        data={"attachment": str(attachment.pk), "name": attachment.name, "sha256": stored.sha256},
    )
    return attachment
