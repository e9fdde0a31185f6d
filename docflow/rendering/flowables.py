"""Small platypus flowables the official layout needs and reportlab does not provide."""

from __future__ import annotations

from reportlab.lib.colors import Color, black
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph


class RuledParagraph(Flowable):
    """A centred paragraph with a horizontal rule centred under it.

    Decree 30 draws these rules relative to the text, not to the column: as long as the motto
    under "Độc lập - Tự do - Hạnh phúc" (``ratio=1``), and 1/3 to 1/2 of the text under the issuing
    agency's name and under a subject. The rule length therefore comes from the widest wrapped
    line, which is only known after the paragraph is wrapped.
    """

    def __init__(
        self,
        paragraph: Paragraph,
        *,
        ratio: float,
        gap: float = 2.0,
        thickness: float = 0.6,
        color: Color = black,
    ) -> None:
        super().__init__()
        self.paragraph = paragraph
        self.ratio = ratio
        self.gap = gap
        self.thickness = thickness
        self.color = color
        self._para_height = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        _, self._para_height = self.paragraph.wrap(avail_width, avail_height)
        self.width = avail_width
        self.height = self._para_height + self.gap + self.thickness
        return self.width, self.height

    def rule_length(self) -> float:
        """Length of the rule in points; valid after ``wrap``."""
        widths = self.paragraph.getActualLineWidths0() or [0.0]
        return max(widths) * self.ratio

    def draw(self) -> None:
        canv = self.canv
        base = self.gap + self.thickness
        self.paragraph.drawOn(canv, 0, base)
        length = self.rule_length()
        if length <= 0:
            return
        x0 = (self.width - length) / 2
        y = self.thickness / 2
        canv.saveState()
        canv.setStrokeColor(self.color)
        canv.setLineWidth(self.thickness)
        canv.line(x0, y, x0 + length, y)
        canv.restoreState()


class BoxedMark(Flowable):
    """A bold uppercase word in a rectangular frame: the urgency and secrecy marks.

    Decree 30 (Appendix I) gives the urgency stamp sizes 20 x 8, 30 x 8 and 40 x 8 mm by length of
    the word; we pick the smallest that fits and grow beyond 40 mm only for unusual text.
    """

    _WIDTHS = (20 * mm, 30 * mm, 40 * mm)
    _HEIGHT = 8 * mm

    def __init__(
        self,
        text: str,
        *,
        font_name: str,
        font_size: float = 13,
        color: Color = black,
        space_before: float = 4,
    ) -> None:
        super().__init__()
        self.text = text.upper()
        self.font_name = font_name
        self.font_size = font_size
        self.color = color
        self.hAlign = "CENTER"
        self.spaceBefore = space_before
        text_width = stringWidth(self.text, font_name, font_size)
        needed = text_width + 4 * mm
        self.width = next((w for w in self._WIDTHS if w >= needed), needed)
        self.height = self._HEIGHT

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setStrokeColor(self.color)
        canv.setFillColor(self.color)
        canv.setLineWidth(1)
        canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        canv.setFont(self.font_name, self.font_size)
        # Vertically centre on the cap height (~0.66 em for Times-metric capitals).
        baseline = (self.height - self.font_size * 0.66) / 2
        canv.drawCentredString(self.width / 2, baseline, self.text)
        canv.restoreState()
