"""What an uploaded file really is, decided from its bytes, and whether it is safe to pass on.

``upload_check`` is the one check every file passes on its way in — API and web uploads,
the exchange's inbound documents, paper-intake scans — and it returns the type and the name
the file is stored under. Allowed: PDF, DOCX, XLSX, ODT, PNG, JPEG (scans also TIFF).

- The type comes from the content; the client's content type is ignored. The name's extension
  must be one of the allowed ones and match that type (``x.pdf`` holding a PNG is refused, so is
  ``x.exe``); a name without an extension gets the type's.
- Polyglots are refused: a picture or an office file carrying a PDF header, a PNG with bytes after
  its end, a PDF with a ZIP or more than a little data after its last ``%%EOF``.
- A PDF is checked by ``pdf_probe`` (pikepdf) in a child process limited in address space and
  CPU time, against an allow-list of what an official PDF may contain (no JavaScript, launch,
  remote go-to, form submission, data import, XFA, additional actions, embedded files; an
  ``/OpenAction`` only within the file) and a budget for what its streams decode to.
- A ZIP-based office file is held to bounds on entries, total uncompressed size and compression
  ratio — each large entry's and the whole archive's, so many small entries cannot add up to a
  bomb — before anything reads it; a ``[Content_Types].xml`` with a DTD or entities is refused.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from dataclasses import dataclass

from defusedxml import DefusedXmlException, ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from docflow.ocr.images import TIFF

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ALLOWED = (PDF, DOCX, XLSX, ODT, PNG, JPEG)
SCANS = (PDF, PNG, JPEG, TIFF)
EXTENSIONS = {
    PDF: (".pdf",), DOCX: (".docx",), XLSX: (".xlsx",), ODT: (".odt",), PNG: (".png",),
    JPEG: (".jpg", ".jpeg"), TIFF: (".tif", ".tiff"),
}
DEFAULT_NAME = "tep-dinh-kem"

# Bounds; settings override them.
DEFAULTS = {
    "DOCFLOW_ZIP_MAX_ENTRIES": 2000,
    "DOCFLOW_ZIP_MAX_UNCOMPRESSED_BYTES": 100 * 1024 * 1024,
    "DOCFLOW_ZIP_MAX_RATIO": 100,
    "DOCFLOW_PDF_CHECK_MEMORY_BYTES": 512 * 1024 * 1024,
    "DOCFLOW_PDF_CHECK_CPU_SECONDS": 10,
    "DOCFLOW_PDF_MAX_DECODED_BYTES": 256 * 1024 * 1024,
}
# A single entry this small is not held to the ratio bound (tiny XML parts compress very well);
# the archive as a whole always is, so no number of small entries adds up to a bomb.
RATIO_EXEMPT_BYTES = 1024 * 1024

OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
# A second, cheap look at the raw bytes outside streams, for objects no cross-reference names.
PDF_DANGER = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|AA|GoToR|GoToE|SubmitForm|ImportData)(?![A-Za-z0-9#])"
)
PROBE = os.path.join(os.path.dirname(__file__), "pdf_probe.py")
PDF_TRAILING_BYTES = 1024


def refused(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def setting(name: str) -> int:
    return getattr(settings, name, DEFAULTS[name])


@dataclass(frozen=True)
class Checked:
    """What a file that passed is: its content type and the clean name to store it under."""

    content_type: str
    name: str


def upload_check(*, path: str, name: str, allowed: tuple[str, ...] = ALLOWED) -> Checked:
    """The one check of a file coming in: type by content, name by type, content safe.

    Raises ValidationError on ``file`` naming what is wrong. ``allowed`` narrows or widens the
    types (paper intake takes TIFF scans); nothing else differs between the ways in.
    """
    content_type = content_type_detect(path, allowed=allowed)
    return Checked(content_type=content_type, name=name_for_type(name, content_type))


def file_name_clean(name: str) -> str:
    """The file's base name, normalized (NFC), without control characters, at most 255 chars."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = base.strip().strip(".")
    if not base:
        return DEFAULT_NAME
    stem, ext = os.path.splitext(base)
    return stem[: 255 - len(ext[:20])] + ext[:20]


def name_for_type(name: str, content_type: str) -> str:
    """``name`` cleaned, its extension one of ``content_type``'s (added when there is none)."""
    clean = file_name_clean(name)
    stem, ext = os.path.splitext(clean)
    ext = ext.lower()
    if not ext:
        return clean[: 255 - 5] + EXTENSIONS[content_type][0]
    known = {e for exts in EXTENSIONS.values() for e in exts}
    if ext not in known:
        raise refused(_("Không nhận tệp có phần mở rộng “%(ext)s”: chỉ nhận .pdf, .docx, .xlsx, .odt, .png, .jpg.")
                      % {"ext": ext})
    if ext not in EXTENSIONS[content_type]:
        raise refused(_("Phần mở rộng “%(ext)s” không khớp với nội dung tệp (%(kind)s).")
                      % {"ext": ext, "kind": EXTENSIONS[content_type][0].lstrip(".").upper()})
    return stem + ext


def content_type_detect(path: str, *, allowed: tuple[str, ...] = ALLOWED) -> str:
    """The checked content type of the file at ``path``; ValidationError on ``file`` if refused."""
    with open(path, "rb") as fh:
        head = fh.read(1024)
    kind = _kind_of(head)
    if kind is None or (kind != "zip" and kind not in allowed):
        raise _not_allowed()
    if kind == PDF:
        pdf_check(path)
        return PDF
    _polyglot_check(path, kind, head)
    if kind == "zip":
        kind = zip_office_type(path)
        if kind not in allowed:
            raise _not_allowed()
    return kind


def _not_allowed() -> ValidationError:
    return refused(_("Chỉ nhận tệp PDF, DOCX, XLSX, ODT, PNG hoặc JPEG (xét theo nội dung tệp)."))


def _kind_of(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _polyglot() -> ValidationError:
    return refused(_("Tệp mang nội dung của một loại tệp khác bên trong (tệp đa định dạng)."))


def _polyglot_check(path: str, kind: str, head: bytes) -> None:
    """A non-PDF must not also be a PDF: readers look for ``%PDF-`` in the first 1024 bytes and
    recover a PDF from anywhere in a file; a PNG ends at its IEND chunk."""
    if b"%PDF-" in head:
        raise _polyglot()
    if kind == "zip":
        return  # entries are compressed; the ZIP's own structure is checked below
    with open(path, "rb") as fh:
        data = fh.read()
    if b"%PDF-" in data:
        raise _polyglot()
    if kind == PNG:
        end = data.find(b"IEND\xaeB`\x82")
        if end == -1 or len(data) > end + 8:
            raise _polyglot()


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
    compressed = sum(i.compress_size for i in infos)
    large = (i for i in infos if i.file_size > RATIO_EXEMPT_BYTES)
    if total > RATIO_EXEMPT_BYTES + max_ratio * compressed or any(
        i.file_size > max_ratio * max(i.compress_size, 1) for i in large
    ):
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
            root = ElementTree.fromstring(_read_entry(zf, "[Content_Types].xml"), forbid_dtd=True)
        except (ElementTree.ParseError, DefusedXmlException, ValueError):  # a DTD or entities too
            raise refused(_("Tệp Office bị hỏng.")) from None
        found = {OOXML_MAIN.get(el.get("ContentType", "")) for el in root} - {None}
        if len(found) == 1:
            return found.pop()
    raise _not_allowed()


# PDF -------------------------------------------------------------------------------------------

def pdf_check(path: str) -> None:
    """Refuse a PDF outside the allow-list (``pdf_probe``), encrypted, broken, or too costly.

    The walk over every object (object streams included) runs in a child process whose address
    space, CPU time and wall time are limited, so no stream or object count can take this
    process's memory; the raw bytes are also scanned, so an object no cross-reference table
    names cannot hide.
    """
    with open(path, "rb") as fh:
        raw = fh.read()
    if _pdf_bytes_dangerous(raw):
        raise _active_pdf()
    _pdf_trailer_check(raw)
    del raw
    verdict = _probe(path)
    reason = verdict.get("refused")
    if reason is None:
        return
    if reason == "active":
        raise _active_pdf()
    if reason == "encrypted":
        raise refused(_("Không nhận tệp PDF có mật khẩu."))
    if reason == "too_large":
        raise refused(_("Tệp PDF quá phức tạp để kiểm tra (nội dung giải nén vượt giới hạn)."))
    raise refused(_("Tệp PDF bị hỏng."))


def _probe(path: str) -> dict:
    memory, cpu = setting("DOCFLOW_PDF_CHECK_MEMORY_BYTES"), setting("DOCFLOW_PDF_CHECK_CPU_SECONDS")
    command = [sys.executable, "-I", PROBE, path, str(memory), str(cpu), str(setting("DOCFLOW_PDF_MAX_DECODED_BYTES"))]
    try:
        done = subprocess.run(command, capture_output=True, timeout=cpu * 3, check=False)
        return json.loads(done.stdout or b"{}") if done.returncode == 0 else {"refused": "too_large"}
    except subprocess.TimeoutExpired:
        return {"refused": "too_large"}
    except ValueError:  # the child died mid-answer: out of memory or CPU
        return {"refused": "too_large"}


def _active_pdf() -> ValidationError:
    return refused(_("Không nhận tệp PDF chứa mã JavaScript, lệnh chạy chương trình hoặc tệp nhúng."))


STREAM_BODY = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)


def _pdf_bytes_dangerous(data: bytes) -> bool:
    """Scan PDF syntax for dangerous names. Stream bodies (fonts, images, page content) are left
    out: binary data would match by chance; the probe looks into object streams."""
    data = STREAM_BODY.sub(b"stream endstream", data)
    normalized = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), data)
    return PDF_DANGER.search(normalized) is not None


def _pdf_trailer_check(raw: bytes) -> None:
    """Nothing but a little whitespace or padding after the last ``%%EOF`` (a ZIP or a second
    file appended makes the PDF a polyglot)."""
    end = raw.rfind(b"%%EOF")
    if end == -1:
        raise refused(_("Tệp PDF bị hỏng."))
    tail = raw[end + 5:]
    if b"PK\x03\x04" in tail or len(tail.strip(b"\x00\r\n\t ")) > PDF_TRAILING_BYTES:
        raise _polyglot()
