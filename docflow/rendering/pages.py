"""Laying a document out on pages without platypus's document template and frames.

``PageFlow`` places blocks down the text area of one page after another and draws each at
once, by the rules of a platypus ``Frame`` in a ``BaseDocTemplate`` (reportlab 4.x,
``overlapAttachedSpace`` on): the space between two blocks is the larger of the first's space
after and the second's space before, there is none at the top of a page, a block that does not
fit is split (a paragraph: at least two lines stay, ``allowOrphans=0``) or moved to the next
page, and ``keep_together`` moves a group to the next page when it does not fit where it is
(``KeepTogether``). Blocks are platypus flowables, or ``PlainParagraph``: a paragraph of plain
text in one font, broken into lines once and drawn with the text operators ``Paragraph``
emits for the same lines, without building a ``Paragraph``.

The same blocks give the same pages, lines and drawing operators as ``BaseDocTemplate.build``;
``tests/rendering/test_pages.py`` lays documents out both ways and compares them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from weakref import WeakKeyDictionary

from reportlab import rl_config
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus.doctemplate import LayoutError
from reportlab.platypus.flowables import Flowable
from reportlab.platypus.paragraph import (
    _centerDrawParaLine,
    _justifyDrawParaLine,
    _leftDrawParaLine,
    _rightDrawParaLine,
    cleanBlockQuotedText,
    setXPos,
)
from reportlab.platypus.paragraph import split as para_split
from reportlab.platypus.paragraph import strip as para_strip

from .flowables import SOFT_HYPHEN, break_words, plain_frag

_FUZZ = rl_config._FUZZ
_DRAW_LINE = {TA_LEFT: _leftDrawParaLine, TA_CENTER: _centerDrawParaLine,
              TA_RIGHT: _rightDrawParaLine, TA_JUSTIFY: _justifyDrawParaLine}


_UNPLAIN = ("endDots", "wordWrap", "shaping", "hyphenationLang", "uriWasteReduce", "embeddedHyphenation",
            "bulletText", "backColor", "borderWidth", "textTransform")


_PLAIN_STYLES: WeakKeyDictionary = WeakKeyDictionary()


def _plain_style(style: ParagraphStyle) -> bool:
    """Whether ``Paragraph`` would draw text in ``style`` as plain lines of one font."""
    plain = _PLAIN_STYLES.get(style)
    if plain is None:
        plain = _PLAIN_STYLES[style] = (
            not any(getattr(style, name, None) for name in _UNPLAIN)
            and getattr(style, "autoLeading", "") in ("", "off") and style.alignment in _DRAW_LINE)
    return plain


def _first_subset_codes(font, doc, text: str) -> bytes | None:
    """``text`` in the codes of ``font``'s first subset in ``doc``, or None unless every letter
    already has one there (a new letter is assigned its code by ``PDFTextObject``, in order)."""
    state = font.state.get(doc) if font._dynamicFont and not font.shapable else None
    if state is None:
        return None
    try:
        return bytes(map(state.assignments.__getitem__, map(ord, text)))
    except (KeyError, ValueError):  # a new letter, a no-break space, no glyph; a later subset
        return None


class _LineText(PDFTextObject):
    """A text object showing lines whose letters the font's first subset already holds with
    less work (a body is mostly such lines), in the operators ``PDFTextObject`` writes."""

    def _shown(self, font, codes: bytes) -> str:
        shown = f"({self._canvas._escape(codes)}) Tj"
        if self._curSubset == 0:
            return shown
        self._curSubset = 0
        return (f"{font.getSubsetInternalName(0, self._doc)} {fp_str(self._fontsize)} Tf "
                f"{fp_str(self._leading)} TL {shown}")

    def _formatText(self, text):  # noqa: N802 - reportlab's name
        font = getFont(self._fontname)
        codes = _first_subset_codes(font, self._doc, text)
        return super()._formatText(text) if codes is None else self._shown(font, codes)

    def justified_lines(self, lines: list, offset: float, justify_last: bool) -> bool:
        """``_justifyDrawParaLine`` for every line, the first indented by ``offset``; False
        (nothing drawn) unless the font's first subset holds every letter already."""
        font = getFont(self._fontname)
        texts = [" ".join(words) for _, words in lines]
        codes = _first_subset_codes(font, self._doc, " ".join(texts))
        if codes is None:
            return False
        code, last, start = self._code, len(lines) - 1, 0
        for i, (space_left, words) in enumerate(lines):
            end = start + len(texts[i])
            if i == 0:
                setXPos(self, offset)
            shown = self._shown(font, codes[start:end]) + " T*"
            start = end + 1
            if (-1e-8 < space_left <= 1e-8 or (i == last and not justify_last and space_left > -1e-8)
                    or len(words) < 2):
                code.append(shown)
            else:
                code.append(f"{fp_str(space_left / float(len(words) - 1))} Tw")
                code.append(shown)
                code.append("0 Tw")
            if i == 0:
                setXPos(self, -offset)
        return True


class PlainParagraph(Flowable):
    """A paragraph of plain text in one style, as ``PageFlow`` (or a table cell) places it.

    Built by ``plain_paragraph``; ``wrap``, ``split`` and ``drawOn`` answer as a ``Paragraph``
    of the same text would (lines, height, where a page break splits it, operators drawn).
    """

    def __init__(self, words: list[str], style: ParagraphStyle, frag, *, first_line: bool = True,
                 justify_last: bool = False, lines: list | None = None, width: float | None = None):
        # Flowable.__init__ is not called, as Paragraph does not: nothing of it is used.
        self.words, self.style, self.frag = words, style, frag
        # A paragraph's continuation on the next page has no first-line indent.
        self.first_line = first_line
        # The part before a page break is justified to its last line, as Paragraph.split does.
        self.justify_last = justify_last
        self.lines, self.width = lines, width
        self.height = 0.0 if lines is None else len(lines) * style.leading

    def wrapOn(self, canvas, avail_width: float, avail_height: float) -> tuple[float, float]:  # noqa: N802
        return self.wrap(avail_width, avail_height)

    def getActualLineWidths0(self) -> list[float]:  # noqa: N802 - as Paragraph's, for RuledParagraph
        return [self.width - space_left for space_left, _ in self.lines]

    def getSpaceBefore(self) -> float:  # noqa: N802 - the platypus flowable protocol
        return self.style.spaceBefore

    def getSpaceAfter(self) -> float:  # noqa: N802
        return self.style.spaceAfter

    def _widths(self, width: float) -> list[float]:
        style = self.style
        indent = style.firstLineIndent if self.first_line else 0
        return [width - style.leftIndent - indent - style.rightIndent,
                width - style.leftIndent - style.rightIndent]

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if avail_width != self.width:
            broken = break_words(self.words, self.frag.fontName, self.frag.fontSize,
                                 self._widths(avail_width), self.style.spaceShrinkage)
            if broken is None:
                raise LayoutError(f"a word does not fit in {avail_width:.1f} pt")
            self.lines, self.width = broken[0], avail_width
            self.height = len(self.lines) * self.style.leading
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[PlainParagraph]:
        """``Paragraph.split``: as many lines as fit, with the style's orphan and widow rules
        (by default a first line never stays alone at the foot of a page, a last line may
        start one)."""
        if avail_width < _FUZZ or avail_height < _FUZZ:
            return []
        self.wrap(avail_width, avail_height)
        style, lines = self.style, self.lines
        fit = int(avail_height / float(style.leading))
        if (not style.allowOrphans and fit <= 1) or fit == 0:
            return []
        count = len(lines)
        if count <= fit:
            return [self]
        if not style.allowWidows and count == fit + 1:
            if (style.allowOrphans and count == 3) or count > 3:
                fit -= 1  # the last line does not start a page alone
            else:
                return []
        head, tail = lines[:fit], lines[fit:]
        # The continuation is the rest of the words broken again at the full width: the same lines.
        return [
            PlainParagraph([w for _, words in head for w in words], style, self.frag,
                           first_line=self.first_line, justify_last=True, lines=head, width=avail_width),
            PlainParagraph([w for _, words in tail for w in words], style, self.frag,
                           first_line=False, lines=tail, width=avail_width),
        ]

    def drawOn(self, canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802
        """``Flowable.drawOn`` then ``Paragraph.drawPara`` for lines of one fragment."""
        style, frag, lines = self.style, self.frag, self.lines
        canvas.saveState()
        canvas.translate(x, y)
        canvas.saveState()
        canvas.setFillColor(frag.textColor)
        text = _LineText(canvas, style.leftIndent, self.height - frag.fontSize)
        text.preformatted = False
        text.direction = style.wordWrap
        text.setFont(frag.fontName, frag.fontSize, style.leading)
        offset = style.firstLineIndent if self.first_line else 0
        if style.alignment != TA_JUSTIFY or not text.justified_lines(lines, offset, self.justify_last):
            draw_line, last = _DRAW_LINE[style.alignment], len(lines) - 1
            for i, (space_left, words) in enumerate(lines):
                draw_line(text, offset, space_left, words, i == last and not self.justify_last)
                offset = 0
        canvas.drawText(text)
        canvas.restoreState()
        canvas.restoreState()


def _words(text: str) -> list[str]:
    """The words ``Paragraph`` breaks ``text`` into (its whitespace cleaning, then its split)."""
    if "\n" in text:
        text = cleanBlockQuotedText(text)
    return [word for word in para_split(para_strip(text)) if word]


def plain_paragraph(text: str, style: ParagraphStyle, width: float) -> PlainParagraph | None:
    """``text`` (not markup: no "<", ">" or "&") as a ``PlainParagraph`` broken for ``width``, or None when a
    ``Paragraph`` must lay it out: the text looks like markup, has a soft hyphen or a word wider
    than a line, or the style asks for more than plain lines."""
    if "<" in text or ">" in text or "&" in text or SOFT_HYPHEN in text or not _plain_style(style):
        return None
    words = _words(text)
    if not words:
        return None
    paragraph = PlainParagraph(words, style, plain_frag(style))
    broken = break_words(words, paragraph.frag.fontName, paragraph.frag.fontSize,
                         paragraph._widths(width), style.spaceShrinkage)
    if broken is None:
        return None
    paragraph.lines, paragraph.width = broken[0], width
    paragraph.height = len(paragraph.lines) * style.leading
    return paragraph


class PageFlow:
    """Blocks placed down the text area of as many pages as they need, drawn as they are placed.

    ``begin_page(canvas, number)`` is called at the start of every page (numbered from 1);
    ``finish`` ends the last page.
    """

    def __init__(self, canvas, *, left: float, bottom: float, width: float, height: float,
                 begin_page: Callable[[object, int], None]) -> None:
        self.canvas = canvas
        self.left, self.bottom, self.width, self.top = left, bottom, width, bottom + height
        self.begin_page = begin_page
        self.page = 0
        self._start_page()

    def _start_page(self) -> None:
        self.page += 1
        self.begin_page(self.canvas, self.page)
        self._y = self.top
        self._at_top = True
        self._space_after = 0.0  # the last block's space after, merged with the next one's before

    def _next_page(self) -> None:
        self.canvas.setPageRotation(0)
        self.canvas.showPage()
        self._start_page()

    def finish(self) -> None:
        self.canvas.setPageRotation(0)
        self.canvas.showPage()

    def _space_before(self, block) -> float:
        return 0.0 if self._at_top else max(block.getSpaceBefore() - self._space_after, 0.0)

    def _wrap(self, block, height: float) -> tuple[float, float]:
        block.canv = self.canvas  # platypus flowables measure through their canvas
        try:
            return block.wrap(self.width, height)
        finally:
            del block.canv

    def _place(self, block) -> bool:
        """``Frame._add``: draw ``block`` below the last one if it fits on this page."""
        space = self._space_before(block)
        room = self._y - self.bottom - space
        if room <= 0:
            return False
        width, height = self._wrap(block, room)
        y = self._y - height - space
        if y < self.bottom - _FUZZ:
            return False
        after = block.getSpaceAfter()
        block.drawOn(self.canvas, self.left, y, _sW=self.width - width)
        y -= after
        self._space_after = after
        if y != self._y:
            self._at_top = False
        self._y = y
        return True

    def _split(self, block) -> list:
        room = self._y - self.bottom - self._space_before(block)
        if room <= 0:
            return []
        block.canv = self.canvas
        try:
            return block.split(self.width, room)
        finally:
            del block.canv

    def add(self, *blocks) -> None:
        """Place ``blocks`` in order, splitting a paragraph over a page break where needed."""
        pending = list(blocks)
        postponed = None  # the block moved to a new page: failing again there, it never fits
        while pending:
            block = pending.pop(0)
            if self._place(block):
                continue
            parts = self._split(block)
            if parts:
                if not self._place(parts[0]):
                    raise LayoutError(f"{block!r} does not fit after splitting on page {self.page}")
                pending[0:0] = parts[1:]
            elif block is postponed:
                raise LayoutError(f"{block!r} is too large for a page (page {self.page})")
            else:
                postponed = block
                pending.insert(0, block)
                self._next_page()

    def keep_together(self, blocks: Iterable) -> None:
        """Place ``blocks`` on one page: on the next one when they do not fit on this one
        (``KeepTogether``); a group taller than a page flows from the top of a page."""
        blocks = list(blocks)
        needed = self._group_height(blocks)
        room = self._y - self.bottom - self._space_before(blocks[0])
        if room <= 0 or (needed > room and not self._at_top):
            self._next_page()
        self.add(*blocks)

    def _group_height(self, blocks: list) -> float:
        """``_listWrapOn``: the heights and the merged spaces between the blocks."""
        total, space_after, first = 0.0, 0.0, True
        for block in blocks:
            _, height = self._wrap(block, 0xFFFFFFF)
            if height <= _FUZZ:
                continue
            total += height
            if not first:
                total += max(block.getSpaceBefore() - space_after, 0.0)
            first = False
            space_after = block.getSpaceAfter()
            total += space_after
        return total - space_after
