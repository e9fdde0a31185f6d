"""What an attachment really is, decided from its bytes, and whether it is safe to pass on.

Allowed: PDF, DOCX, XLSX, ODT, PNG, JPEG. The file name and the client's content type are
ignored. A PDF that can run anything (JavaScript, launch actions) or carries embedded files is
refused; a ZIP-based office file over the bounds on entries, total uncompressed size or
per-entry compression ratio (a "ZIP bomb") is refused before anything reads it whole.
"""

from __future__ import annotations

import re
import zipfile

from defusedxml import ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ALLOWED = (PDF, DOCX, XLSX, ODT, PNG, JPEG)

# Bounds for ZIP-based files; settings override them.
ZIP_DEFAULTS = {
    "DOCFLOW_ZIP_MAX_ENTRIES": 2000,
    "DOCFLOW_ZIP_MAX_UNCOMPRESSED_BYTES": 100 * 1024 * 1024,
    "DOCFLOW_ZIP_MAX_RATIO": 100,
}
# Entries smaller than this are not held to the ratio bound: tiny XML parts compress very well.
RATIO_EXEMPT_BYTES = 1024 * 1024

OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
PDF_DANGER = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia)(?![A-Za-z0-9#])")
PDF_DANGER_NAMES = {"/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia"}
PDF_DANGER_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute"}
PDF_DANGER_SUBTYPES = {"/FileAttachment", "/RichMedia", "/EmbeddedFile"}
PDF_MAX_OBJECTS = 500_000


def refused(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def setting(name: str) -> int:
    return getattr(settings, name, ZIP_DEFAULTS[name])


def content_type_detect(path: str) -> str:
    """The checked content type of the file at ``path``; ValidationError on ``file`` if refused."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"%PDF-"):
        pdf_check(path)
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return zip_office_type(path)
    raise refused(_("Chỉ nhận tệp PDF, DOCX, XLSX, ODT, PNG hoặc JPEG (xét theo nội dung tệp)."))


# ZIP-based office files ------------------------------------------------------------------------

def zip_office_type(path: str) -> str:
    """DOCX, XLSX or ODT after the ZIP bounds hold and every entry's CRC checks out."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _zip_bounds(infos)
            kind = _office_kind(zf, {i.filename for i in infos})
            if zf.testzip() is not None:  # decompression is bounded by the declared sizes above
                raise refused(_("Tệp nén bị hỏng."))
            return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError):
        raise refused(_("Tệp nén bị hỏng.")) from None


def _zip_bounds(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > setting("DOCFLOW_ZIP_MAX_ENTRIES"):
        raise refused(_("Tệp nén có quá nhiều thành phần."))
    total = sum(i.file_size for i in infos)
    if total > setting("DOCFLOW_ZIP_MAX_UNCOMPRESSED_BYTES"):
        raise refused(_("Tệp nén khi giải nén vượt quá dung lượng cho phép."))
    max_ratio = setting("DOCFLOW_ZIP_MAX_RATIO")
    for info in infos:
        if info.file_size > RATIO_EXEMPT_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
            raise refused(_("Tệp nén có tỷ lệ nén bất thường (nghi ngờ bom nén)."))


def _read_entry(zf: zipfile.ZipFile, name: str, limit: int = 1024 * 1024) -> bytes:
    with zf.open(name) as fh:
        return fh.read(limit)


def _office_kind(zf: zipfile.ZipFile, names: set[str]) -> str:
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise refused(_("Không nhận tệp Office có macro."))
    if "mimetype" in names:
        if _read_entry(zf, "mimetype", 200).strip() == ODT.encode():
            return ODT
    elif "[Content_Types].xml" in names:
        try:
            root = ElementTree.fromstring(_read_entry(zf, "[Content_Types].xml"))
        except ElementTree.ParseError:
            raise refused(_("Tệp Office bị hỏng.")) from None
        found = {OOXML_MAIN.get(el.get("ContentType", "")) for el in root} - {None}
        if len(found) == 1:
            return found.pop()
    raise refused(_("Chỉ nhận tệp PDF, DOCX, XLSX, ODT, PNG hoặc JPEG (xét theo nội dung tệp)."))


# PDF -------------------------------------------------------------------------------------------

def pdf_check(path: str) -> None:
    """Refuse a PDF with JavaScript, launch actions or embedded files.

    Two looks: every indirect object is loaded with pypdf (objects inside object streams
    included, ``#xx`` escapes in names decoded) and inspected; and the raw bytes plus every
    decompressed object stream are scanned for the dangerous names, so a broken cross-reference
    table cannot hide an object from the first look.
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    with open(path, "rb") as fh:
        raw = fh.read()
    if _pdf_bytes_dangerous(raw):  # also catches objects a broken xref table leaves out
        raise _active_pdf()
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            raise refused(_("Không nhận tệp PDF có mật khẩu."))
        for obj in _pdf_objects(reader):
            if _pdf_object_dangerous(obj):
                raise _active_pdf()
            if _is_object_stream(obj) and _pdf_bytes_dangerous(obj.get_data()):
                raise _active_pdf()
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError, OSError, AssertionError):
        raise refused(_("Tệp PDF bị hỏng.")) from None


def _active_pdf() -> ValidationError:
    return refused(_("Không nhận tệp PDF chứa mã JavaScript, lệnh chạy chương trình hoặc tệp nhúng."))


STREAM_BODY = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)


def _pdf_bytes_dangerous(data: bytes) -> bool:
    """Scan PDF syntax for dangerous names. Stream bodies (fonts, images, page content) are left
    out: binary data would match by chance; object streams are decompressed and scanned."""
    data = STREAM_BODY.sub(b"stream endstream", data)
    normalized = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), data)
    return PDF_DANGER.search(normalized) is not None


def _pdf_objects(reader):
    seen = 0
    numbers = set(reader.xref_objStm)
    for table in reader.xref.values():
        numbers.update(table)
    for number in sorted(numbers):
        seen += 1
        if seen > PDF_MAX_OBJECTS:
            raise refused(_("Tệp PDF có quá nhiều đối tượng."))
        try:
            obj = reader.get_object(number)
        except (KeyError, IndexError):
            continue
        if obj is not None:
            yield obj


def _is_object_stream(obj) -> bool:
    return hasattr(obj, "get_data") and obj.get("/Type") == "/ObjStm"


def _pdf_object_dangerous(obj, depth: int = 0) -> bool:
    """True when a dictionary names a dangerous key, action or annotation type, looking into
    the direct objects it holds (indirect ones are visited on their own)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if depth > 64:
        raise refused(_("Tệp PDF bị hỏng."))
    if isinstance(obj, DictionaryObject):
        if any(key in PDF_DANGER_NAMES for key in obj.keys()):
            return True
        if obj.get("/S") in PDF_DANGER_ACTIONS or obj.get("/Subtype") in PDF_DANGER_SUBTYPES:
            return True
        children = [v for v in obj.values() if not isinstance(v, IndirectObject)]
    elif isinstance(obj, ArrayObject):
        children = [v for v in obj if not isinstance(v, IndirectObject)]
    else:
        return False
    return any(_pdf_object_dangerous(child, depth + 1) for child in children)
