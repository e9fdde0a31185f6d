"""Issuing a document its leader signed by hand: the signed scan becomes the original.

The clerk prints the approved draft, the leader signs it on paper, the clerk writes on it the
number the issue page shows as next, seals and scans it. ``document_issue_paper_signed`` then
issues it as any other (``routing.issuing.document_issue``, one transaction): numbered in the
register, the scan (one PDF, or images made one PDF in order) stored as the main file that
every recipient receives the same day, in place of the rendered PDF. If the register's next
number is no longer the one written on the paper, nothing is taken (409) and the clerk
corrects the paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID


from django.utils.translation import gettext as _

from docflow.audit.services import event_record
from docflow.core.scoping import agency_scope
from docflow.core.services import service_transaction
from docflow.documents.files import stored_file_put_bytes
from docflow.documents.models import AUDIT_OBJECT, OutgoingDocument
from docflow.documents.selectors import document_get
from docflow.documents.types import Secrecy
from docflow.ocr.images import PDF
from docflow.routing.intake_scans import Upload, scan_pdf, scan_refused
from docflow.routing.issuing import document_issue
from docflow.tenancy.models import Membership


def document_issue_paper_signed(
    *, actor: Membership, document_id: UUID | str, files: Sequence[Upload], number: int
) -> OutgoingDocument:
    """Issue an approved document with its signed scan as the original (clerks only).

    400 on ``file`` for a scan that is not PDF/JPEG/PNG/TIFF, is damaged, or is of a secret
    document (nothing stored),
    409 ``number_changed`` when ``number`` is not the one the register gives now; otherwise
    what ``document_issue`` guarantees, and an ``outgoing.signed_scan`` audit event.
    """
    with agency_scope(actor.agency_id):
        if document_get(document_id=document_id).secrecy != Secrecy.NORMAL:  # 404 first
            raise scan_refused(_("Văn bản mật không được đưa bản quét lên hệ thống."))
    name, data, pages = scan_pdf(files)
    with service_transaction(agency=actor):
        stored = stored_file_put_bytes(data=data, content_type=PDF)
        document = document_issue(actor=actor, document_id=document_id, signed_scan=stored,
                                  expected_number=number)
        event_record(
            agency_id=document.agency_id, action="outgoing.signed_scan", object_type=AUDIT_OBJECT,
            object_id=document.pk, actor_id=actor.user_id, state_before=document.state,
            state_after=document.state, data={"name": name, "pages": pages, "sha256": stored.sha256},
        )
        return document
