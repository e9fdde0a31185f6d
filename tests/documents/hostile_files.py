"""Files an attacker would send, built in the test: PDFs of compressed bombs, PDFs that act on
open, polyglots, office files with a DTD or many exempt-sized entries."""

from __future__ import annotations

import io
import zlib

import pikepdf

from tests.documents import story


def pdf_of_compressed_bombs(*, streams: int = 16, inflated: int = 70 * 1024 * 1024) -> bytes:
    """A PDF 1.5 whose ``streams`` object streams each inflate to ``inflated`` bytes (~1.1 MB on
    disk for 16 × 70 MiB); each holds one object the cross-reference stream points into."""
    plain = b"<< >>" + b" " * (inflated - 5)
    packed, body_adler = zlib.compress(plain, 9), None
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    head = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    rows = [(0, 0, 65535)]
    for number, body in enumerate(head, start=1):
        rows.append((1, len(out), 0))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    first = len(head) + 1 + streams  # the objects held in the streams: one each, at offset 0
    for i in range(streams):
        rows.append((1, len(out), 0))
        header = f"{first + i} 0 ".encode()
        data = _deflate_behind(header, packed, zlib.adler32(plain, zlib.adler32(header)))
        out += (f"{len(head) + 1 + i} 0 obj\n<< /Type /ObjStm /N 1 /First {len(header)} "
                f"/Filter /FlateDecode /Length {len(data)} >>\nstream\n").encode() + data + b"\nendstream\nendobj\n"
    rows += [(2, len(head) + 1 + i, 0) for i in range(streams)]
    rows.append((1, len(out), 0))
    table = b"".join(t.to_bytes(1, "big") + f.to_bytes(4, "big") + g.to_bytes(2, "big") for t, f, g in rows)
    out += (f"{len(rows) - 1} 0 obj\n<< /Type /XRef /Size {len(rows)} /W [1 4 2] /Root 1 0 R "
            f"/Length {len(table)} >>\nstream\n").encode() + table + b"\nendstream\nendobj\n"
    out += f"startxref\n{rows[-1][1]}\n%%EOF\n".encode()
    return bytes(out)


def _deflate_behind(header: bytes, packed: bytes, adler: int) -> bytes:
    """One zlib stream of ``header`` then what ``packed`` inflates to, without deflating it again:
    a stored block with the header, ``packed``'s deflate blocks, the Adler-32 of the whole."""
    stored = b"\x00" + len(header).to_bytes(2, "little") + (len(header) ^ 0xFFFF).to_bytes(2, "little")
    return b"\x78\xda" + stored + header + packed[2:-4] + adler.to_bytes(4, "big")


def pdf_with(*, root: dict | None = None, page: dict | None = None, annotation: dict | None = None) -> bytes:
    """A one-page PDF (pikepdf) with entries added to the catalog, the page or one annotation."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    for key, value in (root or {}).items():
        pdf.Root[key] = _pdf_value(pdf, value)
    for key, value in (page or {}).items():
        pdf.pages[0].obj[key] = _pdf_value(pdf, value)
    if annotation is not None:
        annot = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Rect=[72, 72, 200, 100],
                                   **{k.lstrip("/"): _pdf_value(pdf, v) for k, v in annotation.items()})
        pdf.pages[0].obj["/Annots"] = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annot)]))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _pdf_value(pdf, value):
    if isinstance(value, dict):
        return pikepdf.Dictionary({k: _pdf_value(pdf, v) for k, v in value.items()})
    if isinstance(value, list):
        return pikepdf.Array([_pdf_value(pdf, v) for v in value])
    if isinstance(value, str) and value.startswith("/"):
        return pikepdf.Name(value)
    if isinstance(value, str):
        return pikepdf.String(value)
    return value


def action(kind: str, **entries) -> dict:
    return {"/S": kind, **{f"/{k}": v for k, v in entries.items()}}


def png_with_pdf_appended() -> bytes:
    return story.PNG_BYTES + story.pdf_bytes()


def pdf_with_zip_appended() -> bytes:
    return story.pdf_bytes() + story.office_zip("docx")


def docx_with_dtd(*, entities: bool = False) -> bytes:
    doctype = '<!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' if entities else "<!DOCTYPE Types>"
    data = story.office_zip("docx")
    plain = b'<?xml version="1.0"?><Types'
    return _zip_replace(data, "[Content_Types].xml", lambda xml: xml.replace(plain, plain[:21] + doctype.encode() + b"<Types", 1))


def _zip_replace(data: bytes, name: str, change) -> bytes:
    import zipfile

    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            content = source.read(info.filename)
            out.writestr(info.filename, change(content) if info.filename == name else content)
    return buffer.getvalue()


def docx_of_exempt_sized_entries(*, count: int = 95, size: int = 1024 * 1024) -> bytes:
    """A DOCX of ``count`` parts of exactly ``size`` zero bytes: each under the per-entry ratio
    exemption, together ``count`` MiB from a few hundred kilobytes."""
    return story.office_zip("docx", extra={f"word/media/part{i}.bin": b"\0" * size for i in range(count)})
