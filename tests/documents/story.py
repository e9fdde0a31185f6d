"""The people of a sending agency and its documents, moved along through the real services.

Tests read as stories: ``office = sending_office(); doc = draft(office); approved(office, doc)``.
Sample files of every allowed and refused kind are made here from scratch (no fixtures on disk).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from docflow.documents.approval import document_approve, document_submit
from docflow.documents.drafting import document_create
from docflow.routing.issuing import document_issue
from docflow.tenancy.models import Agency, Membership, Unit
from tests.factories import AgencyFactory, MembershipFactory, UnitFactory


@dataclass
class Office:
    agency: Agency
    unit: Unit
    clerk: Membership
    leader: Membership
    staff: Membership
    staff2: Membership


def sending_office(agency: Agency | None = None, **agency_fields) -> Office:
    """An agency with its Văn phòng (VP), a clerk, a leader (Chủ tịch) and two staff in VP."""
    agency = agency or AgencyFactory(**agency_fields)
    unit = UnitFactory(agency=agency, symbol="VP", name="Văn phòng")
    tag = agency.pk
    return Office(
        agency=agency, unit=unit,
        clerk=MembershipFactory(agency=agency, unit=unit, clerk=True, user__username=f"vt{tag}"),
        leader=MembershipFactory(agency=agency, leader=True, user__username=f"ct{tag}",
                                 user__full_name="Lò Văn Minh"),
        staff=MembershipFactory(agency=agency, unit=unit, staff=True, user__username=f"cv{tag}"),
        staff2=MembershipFactory(agency=agency, unit=unit, staff=True, user__username=f"cvb{tag}"),
    )


def draft(office: Office, *, by: Membership | None = None, **fields):
    values = {"doc_type": "quyet_dinh", "subject": "Về việc thành lập tổ công tác chuyển đổi số",
              "body": "Điều 1. Thành lập tổ công tác.", "unit": office.unit.symbol}
    if not fields.get("recipients"):  # issuing refuses a document that reaches nobody
        values["external_places"] = ["Các phòng, ban chuyên môn (bản giấy)"]
    values.update(fields)
    return document_create(actor=by or office.staff, **values)


def approved(office: Office, document=None, **fields):
    document = document or draft(office, **fields)
    drafter = office.staff if document.drafter_id == office.staff.user_id else _member_of(office, document.drafter_id)
    document_submit(actor=drafter, document_id=document.pk)
    return document_approve(actor=office.leader, document_id=document.pk)


def issued(office: Office, document=None, **fields):
    document = approved(office, document, **fields)
    return document_issue(actor=office.clerk, document_id=document.pk)


def _member_of(office: Office, user_id: int) -> Membership:
    for member in (office.clerk, office.leader, office.staff, office.staff2):
        if member.user_id == user_id:
            return member
    raise LookupError(user_id)


def recipients(count: int) -> list[Agency]:
    return [AgencyFactory() for _ in range(count)]


# --- sample files ------------------------------------------------------------------------------

def pdf_bytes(text: str = "Phu luc") -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.drawString(72, 720, text)
    canvas.save()
    return buffer.getvalue()


def pdf_with_javascript() -> bytes:
    """Document-level JavaScript in the catalog's /Names tree."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes()))
    action = writer._add_object(DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1);"),
    }))
    names = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), action])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): names})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_open_action_js_in_object_stream() -> bytes:
    """A PDF 1.5 whose catalog, with an /OpenAction running JavaScript, sits in a compressed
    object stream: the words never appear in the file's raw bytes."""
    import zlib

    objects = [
        b"<< /Type /Catalog /Pages 3 0 R /OpenAction 5 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] >>",
        b"<< /S /JavaScript /JS (app.launchURL\\('http://127.0.0.1/'\\);) >>",
    ]
    body, offsets = b"", []
    for obj in objects:
        offsets.append(len(body))
        body += obj + b"\n"
    header = b" ".join(f"{n} {o}".encode() for n, o in zip((2, 3, 4, 5), offsets)) + b"\n"
    packed = zlib.compress(header + body)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    objstm_at = len(out)
    out += (f"1 0 obj\n<< /Type /ObjStm /N 4 /First {len(header)} /Filter /FlateDecode "
            f"/Length {len(packed)} >>\nstream\n").encode() + packed + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = [(0, 0, 65535), (1, objstm_at, 0), (2, 1, 0), (2, 1, 1), (2, 1, 2), (2, 1, 3), (1, xref_at, 0)]
    table = b"".join(t.to_bytes(1, "big") + f.to_bytes(4, "big") + g.to_bytes(2, "big") for t, f, g in rows)
    out += (f"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 2 0 R /Length {len(table)} >>\n"
            "stream\n").encode() + table + b"\nendstream\nendobj\n"
    out += f"startxref\n{xref_at}\n%%EOF\n".encode()
    assert b"JavaScript" not in out and b"/JS" not in out
    return bytes(out)


def pdf_with_launch_action() -> bytes:
    raw = pdf_bytes().replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /L#61unch /F (cmd.exe) >>", 1
    )
    assert raw != pdf_bytes()
    return raw


def pdf_with_embedded_file() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes()))
    writer.add_attachment("virus.exe", b"MZ\x90\x00")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"

OOXML_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}


def office_zip(kind: str, *, extra: dict[str, bytes] | None = None, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal DOCX, XLSX or ODT (as their readers tell them apart)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        if kind == "odt":
            zf.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
            zf.writestr("content.xml", "<office:document-content/>")
        else:
            part = "/word/document.xml" if kind == "docx" else "/xl/workbook.xml"
            zf.writestr("[Content_Types].xml", (
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                f'content-types"><Override PartName="{part}" ContentType="{OOXML_TYPES[kind]}"/></Types>'
            ))
            zf.writestr(part.lstrip("/"), "<document/>")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buffer.getvalue()


def zip_bomb(size: int = 4 * 1024 * 1024) -> bytes:
    """A DOCX whose one part inflates ``size`` zero bytes from a few kilobytes."""
    return office_zip("docx", extra={"word/media/zeros.bin": b"\0" * size})
