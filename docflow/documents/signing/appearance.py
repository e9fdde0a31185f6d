"""Signature and field appearances drawn with reportlab (our Vietnamese fonts) and imported into
the PDF as form XObjects: one small PDF page per appearance, exactly the box's size."""

from __future__ import annotations

import binascii
import io
import uuid

from pyhanko import stamp
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.lib.colors import Color
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen import canvas

from docflow.rendering.typeface import ITALIC, REGULAR, ensure_fonts, render_lock

BORDER = Color(0.1, 0.2, 0.6)
__all__ = ["ITALIC", "REGULAR", "image_page", "imported", "text_page"]


class _ImportedBytes(PdfContent):
    """Page 1 of a PDF held in memory, as content (pyHanko's own class reads only files)."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.data = data

    def render(self) -> bytes:
        xobj = self._ensure_writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.data)), page_ix=0)
        name = b"/Import" + binascii.hexlify(uuid.uuid4().bytes)
        self.resources.xobject[name.decode("ascii")] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name + b" Do"


def imported(data: bytes) -> stamp.StaticStampStyle:
    """A stamp style that shows the given one-page PDF as it is, filling the box."""
    return stamp.StaticStampStyle(
        border_width=0, background=_ImportedBytes(data), background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
    )


def _page(width: float, height: float, draw) -> bytes:
    ensure_fonts()
    out = io.BytesIO()
    with render_lock:
        pdf = canvas.Canvas(out, pagesize=(width, height), invariant=1)
        draw(pdf)
        pdf.showPage()
        pdf.save()
    return out.getvalue()


def text_page(width: float, height: float, lines: list[str], *, font: str = REGULAR,
              size: float = 10, border: bool = False, align: str = "centre", left: float = 0) -> bytes:
    """Lines of text (wrapped to the width right of ``left``) centred vertically, centred or
    right-aligned, with an optional frame around them."""
    ensure_fonts()
    lines = [part for line in lines for part in simpleSplit(line, font, size, width - left - 6)]

    def draw(pdf) -> None:
        if border:
            pdf.setStrokeColor(BORDER)
            pdf.setLineWidth(0.8)
            pdf.rect(left + 0.5, 0.5, width - left - 1, height - 1)
        pdf.setFont(font, size)
        leading = size * 1.2
        top = height / 2 + leading * (len(lines) - 1) / 2 - size * 0.3
        for i, line in enumerate(lines):
            y = top - i * leading
            if align == "right":
                pdf.drawRightString(width - 2, y, line)
            else:
                pdf.drawCentredString(left + (width - left) / 2, y, line)
    return _page(width, height, draw)


def image_page(width: float, height: float, png: bytes) -> bytes:
    """A transparent PNG at the largest size that fits, centred, its alpha kept."""
    def draw(pdf) -> None:
        image = ImageReader(io.BytesIO(png))
        iw, ih = image.getSize()
        scale = min(width / iw, height / ih)
        w, h = iw * scale, ih * scale
        pdf.drawImage(image, (width - w) / 2, (height - h) / 2, w, h, mask="auto")
    return _page(width, height, draw)
