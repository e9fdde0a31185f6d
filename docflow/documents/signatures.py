"""Where the outgoing workflow signs (Decree 30, Art. 8, 13): the final approver signs the official
PDF with number and date left as fields; at issue the agency fills them in and signs, and signs
the drafter's PDF attachments at the top right of their first page.

An installation that gave no agency a signing key works unsigned, as before ký số; once an
agency has its key, its leaders must have theirs to approve.
"""

from __future__ import annotations

import dataclasses

from django.utils import timezone

from docflow.documents.files import stored_file_open, stored_file_put_bytes
from docflow.documents.models import Attachment, OutgoingDocument, StoredFile
from docflow.documents.official_document import official_document_of, recipients_of
from docflow.documents.signing.models import SigningCredential
from docflow.documents.signing.sign import (
    agency_credential,
    agency_sign_attachments,
    agency_sign_issued,
    personal_sign_approved,
)
from docflow.rendering.official import (
    format_vietnamese_date_line,
    render_official_document,
)
from docflow.tenancy.models import Membership

PDF = "application/pdf"


def signing_in_use(*, agency_id: int) -> bool:
    return SigningCredential.objects.filter(agency_id=agency_id).exists()


def _read(sha256: str) -> bytes:
    with stored_file_open(sha256=sha256) as fh:
        return fh.read()


def approved_pdf_prepare(document: OutgoingDocument) -> bytes:
    """The official PDF as approved: everything but the number and the date, which are fields."""
    official = official_document_of(document, recipients_of(document))
    return render_official_document(dataclasses.replace(official, number_date_fields=True))


def approved_pdf_sign(*, document: OutgoingDocument, actor: Membership) -> str:
    """Sign the prepared PDF with the approver's key and store it; returns its SHA-256 ("" when
    the agency signs nothing). ValidationError on ``signature`` when the key cannot sign."""
    if not signing_in_use(agency_id=actor.agency_id):
        return ""
    data = personal_sign_approved(
        agency_id=actor.agency_id, user_id=actor.user_id, label=actor.user.get_full_name(),
        pdf=approved_pdf_prepare(document), when=timezone.now(),
    )
    return stored_file_put_bytes(data=data, content_type=PDF).sha256


def issued_pdf_sign(document: OutgoingDocument) -> bytes:
    """The approved PDF with number and date filled and the agency's signature (number taken)."""
    agency = document.agency
    return agency_sign_issued(
        credential=agency_credential(agency_id=agency.pk), label=agency.name,
        pdf=_read(document.approved_pdf_sha256), number_line=f"Số: {document.notation}",
        date_line=format_vietnamese_date_line(agency.place, timezone.localdate(document.issued_at)),
        when=document.issued_at,
    )


def attachments_signed(document: OutgoingDocument, attachments: list[Attachment]) -> dict[str, StoredFile]:
    """Agency-signed copies of the PDF attachments, by the original's SHA-256 (nothing when the
    document was approved unsigned)."""
    pdfs = [a for a in attachments if a.content_type == PDF]
    if not document.approved_pdf_sha256 or not pdfs:
        return {}
    signed = agency_sign_attachments(
        credential=agency_credential(agency_id=document.agency_id), notation=document.notation,
        files=[_read(a.file_id) for a in pdfs], when=document.issued_at,
    )
    return {
        a.file_id: stored_file_put_bytes(data=data, content_type=PDF) for a, data in zip(pdfs, signed)
    }

