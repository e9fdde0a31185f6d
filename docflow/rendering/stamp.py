"""The incoming stamp ("dấu đến") printed on page 1 of a received document.

On paper the clerk presses a rubber stamp reading the agency's name, "ĐẾN", the incoming number,
date and time of receipt and whom it goes to (Decree 30/2020/NĐ-CP, Appendix IV). Electronically
we draw the same box with reportlab on a transparent overlay and merge it onto the first page
with pypdf. Only page 1's content stream changes; every other page is copied as it was.

The box is drawn in red outline with no fill, like ink: text underneath stays legible, and the
stamp never hides anything the sender wrote.
"""

from __future__ import annotations

import datetime
import io

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import NameObject
from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .typeface import BOLD, REGULAR, compose, ensure_fonts, render_lock

__all__ = ["StampError", "VIETNAM_TZ", "stamp_incoming"]

# Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exact and needs
# no time zone database.
VIETNAM_TZ = datetime.timezone(datetime.timedelta(hours=7), "ICT")

INK = Color(0.78, 0.05, 0.05)
# The stamp is laid out wide and low (about 80 x 15 mm) so that it fits in the 20-25 mm top margin
# Decree 30 prescribes: on a conforming document it covers nothing the sender wrote.
OFFSET_X = 8 * mm  # from the left edge of the visible page
OFFSET_Y = 4 * mm  # from the top edge of the visible page
MIN_WIDTH = 70 * mm
MAX_WIDTH = 110 * mm
PAD = 1.4 * mm
GAP = 3.5 * mm  # between the items of the middle row
AGENCY_SIZE = 8
DEN_SIZE = 13
LINE_SIZE = 9.5


class StampError(ValueError):
    """The PDF cannot be stamped: not a PDF, damaged, encrypted, or without pages."""


def _read(pdf_bytes: bytes) -> PdfReader:
    if not isinstance(pdf_bytes, (bytes, bytearray, memoryview)):
        raise StampError(f"pdf_bytes: expected bytes, got {type(pdf_bytes).__name__}")
    if b"%PDF-" not in bytes(pdf_bytes[:1024]):  # readers accept the header anywhere in 1 KiB
        raise StampError("pdf_bytes: not a PDF file (no %PDF- header)")
    try:
        reader = PdfReader(io.BytesIO(bytes(pdf_bytes)), strict=False)
        if reader.is_encrypted:
            raise StampError("pdf_bytes: the PDF is encrypted; ask the sender for an unprotected copy")
        if len(reader.pages) == 0:
            raise StampError("pdf_bytes: the PDF has no pages")
        reader.pages[0].mediabox  # noqa: B018 - force parsing of page 1 while errors are wrapped
    except StampError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged input; callers need one.
        raise StampError(f"pdf_bytes: damaged or unreadable PDF ({exc})") from exc
    return reader


def _format_number(incoming_number: int | str) -> str:
    # Registers number from 01: numbers below 10 take a leading zero, as in the register book.
    if isinstance(incoming_number, int) and not isinstance(incoming_number, bool):
        if incoming_number < 1:
            raise StampError(f"incoming_number: must be positive, got {incoming_number}")
        return f"{incoming_number:02d}"
    text = str(incoming_number).strip()
    if not text:
        raise StampError("incoming_number: must not be empty")
    return text


def _local(received_at: datetime.datetime) -> datetime.datetime:
    """Aware datetimes (Django stores UTC) are shown in Vietnam time; naive ones as given."""
    if not isinstance(received_at, datetime.datetime):
        raise StampError(f"received_at: expected a datetime, got {type(received_at).__name__}")
    if received_at.tzinfo is not None and received_at.utcoffset() is not None:
        return received_at.astimezone(VIETNAM_TZ)
    return received_at


def _fit(text: str, font: str, size: float, width: float, max_lines: int) -> tuple[list[str], float]:
    """Wrap ``text`` into at most ``max_lines`` lines of ``width``, shrinking the font if needed."""
    while True:
        lines = simpleSplit(text, font, size, width)
        if len(lines) <= max_lines or size <= 5:
            return lines[:max_lines], size
        size -= 0.5


class _Layout:
    """The stamp's lines and box size, computed before drawing so the box can be scaled to fit.

    Rows: the agency name; "ĐẾN" followed by number, date and time on one line; "Chuyển: ...".
    """

    def __init__(self, agency: str, number: str, when: datetime.datetime, note: str) -> None:
        self.items = [f"Số: {number}", f"Ngày: {when:%d/%m/%Y}", f"Giờ: {when:%H:%M}"]
        self.den_width = stringWidth("ĐẾN", BOLD, DEN_SIZE)
        row = self.den_width + sum(GAP + stringWidth(t, REGULAR, LINE_SIZE) for t in self.items)
        agency = agency.upper()
        note = f"Chuyển: {note}".rstrip()
        natural = max(row, stringWidth(agency, BOLD, AGENCY_SIZE), stringWidth(note, REGULAR, LINE_SIZE))
        self.width = min(MAX_WIDTH, max(MIN_WIDTH, natural + 2 * PAD))
        inner = self.width - 2 * PAD
        self.agency_lines, self.agency_size = _fit(agency, BOLD, AGENCY_SIZE, inner, 2)
        self.note_lines, self.note_size = _fit(note, REGULAR, LINE_SIZE, inner, 2)
        self.row_size = LINE_SIZE if row <= inner else LINE_SIZE * inner / row
        self.den_size = DEN_SIZE * self.row_size / LINE_SIZE
        self.agency_lead = self.agency_size * 1.2
        self.row_lead = self.den_size * 1.2
        self.note_lead = self.note_size * 1.2
        self.height = (2 * PAD + self.agency_lead * len(self.agency_lines) + self.row_lead
                       + self.note_lead * len(self.note_lines))


def _draw_stamp(canvas: Canvas, lay: _Layout) -> None:
    """Draw the stamp with its top-left corner at the canvas origin, growing downwards (-y)."""
    canvas.setStrokeColor(INK)
    canvas.setFillColor(INK)
    canvas.setLineWidth(1.2)
    canvas.rect(0, -lay.height, lay.width, lay.height, stroke=1, fill=0)

    # Baselines sit ~22% of the leading above each line box's bottom (room for descenders).
    y = -PAD
    canvas.setFont(BOLD, lay.agency_size)
    for line in lay.agency_lines:
        y -= lay.agency_lead
        canvas.drawCentredString(lay.width / 2, y + lay.agency_lead * 0.22, line)

    y -= lay.row_lead
    baseline = y + lay.row_lead * 0.22
    canvas.setFont(BOLD, lay.den_size)
    canvas.drawString(PAD, baseline, "ĐẾN")
    x = PAD + lay.den_width * lay.row_size / LINE_SIZE
    canvas.setFont(REGULAR, lay.row_size)
    for item in lay.items:
        x += GAP * lay.row_size / LINE_SIZE
        canvas.drawString(x, baseline, item)
        x += stringWidth(item, REGULAR, lay.row_size)

    canvas.setFont(REGULAR, lay.note_size)
    for line in lay.note_lines:
        y -= lay.note_lead
        canvas.drawString(PAD, y + lay.note_lead * 0.22, line)


def _overlay(page: PageObject, lay: _Layout) -> PageObject:
    """A one-page PDF, at ``page``'s own mediabox size, holding only the stamp."""
    media = page.mediabox
    crop = page.cropbox
    rotation = page.rotation % 360
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(float(media.right), float(media.top)), invariant=1)
    # Find the visible page's top-left corner in user space and turn the axes so that the stamp
    # reads upright in a viewer even when the page carries /Rotate (e.g. scanned landscapes).
    x0, y0, x1, y1 = (float(v) for v in (crop.left, crop.bottom, crop.right, crop.top))
    corner = {0: (x0, y1), 90: (x0, y0), 180: (x1, y0), 270: (x1, y1)}.get(rotation, (x0, y1))
    visible_w, visible_h = (x1 - x0, y1 - y0) if rotation in (0, 180) else (y1 - y0, x1 - x0)
    canvas.translate(*corner)
    canvas.rotate(rotation)
    canvas.translate(OFFSET_X, -OFFSET_Y)
    # Small pages (A6 receipts, slips) get a proportionally smaller stamp instead of a clipped one.
    scale = min(1.0, (visible_w - 2 * OFFSET_X) / lay.width, (visible_h - 2 * OFFSET_Y) / lay.height)
    with render_lock:  # reportlab's font subsetting is not thread-safe (see typeface.py)
        if scale > 0:
            canvas.scale(scale, scale)
            _draw_stamp(canvas, lay)
        canvas.showPage()
        canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue())).pages[0]


# Measured: pyHanko's difference analysis refuses any annotation added after a certification,
# so the ĐẾN stamp cannot ride on the signed file; the stamped copy says it is a working copy.
WORKING_COPY_LINE = "Bản làm việc, không mang chữ ký số"


def _drop_signature_values(writer: PdfWriter) -> bool:
    """Remove the signature values (the fields and their images stay): a viewer must not show a
    broken signature on the working copy. True when there were signatures."""
    form = writer._root_object.get("/AcroForm")
    found = False
    for ref in (form.get_object().get("/Fields", []) if form else []):
        field = ref.get_object()
        if field.get("/FT") == "/Sig" and "/V" in field:
            del field[NameObject("/V")]
            found = True
    return found


def stamp_incoming(
    pdf_bytes: bytes,
    *,
    agency_name: str,
    incoming_number: int | str,
    received_at: datetime.datetime,
    handling_note: str = "",
) -> bytes:
    """Return ``pdf_bytes`` with the incoming stamp drawn at the top left of page 1.

    The stamp reads ``agency_name`` (upper-cased), "ĐẾN", "Số: <incoming_number>" (an int below
    10 is written with a leading zero), "Ngày: dd/mm/yyyy", "Giờ: HH:MM" (aware datetimes are
    converted to Vietnam time) and "Chuyển: <handling_note>". The page count, the other pages and
    the document metadata are preserved; equal input gives equal bytes. A signed PDF's
    copy loses its signature values and says so on the stamp (the signed original stays).

    Raises ``StampError`` (a ``ValueError``) for input that is not a readable, unencrypted PDF
    with at least one page, or for an invalid number or date.
    """
    number = _format_number(incoming_number)
    when = _local(received_at)
    reader = _read(pdf_bytes)
    ensure_fonts()
    layout = _Layout(compose(agency_name.strip()), number, when, compose(handling_note.strip()))
    writer = PdfWriter(clone_from=reader)
    if _drop_signature_values(writer):  # a stamped copy can no longer carry the signatures
        layout.note_lines += [WORKING_COPY_LINE]
        layout.height += layout.note_lead
    first = writer.pages[0]
    try:
        first.merge_page(_overlay(first, layout))
    except StampError:
        raise
    except Exception as exc:  # a page 1 whose content or resources pypdf cannot merge
        raise StampError(f"pdf_bytes: cannot stamp page 1 ({exc})") from exc
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
