"""The incoming stamp ("dấu đến") printed on page 1 of a received document.

On paper the clerk presses a rubber stamp reading the agency's name, "ĐẾN", the incoming number,
date and time of receipt and whom it goes to (Decree 30/2020/NĐ-CP, Appendix IV). Electronically
we draw the same box with reportlab on a transparent overlay and merge it onto the first page
with pypdf, in free space that ``freespace.py`` finds from the page's text lines (as a clerk puts
it under the number and subject, never over the text). Only page 1's content stream changes;
every other page is copied as it was.

The box is drawn in red outline with no fill, like ink: text underneath stays legible, and the
stamp never hides anything the sender wrote.
"""

from __future__ import annotations

import datetime
import io
import logging
import re
from dataclasses import dataclass

from pypdf import PageObject, PdfReader, PdfWriter
from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .freespace import Box, FreeSpace, PageFrame, page_boxes
from .typeface import BOLD, REGULAR, compose, ensure_fonts, render_lock

__all__ = ["StampError", "VIETNAM_TZ", "stamp_incoming"]

# Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exact and needs
# no time zone database.
VIETNAM_TZ = datetime.timezone(datetime.timedelta(hours=7), "ICT")

INK = Color(0.78, 0.05, 0.05)
OFFSET_X = 8 * mm  # where the stamp goes when the page cannot be measured: the top-left corner
OFFSET_Y = 4 * mm
PAD = 1.4 * mm
GAP = 3.5 * mm  # between the items of the wide shape's middle row
AGENCY_SIZE = 8
DEN_SIZE = 13
LINE_SIZE = 9.5
# Appendix IV draws the stamp about 50 x 30 mm ("tall"); a lower, wider variant fits the pockets
# beside a centred "Kính gửi:" block. Each is scaled down (never below these) to fit free space.
SHAPES = {"tall": (50 * mm, 70 * mm), "wide": (70 * mm, 110 * mm)}  # (least, greatest) width
SCALES_UNDER_NUMBER = (1.0, 0.9, 0.8, 0.7, 0.6)
SCALES_TOP_THIRD = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)
SCALES_ANYWHERE = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4)
UNDER_NUMBER_DEPTH = 55 * mm  # how far below the number the stamp may still reach
BLOCK_GAP = 4 * mm  # lines closer than this under the number belong to its block
NUMBER_LINE = re.compile(r"^Số\s*[:.]?\s*\S")  # the "Số: 15/UBND-VP" line of an official header

log = logging.getLogger(__name__)


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

    Rows: the agency name; "ĐẾN" with number, date and time (one row in the wide shape, stacked
    beside "ĐẾN" in the tall one); "Chuyển: ..."; "Lưu hồ sơ số: ...".
    """

    def __init__(self, shape: str, agency: str, number: str, when: datetime.datetime, note: str,
                 file_code: str) -> None:
        self.stacked = shape == "tall"
        least, greatest = SHAPES[shape]
        self.items = [f"Số: {number}", f"Ngày: {when:%d/%m/%Y}", f"Giờ: {when:%H:%M}"]
        self.den_width = stringWidth("ĐẾN", BOLD, DEN_SIZE)
        widths = [stringWidth(t, REGULAR, LINE_SIZE) for t in self.items]
        row = self.den_width + (GAP + max(widths) if self.stacked else sum(GAP + w for w in widths))
        agency = agency.upper()
        note = f"Chuyển: {note}".rstrip()
        self.file_line = f"Lưu hồ sơ số: {file_code}".rstrip()
        natural = max(row, stringWidth(agency, BOLD, AGENCY_SIZE), stringWidth(note, REGULAR, LINE_SIZE),
                      stringWidth(self.file_line, REGULAR, LINE_SIZE))
        self.width = min(greatest, max(least, natural + 2 * PAD))
        inner = self.width - 2 * PAD
        self.agency_lines, self.agency_size = _fit(agency, BOLD, AGENCY_SIZE, inner, 2)
        self.note_lines, self.note_size = _fit(note, REGULAR, LINE_SIZE, inner, 2)
        self.file_lines, self.file_size = _fit(self.file_line, REGULAR, LINE_SIZE, inner, 1)
        self.row_size = LINE_SIZE if row <= inner else LINE_SIZE * inner / row
        self.den_size = DEN_SIZE * self.row_size / LINE_SIZE
        self.agency_lead = self.agency_size * 1.2
        self.row_lead = self.row_size * 1.25 if self.stacked else self.den_size * 1.2
        self.rows_height = self.row_lead * (len(self.items) if self.stacked else 1)
        self.note_lead = self.note_size * 1.2
        self.file_lead = self.file_size * 1.2
        self.height = (2 * PAD + self.agency_lead * len(self.agency_lines) + self.rows_height
                       + self.note_lead * len(self.note_lines) + self.file_lead)


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

    canvas.setFont(BOLD, lay.den_size)
    den_right = PAD + lay.den_width * lay.row_size / LINE_SIZE
    gap = GAP * lay.row_size / LINE_SIZE
    if lay.stacked:  # "ĐẾN" level with the middle row, "Số/Ngày/Giờ" one above the other
        canvas.drawString(PAD, y - lay.rows_height / 2 - lay.den_size * 0.33, "ĐẾN")
        canvas.setFont(REGULAR, lay.row_size)
        for item in lay.items:
            y -= lay.row_lead
            canvas.drawString(den_right + gap, y + lay.row_lead * 0.22, item)
    else:
        y -= lay.row_lead
        baseline = y + lay.row_lead * 0.22
        canvas.drawString(PAD, baseline, "ĐẾN")
        x = den_right
        canvas.setFont(REGULAR, lay.row_size)
        for item in lay.items:
            x += gap
            canvas.drawString(x, baseline, item)
            x += stringWidth(item, REGULAR, lay.row_size)

    for lines, size, lead in ((lay.note_lines, lay.note_size, lay.note_lead),
                              (lay.file_lines, lay.file_size, lay.file_lead)):
        canvas.setFont(REGULAR, size)
        for line in lines:
            y -= lead
            canvas.drawString(PAD, y + lead * 0.22, line)


@dataclass(frozen=True)
class _Placement:
    layout: _Layout
    left: float  # visible-page coordinates of the stamp's top-left corner (y downwards)
    top: float
    scale: float


def _number_line(boxes: list[Box], frame: PageFrame) -> Box | None:
    """The official header's "Số: …" line: top part of the page, left half."""
    found = [b for b in boxes if b.text and NUMBER_LINE.match(b.text)
             and b.left < frame.width / 2 and b.top < 0.4 * frame.height]
    return min(found, key=lambda b: b.top, default=None)


def _number_block_bottom(boxes: list[Box], number: Box) -> float:
    """Where the left column's "Số: … / V/v … / KHẨN" block ends: the lines right below the
    number that share its column, each close under the one before."""
    bottom = number.bottom
    for box in sorted(boxes, key=lambda b: b.top):
        if box.top >= number.bottom - 1 and box.top - bottom < BLOCK_GAP \
                and box.left < number.right and number.left < box.right:
            bottom = max(bottom, box.bottom)
    return bottom


def _place(pdf: bytes, page: PageObject, layouts: list[_Layout]) -> _Placement:
    """Free space for the stamp on ``page``, outside every text line and drawing it carries.

    In order: under the number and subject (left column, below the "Số: … V/v …" block); the
    top third; anywhere (a margin); each at the largest scale that fits. A page that cannot be
    measured, or has no room at all, gets the stamp at its top-left corner, scaled to the page.
    """
    frame = PageFrame.of(page)
    media = page.mediabox
    try:
        boxes = page_boxes(pdf, frame, mediabox_origin=(float(media.left), float(media.bottom)))
    except Exception as exc:  # pdfminer may refuse what pypdf read; the stamp still goes on
        log.warning("incoming stamp: page 1 cannot be measured (%s); stamping the top-left corner", exc)
        boxes = None
    if boxes is not None:
        space = FreeSpace(frame.width, frame.height, boxes)
        searches = []
        if (number := _number_line(boxes, frame)) is not None:
            centre = (number.left + number.right) / 2
            block = _number_block_bottom(boxes, number)
            under = Box(0, block, 0.55 * frame.width, block + UNDER_NUMBER_DEPTH)
            searches.append((under, SCALES_UNDER_NUMBER, lambda b: (b.top, abs((b.left + b.right) / 2 - centre))))
        top_left = lambda b: (b.top, b.left)  # noqa: E731 - the other regions' preference
        searches.append((Box(0, 0, frame.width, frame.height / 3), SCALES_TOP_THIRD, top_left))
        searches.append((None, SCALES_ANYWHERE, top_left))
        for region, scales, preference in searches:
            for scale in scales:
                fits = [(preference(box), index, box) for index, lay in enumerate(layouts)
                        for box in space.places(lay.width * scale, lay.height * scale, region)]
                if fits:
                    _, index, box = min(fits, key=lambda fit: (fit[0], fit[1]))
                    return _Placement(layouts[index], box.left, box.top, scale)
    lay = layouts[-1]
    scale = min(1.0, (frame.width - 2 * OFFSET_X) / lay.width, (frame.height - 2 * OFFSET_Y) / lay.height)
    return _Placement(lay, OFFSET_X, OFFSET_Y, scale)


def _overlay(page: PageObject, placement: _Placement) -> PageObject:
    """A one-page PDF, at ``page``'s own mediabox size, holding only the stamp."""
    media = page.mediabox
    frame = PageFrame.of(page)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(float(media.right), float(media.top)), invariant=1)
    # Turn the axes so that the stamp reads upright in a viewer even when the page carries
    # /Rotate (e.g. scanned landscapes), then move to the place found in visible coordinates.
    canvas.translate(*frame.corner)
    canvas.rotate(frame.rotation)
    canvas.translate(placement.left, -placement.top)
    with render_lock:  # reportlab's font subsetting is not thread-safe (see typeface.py)
        if placement.scale > 0:
            canvas.scale(placement.scale, placement.scale)
            _draw_stamp(canvas, placement.layout)
        canvas.showPage()
        canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue())).pages[0]


def stamp_incoming(
    pdf_bytes: bytes,
    *,
    agency_name: str,
    incoming_number: int | str,
    received_at: datetime.datetime,
    handling_note: str = "",
    file_code: str = "",
) -> bytes:
    """Return ``pdf_bytes`` with the incoming stamp drawn in free space on page 1.

    The stamp (Decree 30/2020/NĐ-CP, Appendix IV) reads ``agency_name`` (upper-cased), "ĐẾN",
    "Số: <incoming_number>" (an int below 10 is written with a leading zero), "Ngày: dd/mm/yyyy",
    "Giờ: HH:MM" (aware datetimes are converted to Vietnam time), "Chuyển: <handling_note>" and
    "Lưu hồ sơ số: <file_code>" (blank when no file is known). It lies outside every text line
    of page 1: under the number and subject of an official header when there is room, else in
    the top third, else in a margin, scaled down as far as needed (see ``_place``). The page
    count, the other pages and the document metadata are preserved; equal input gives equal bytes.

    Raises ``StampError`` (a ``ValueError``) for input that is not a readable, unencrypted PDF
    with at least one page, or for an invalid number or date.
    """
    number = _format_number(incoming_number)
    when = _local(received_at)
    reader = _read(pdf_bytes)
    ensure_fonts()
    fields = (compose(agency_name.strip()), number, when, compose(handling_note.strip()),
              compose(file_code.strip()))
    layouts = [_Layout(shape, *fields) for shape in SHAPES]
    writer = PdfWriter(clone_from=reader)
    first = writer.pages[0]
    try:
        first.merge_page(_overlay(first, _place(bytes(pdf_bytes), reader.pages[0], layouts)))
    except StampError:
        raise
    except Exception as exc:  # a page 1 whose content or resources pypdf cannot merge
        raise StampError(f"pdf_bytes: cannot stamp page 1 ({exc})") from exc
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
