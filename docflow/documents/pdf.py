"""The official PDF of an issued document: rendered once, stored by SHA-256.

``document_pdf_render`` is what the ``pdf.render_outgoing`` task runs after an issue commits.
Rendering is deterministic (equal input, equal bytes) and the bytes are stored content-addressed,
so running it twice stores one file and sets ``pdf_sha256`` once.
"""

from __future__ import annotations

from uuid import UUID

from django.utils import timezone

from docflow.documents.files import stored_file_put_bytes
from docflow.documents.models import OutgoingDocument, OutgoingState
from docflow.documents.types import document_type
from docflow.rendering.official import OfficialDocument, render_official_document
from docflow.tenancy.models import Agency
from docflow.tenancy.scoping import agency_scope

PDF = "application/pdf"
# "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" for a People's Committee (Decree 30, Article 13).
AUTHORITY_OF_UBND = {"TM.": "Ủy ban nhân dân", "KT.": "Chủ tịch", "Q.": "Chủ tịch"}


def official_document_of(document: OutgoingDocument, recipient_names: list[str]) -> OfficialDocument:
    """What is printed on the issued document, from its row (plain data for the renderer)."""
    agency, kind = document.agency, document_type(document.doc_type)
    signer = document.signed_by or document.signer
    authority_of = AUTHORITY_OF_UBND.get(document.signer_authority, "") if agency.symbol == "UBND" else ""
    filing = "Lưu: VT" + (f", {document.unit.symbol}" if document.unit else "")
    return OfficialDocument(
        agency_name=agency.header_name,
        parent_agency_name=agency.parent.header_name if agency.parent else "",
        notation=document.notation,
        place=agency.place,
        issued_on=timezone.localdate(document.issued_at),
        doc_type_code=document.doc_type,
        doc_type_name=kind.name,
        subject=document.subject,
        body=document.body,
        signer_position=document.signer_position,
        signer_name=signer.get_full_name() if signer else "",
        signer_authority=document.signer_authority,
        signer_authority_of=authority_of,
        recipients=[*recipient_names, *document.external_places, filing],
        urgency=document.urgency,
        secrecy=document.secrecy,
    )


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
        names = dict(Agency.objects.filter(code__in=document.recipient_codes).values_list("code", "name"))
        names = [names[c] for c in document.recipient_codes if c in names]
        data = render_official_document(official_document_of(document, names))
        stored = stored_file_put_bytes(data=data, content_type=PDF)
        # A derived field, set once: the issued document itself never changes.
        OutgoingDocument.objects.filter(pk=document.pk, pdf_sha256="").update(pdf_sha256=stored.sha256)
        return stored.sha256
