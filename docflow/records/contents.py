"""What a filed document consists of: its stored files, in the order an archive keeps them."""

from __future__ import annotations

from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from docflow.documents.files import stored_file_open
from docflow.documents.models import OutgoingDocument
from docflow.routing.models import IncomingDocument

PDF = "application/pdf"


@dataclass(frozen=True)
class Part:
    """One stored file of a document; ``is_main`` for the issued document itself."""

    name: str
    sha256: str
    content_type: str
    is_main: bool


def document_parts(document: IncomingDocument | OutgoingDocument) -> list[Part]:
    """The outgoing document's official PDF then its attachments; an incoming copy's received files
    as received (never the stamped copy: the stamp would break the sender's signature).
    Reads ``attachments`` as prefetched by the caller."""
    parts = []
    if isinstance(document, OutgoingDocument) and document.pdf_sha256:
        stem = (document.notation or str(document.id)).replace("/", "-")
        parts.append(Part(name=f"{stem}.pdf", sha256=document.pdf_sha256, content_type=PDF, is_main=True))
    for a in document.attachments.all():
        parts.append(Part(name=a.name, sha256=a.file_id, content_type=a.content_type,
                          is_main=bool(getattr(a, "is_main", False))))
    return parts


def pdf_page_count(sha256: str) -> int:
    """Pages of a stored PDF; 0 when it cannot be read (a scan in another format, a damaged file)."""
    try:
        with stored_file_open(sha256=sha256) as fh:
            return len(PdfReader(fh).pages)
    except (OSError, PyPdfError, ValueError):
        return 0


def document_page_count(document: IncomingDocument | OutgoingDocument) -> int:
    return sum(pdf_page_count(p.sha256) for p in document_parts(document) if p.content_type == PDF)


def is_signed_pdf(sha256: str) -> bool:
    """A PDF carrying a signature dictionary (PAdES): it must be kept byte for byte."""
    try:
        with stored_file_open(sha256=sha256) as fh:
            reader = PdfReader(fh)
            fields = reader.get_fields() or {}
            return any(f.get("/FT") == "/Sig" for f in fields.values())
    except (OSError, PyPdfError, ValueError):
        return False
