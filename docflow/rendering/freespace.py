"""Where a page has room: the boxes of its text lines and drawings, and free places for a box.

Coordinates here are the *visible* page's: origin at the top-left corner of the crop box as a
viewer shows it (``/Rotate`` applied), x to the right, y downwards, in points.

pdfminer.six measures the page (real glyph widths of every font kind, form XObjects included);
pypdf only knows where text starts. A page is cut into a grid of small cells, every cell a box
touches is taken, and a summed-area table answers "is this rectangle free?" in constant time, so
trying every position for several stamp sizes stays cheap.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTChar, LTCurve, LTImage, LTTextLine
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from reportlab.lib.units import mm

__all__ = ["Box", "FreeSpace", "PageFrame", "page_boxes"]

CELL = 1 * mm
CLEARANCE = 1.5 * mm  # kept between a placed box and anything printed
EDGE = 5 * mm  # kept from the paper's edge (printers' unprintable margin)


@dataclass(frozen=True)
class Box:
    """A rectangle in visible-page coordinates; ``text`` when it is a line of text."""

    left: float
    top: float
    right: float
    bottom: float
    text: str = ""

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def overlaps(self, other: Box) -> bool:
        return (self.left < other.right and other.left < self.right
                and self.top < other.bottom and other.top < self.bottom)


@dataclass(frozen=True)
class PageFrame:
    """The visible page: its size and the user-space transform of its top-left corner."""

    width: float
    height: float
    corner: tuple[float, float]  # user-space point shown at the visible top-left
    rotation: int  # /Rotate, one of 0, 90, 180, 270

    @classmethod
    def of(cls, page) -> PageFrame:
        """The frame of a pypdf page (its crop box, turned by its /Rotate)."""
        rotation = page.rotation % 360
        rotation = rotation if rotation in (90, 180, 270) else 0  # viewers ignore odd values too
        x0, y0, x1, y1 = (float(v) for v in (page.cropbox.left, page.cropbox.bottom,
                                            page.cropbox.right, page.cropbox.top))
        corner = {0: (x0, y1), 90: (x0, y0), 180: (x1, y0), 270: (x1, y1)}[rotation]
        size = (x1 - x0, y1 - y0) if rotation in (0, 180) else (y1 - y0, x1 - x0)
        return cls(width=size[0], height=size[1], corner=corner, rotation=rotation)

    def visible(self, ux: float, uy: float) -> tuple[float, float]:
        """A user-space point in visible coordinates: rotate back by /Rotate, flip y."""
        dx, dy = ux - self.corner[0], uy - self.corner[1]
        cos, sin = round(math.cos(math.radians(self.rotation))), round(math.sin(math.radians(self.rotation)))
        return dx * cos + dy * sin, -(-dx * sin + dy * cos)

    def box(self, x0: float, y0: float, x1: float, y1: float, text: str = "") -> Box:
        """The visible box covering the user-space rectangle (x0, y0)-(x1, y1)."""
        a, b = self.visible(x0, y0), self.visible(x1, y1)
        return Box(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]), text)


def _walk(item) -> Iterable:
    yield item
    if not isinstance(item, (LTTextLine, LTChar)) and hasattr(item, "__iter__"):
        for child in item:
            yield from _walk(child)


def page_boxes(pdf: bytes, frame: PageFrame, *, mediabox_origin: tuple[float, float]) -> list[Box]:
    """The boxes of page 1's text lines, rules, frames and small pictures, in ``frame``.

    Full-page pictures (a scanned sheet) and page-sized frames are left out: text is found on
    them or nowhere, and a stamp always lies on them.
    """
    with io.BytesIO(pdf) as fh:
        page = next(PDFPage.get_pages(fh, pagenos={0}, maxpages=1))
        page.rotate = 0  # measure in user space; ``frame`` applies the rotation
        manager = PDFResourceManager()
        device = PDFPageAggregator(manager, laparams=LAParams())
        PDFPageInterpreter(manager, device).process_page(page)
        layout = device.get_result()
    ox, oy = mediabox_origin  # pdfminer measures from the media box's lower-left corner
    boxes: list[Box] = []
    for item in _walk(layout):
        if isinstance(item, LTTextLine):
            text = item.get_text().strip()
            if not text:
                continue
        elif isinstance(item, (LTCurve, LTImage)):
            text = ""
            if item.width > 0.6 * frame.width and item.height > 0.6 * frame.height:
                continue
        else:
            continue
        boxes.append(frame.box(item.x0 + ox, item.y0 + oy, item.x1 + ox, item.y1 + oy, text))
    return boxes


class FreeSpace:
    """The free cells of a page after ``boxes`` are taken; answers where a w x h box fits."""

    def __init__(self, width: float, height: float, boxes: Sequence[Box]) -> None:
        self.width, self.height = width, height
        self.cols, self.rows = max(1, int(width // CELL)), max(1, int(height // CELL))
        taken = [[False] * self.cols for _ in range(self.rows)]
        edge_c, edge_r = math.ceil(EDGE / CELL), math.ceil(EDGE / CELL)
        for r in range(self.rows):
            for c in range(self.cols):
                taken[r][c] = r < edge_r or c < edge_c or r >= self.rows - edge_r or c >= self.cols - edge_c
        for box in boxes:
            c0, c1 = self._span(box.left - CLEARANCE, box.right + CLEARANCE, self.cols)
            r0, r1 = self._span(box.top - CLEARANCE, box.bottom + CLEARANCE, self.rows)
            for r in range(r0, r1):
                row = taken[r]
                for c in range(c0, c1):
                    row[c] = True
        # sums[r][c]: taken cells in rows < r and columns < c.
        self.sums = [[0] * (self.cols + 1) for _ in range(self.rows + 1)]
        for r in range(self.rows):
            running, above, here = 0, self.sums[r], self.sums[r + 1]
            for c in range(self.cols):
                running += taken[r][c]
                here[c + 1] = above[c + 1] + running

    @staticmethod
    def _span(lo: float, hi: float, limit: int) -> tuple[int, int]:
        return max(0, min(limit, int(lo // CELL))), max(0, min(limit, math.ceil(hi / CELL)))

    def _free(self, r: int, c: int, rows: int, cols: int) -> bool:
        s = self.sums
        return s[r + rows][c + cols] - s[r][c + cols] - s[r + rows][c] + s[r][c] == 0

    def places(self, width: float, height: float, region: Box | None = None) -> list[Box]:
        """Every free position (cell-aligned) of a ``width`` x ``height`` box lying in ``region``."""
        cols, rows = math.ceil(width / CELL), math.ceil(height / CELL)
        region = region or Box(0, 0, self.width, self.height)
        r_lo, c_lo = max(0, math.ceil(region.top / CELL)), max(0, math.ceil(region.left / CELL))
        r_hi = min(self.rows - rows, int(region.bottom // CELL) - rows)
        c_hi = min(self.cols - cols, int(region.right // CELL) - cols)
        return [
            Box(c * CELL, r * CELL, c * CELL + width, r * CELL + height)
            for r in range(r_lo, r_hi + 1) for c in range(c_lo, c_hi + 1)
            if self._free(r, c, rows, cols)
        ]
