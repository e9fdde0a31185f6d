"""Small platypus flowables the official layout needs and reportlab does not provide."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from reportlab.lib.colors import Color, black
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.pdfmetrics import getAscentDescent
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.paragraph import _processed_frags
from reportlab.platypus.paragraph import split as para_split
from reportlab.platypus.paragraph import strip as para_strip

SOFT_HYPHEN = "\xad"  # Paragraph may break the word there


# Word widths per (font, size), kept across documents: a body is mostly words already
# measured. Bounded, since a worker process renders for years.
_WORD_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}
_WORD_WIDTHS_MAX = 200_000
# What reportlab's parser makes of plain text in a style (its one fragment), per style.
_PLAIN_FRAGS: WeakKeyDictionary = WeakKeyDictionary()
MARKUP = frozenset("<>&")


def _word_widths(font_name: str, font_size: float) -> dict[str, float]:
    widths = _WORD_WIDTHS.get((font_name, font_size))
    if widths is None or len(widths) > _WORD_WIDTHS_MAX:
        widths = _WORD_WIDTHS[(font_name, font_size)] = {}
    return widths


def plain_frag(style):
    """The fragment reportlab's parser makes of plain text in ``style`` (font, size, colour), made
    once per style; callers clone it, never change it."""
    template = _PLAIN_FRAGS.get(style)
    if template is None:
        template = _PLAIN_FRAGS[style] = Paragraph("x", style).frags[0]
    return template


def plain_lines(text: str, font_name: str, font_size: float, max_widths, space_shrinkage: float):
    """``Paragraph.breakLines``'s lines, ``[(space left, words)]``, for plain text in one font,
    with the widest line's width; None when there is no text or a word is wider than a line."""
    text = para_strip(text)
    return break_words(para_split(text), font_name, font_size, max_widths, space_shrinkage) if text else None


def break_words(words: list[str], font_name: str, font_size: float, max_widths, space_shrinkage: float):
    """``plain_lines`` of the words of a text: greedy, the first line's width then the others',
    spaces allowed to shrink by ``space_shrinkage``; None when a word is wider than a line
    (``Paragraph`` then splits the word)."""
    widths = _word_widths(font_name, font_size)
    space = widths.get(" ")
    if space is None:
        space = widths[" "] = stringWidth(" ", font_name, font_size)
    word_widths = list(map(widths.get, words))
    if None in word_widths:
        for i, width in enumerate(word_widths):
            if width is None:
                word_widths[i] = widths[words[i]] = stringWidth(words[i], font_name, font_size)
    if not words or max(word_widths) > min(max_widths):
        return None
    shrink = space_shrinkage * space  # a line may take its spaces this much narrower
    last = len(max_widths) - 1
    # The same float operations, in the same order, as Paragraph's loop: equal lines, equal gaps.
    lines, start, count, current, lineno, max_width, width_max = [], 0, 0, -space, 0, max_widths[0], 0
    for i, width in enumerate(word_widths):
        new = current + space + width
        if new <= max_width + shrink * count or not count:
            count += 1
            current = new
        else:
            if current > width_max:
                width_max = current
            lines.append((max_width - current, words[start:i]))
            start, count, current = i, 1, width
            lineno += 1
            max_width = max_widths[min(last, lineno)]
    if current > width_max:
        width_max = current
    lines.append((max_width - current, words[start:]))
    return lines, width_max


class FastParagraph(Paragraph):
    """A ``Paragraph`` that lays out plain text with less work, to the same bytes.

    Three things cost most in a long body, and each is done here once instead of again and
    again, falling back to ``Paragraph``'s own code whenever the text or style needs more than
    the plain case (markup, a bullet, hyphenation, a word wider than the line…):

    - parsing: text without markup becomes the one fragment the parser would make of it, a
      copy of the fragment it made once for that style;
    - measuring: each word's width in the TrueType font is remembered per font and size;
    - wrapping: platypus asks a paragraph its size again for the same width (a frame before
      placing it, ``KeepTogether`` for the group, a table per cell, after a page break); the
      lines for a width already broken for are kept (a paragraph whose ``split`` dropped
      them breaks again).

    The line breaking below is ``Paragraph.breakLines``'s for a single fragment of plain text
    (greedy, the first line's width then the others', spaces allowed to shrink by the style's
    ``spaceShrinkage``); ``tests/rendering`` renders documents both ways and compares the bytes.
    """

    _wrapped_for: float | None = None

    def _setup(self, text, style, bulletText, frags, cleaner):
        if frags is None and not bulletText and isinstance(text, str) and not MARKUP.intersection(text):
            template = plain_frag(style)
            text = cleaner(text)
            fresh = {k: list(v) for k, v in template.__dict__.items() if isinstance(v, list)}
            frags = [template.clone(text=text, **fresh)]
        super()._setup(text, style, bulletText, frags, cleaner)

    def wrap(self, availWidth, availHeight):
        if availWidth == self._wrapped_for and "blPara" in self.__dict__:
            self.width = availWidth
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_for = availWidth if "blPara" in self.__dict__ else None
        return size

    def breakLines(self, width):
        lines = self._plain_lines(width if isinstance(width, (tuple, list)) else [width])
        return super().breakLines(width) if lines is None else lines

    def _plain_lines(self, max_widths):
        """``breakLines`` of one fragment of plain text, or None when that is not the case."""
        style, frags = self.style, self.frags
        if (len(frags) != 1 or self.bulletText or style.endDots or style.wordWrap or style.shaping
                or getattr(style, "hyphenationLang", "") or style.uriWasteReduce
                or style.embeddedHyphenation):
            return None
        frag = frags[0]
        if (not isinstance(getattr(frag, "text", None), str) or hasattr(frag, "cbDefn")
                or hasattr(frag, "backColor") or _processed_frags(frags) or SOFT_HYPHEN in frag.text):
            return None
        font_name, font_size = frag.fontName, frag.fontSize
        broken = plain_lines(frag.text, font_name, font_size, max_widths, style.spaceShrinkage)
        if broken is None:
            return None
        lines, self._width_max = broken
        self._splitLongWordCount = self._hyphenations = 0
        ascent, descent = getAscentDescent(font_name, font_size)
        return frag.clone(kind=0, lines=lines, ascent=ascent, descent=descent, fontSize=font_size)


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
