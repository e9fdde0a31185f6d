"""The official PDF of an issued document: rendered once, stored by SHA-256.

``official_pdf_store`` is what issuing runs inside its transaction, once the number and date
are taken, so the document itself (văn bản chính) travels with every recipient's copy.
Rendering is deterministic (equal input, equal bytes) and the bytes are stored content-addressed.
``document_pdf_render`` (the ``pdf.render_outgoing`` task of earlier releases) only mends a
document issued before that, and returns the stored file of any other.

What is printed: ``documents.official_document``.
"""

from __future__ import annotations

from uuid import UUID

from docflow.core.text import fold_filename
from docflow.documents.files import stored_file_put_bytes
from docflow.documents.models import OutgoingDocument, OutgoingState, StoredFile
from docflow.documents.official_document import official_document_of, recipients_of
from docflow.documents.signatures import issued_pdf_sign
from docflow.rendering.official import render_official_document
from docflow.tenancy.models import Agency
from docflow.core.scoping import agency_scope

PDF = "application/pdf"


def official_pdf_filename(document: OutgoingDocument) -> str:
    """The download name of the official PDF: ``15-QD-UBND.pdf`` (ASCII, no slashes)."""
    stem = fold_filename(document.notation) if document.notation else str(document.pk)
    return f"{stem}.pdf"


def official_pdf_store(*, document: OutgoingDocument, recipients: list[Agency]) -> StoredFile:
    """Render the issued document (number and date taken) and store it; sets ``pdf_sha256``
    on the instance (the caller saves it). ``document`` comes with agency, parent, unit, signer.
    A document approved with a signature gets that PDF, number and date filled, agency-signed."""
    if document.approved_pdf_sha256:
        data = issued_pdf_sign(document)
    else:
        data = render_official_document(official_document_of(document, recipients))
    stored = stored_file_put_bytes(data=data, content_type=PDF)
    document.pdf_sha256 = stored.sha256
    return stored


def document_pdf_render(*, agency_id: int, document_id: UUID | str) -> str | None:
    """Render and store the PDF of an issued document; returns its SHA-256.

    None when the document is gone or not issued (a stale task ends quietly). Idempotent: a
    document with a PDF is returned as it is; concurrent runs store the same bytes once.
    """
    with agency_scope(agency_id):
        document = (
            OutgoingDocument.objects.select_related("agency", "agency__parent", "unit", "signer", "signed_by")
            .filter(pk=document_id).first()
        )
        if document is None or document.state != OutgoingState.ISSUED:
            return None
        if document.pdf_sha256:
            return document.pdf_sha256
        stored = official_pdf_store(document=document, recipients=recipients_of(document))
        # A derived field, set once: the issued document itself never changes.
        OutgoingDocument.objects.filter(pk=document.pk, pdf_sha256="").update(pdf_sha256=stored.sha256)
        return stored.sha256
