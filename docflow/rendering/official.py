"""The issued document, laid out as Decree 30/2020/NĐ-CP (Appendix I) prescribes.

``render_official_document`` is a pure function: an ``OfficialDocument`` in, PDF bytes out, no
Django and no I/O besides reading the bundled fonts. The same input always gives the same bytes
(reportlab's ``invariant`` mode), because issued PDFs are stored content-addressed by SHA-256 and
re-rendering an issued document must not create a second file.

Layout summary (numbers in mm unless said otherwise): A4, margins top/bottom 20, left 30, right 15;
Liberation Serif (Times metrics) 14 pt body. Header in two columns: agency block and "Số:" on the
left, national title, motto and place/date on the right. Then type name and subject (or, for a
công văn, "V/v ..." under the number), what the type's form adds (``forms.py``: the issuing
authority, "Kính gửi:", italic legal bases, "QUYẾT ĐỊNH:", bold headings), the body, and the
signature block on the right level with "Nơi nhận:" on the left. Pages 2.. carry their number
centred in the top margin.

Pages are laid out by ``pages.PageFlow``: platypus's frame rules without its document template,
plain paragraphs broken into lines once and drawn straight onto the canvas, the header and
signature still reportlab tables. The bytes are those the platypus build printed
(``tests/rendering/test_pages.py`` lays documents out both ways).
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from .flowables import BoxedMark, RuledParagraph, FastParagraph
from .document import (
    CONG_VAN_CODE,
    MOTTO,
    NATIONAL_TITLE,
    SECRECY_MARKS,
    SIGNER_AUTHORITIES,
    URGENCY_MARKS,
    OfficialDocument,
    format_vietnamese_date_line,
)
from .form_fields import DATE_FIELD, NUMBER_FIELD, SIGNATURE_SLOT, TextFieldBox
from .forms import body_paragraphs
from .pages import PageFlow, plain_paragraph
from .typeface import BOLD, BOLD_ITALIC, ITALIC, REGULAR, compose, ensure_fonts, render_lock

__all__ = [
    "CONG_VAN_CODE",
    "NATIONAL_TITLE",
    "MOTTO",
    "SECRECY_MARKS",
    "SIGNER_AUTHORITIES",
    "URGENCY_MARKS",
    "OfficialDocument",
    "format_vietnamese_date_line",
    "render_official_document",
]


PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
MARGIN_LEFT = 30 * mm
MARGIN_RIGHT = 15 * mm
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 165 mm

# The right column must hold the national title on one line (13 pt bold is ~96 mm wide).
HEADER_LEFT_WIDTH = 66 * mm
HEADER_RIGHT_WIDTH = TEXT_WIDTH - HEADER_LEFT_WIDTH
HEADER_GUTTER = 3  # pt of padding on each side of the column boundary, so long names never touch
_LEFT_CELL = HEADER_LEFT_WIDTH - HEADER_GUTTER  # the width a header column gives its paragraphs
_RIGHT_CELL = HEADER_RIGHT_WIDTH - HEADER_GUTTER
FOOTER_LEFT_WIDTH = 78 * mm
FOOTER_RIGHT_WIDTH = TEXT_WIDTH - FOOTER_LEFT_WIDTH
SIGNATURE_SPACE = 24 * mm  # room for the hand signature and the seal
BODY_SIZE = 14
MARK_COLOR = Color(0.8, 0.0, 0.0)  # urgency/secrecy stamps are red ink on paper


def _style(name: str, font: str, size: float, align: int = TA_CENTER, **kw: object) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=kw.pop("leading", size * 1.15),
                          alignment=align, **kw)


# Styles only name fonts; the fonts themselves are registered lazily at render time.
_PARENT = _style("parent", REGULAR, 13)
_AGENCY = _style("agency", BOLD, 13)
_TITLE = _style("title", BOLD, 13)
_MOTTO = _style("motto", BOLD, 14)
_NUMBER = _style("number", REGULAR, 13)
_VV = _style("vv", REGULAR, 12.5)
_DATE = _style("date", ITALIC, 14)
_TYPE = _style("type", BOLD, 14, spaceBefore=10)
_SUBJECT = _style("subject", BOLD, 14)
_BODY = _style("body", REGULAR, BODY_SIZE, TA_JUSTIFY, leading=BODY_SIZE * 1.2,
               firstLineIndent=1.27 * cm, spaceAfter=6)
_BASIS = _style("basis", ITALIC, BODY_SIZE, TA_JUSTIFY, leading=BODY_SIZE * 1.2,
                firstLineIndent=1.27 * cm, spaceAfter=6)
_ENACTING = _style("enacting", BOLD, BODY_SIZE, spaceBefore=4, spaceAfter=8)
_AUTHORITY = _style("authority", BOLD, BODY_SIZE, spaceAfter=6)
_ADDRESSEE = _style("addressee", REGULAR, BODY_SIZE, TA_LEFT, leading=BODY_SIZE * 1.2)
_ADDRESSEE_ONE = _style("addressee_one", REGULAR, BODY_SIZE, leading=BODY_SIZE * 1.2)
ADDRESSED_TO = "Kính gửi"
AS_ABOVE = "Như trên"
_SIGN = _style("sign", BOLD, 14)
_RECIPIENTS_HEAD = _style("recipients_head", BOLD_ITALIC, 12, TA_LEFT)
_RECIPIENT = _style("recipient", REGULAR, 11, TA_LEFT, leading=12.5)


def _p(text: str, style: ParagraphStyle, width: float):
    """``text`` as a paragraph in ``style`` for a column ``width`` wide: plain lines when it is
    plain text, else a ``Paragraph`` (user text escaped: "<" and "&" would break its markup)."""
    text = compose(text.strip())
    if "\n" not in text and (plain := plain_paragraph(text, style, width)) is not None:
        return plain
    # An explicit newline is kept as a line break: clerks break long agency names on purpose
    # ("ỦY BAN NHÂN DÂN" / "HUYỆN BẮC YÊN").
    return FastParagraph(escape(text).replace("\n", "<br/>"), style)


def _marks(doc: OfficialDocument) -> list[BoxedMark]:
    # Secrecy (box 10a) above urgency (box 10b), both under the number, as in Appendix I.
    marks = []
    for text in (SECRECY_MARKS[doc.secrecy], URGENCY_MARKS[doc.urgency]):
        if text:
            marks.append(BoxedMark(text, font_name=BOLD, font_size=13, color=MARK_COLOR))
    return marks


def _notation_and_date(doc: OfficialDocument) -> tuple[list, list]:
    """The "Số: …" line (left column) and the place-and-date line (right column): the two things
    the clerk fills in at issue, drawn here only. Before issue they are form fields that the
    signing step fills, which the approver's signature permits."""
    if doc.number_date_fields:
        return (
            [TextFieldBox(NUMBER_FIELD, width=HEADER_LEFT_WIDTH - HEADER_GUTTER, height=16)],
            [TextFieldBox(DATE_FIELD, width=HEADER_RIGHT_WIDTH - HEADER_GUTTER, height=18)],
        )
    return (
        [_p(f"Số: {doc.notation}".rstrip(), _NUMBER, _LEFT_CELL)],
        [_p(format_vietnamese_date_line(doc.place, doc.issued_on), _DATE, _RIGHT_CELL)],
    )


def _header(doc: OfficialDocument) -> Table:
    """The two-column block at the top of page 1."""
    agency: list = []
    if doc.parent_agency_name.strip():
        agency.append(_p(doc.parent_agency_name.upper(), _PARENT, _LEFT_CELL))
    agency.append(RuledParagraph(_p(doc.agency_name.upper(), _AGENCY, _LEFT_CELL), ratio=0.4, gap=3))

    nation = [
        _p(NATIONAL_TITLE, _TITLE, _RIGHT_CELL),
        RuledParagraph(_p(MOTTO, _MOTTO, _RIGHT_CELL), ratio=1.0, gap=2.5),
    ]

    number, date_line = _notation_and_date(doc)
    if not doc.form.titled and doc.printed_subject:
        number.append(Spacer(1, 2))
        number.append(_p(doc.printed_subject, _VV, _LEFT_CELL))
    number.extend(_marks(doc))

    table = Table(
        [[agency, nation], [number, date_line]],
        colWidths=[HEADER_LEFT_WIDTH, HEADER_RIGHT_WIDTH],
    )
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),  # centres the boxed marks (cells ignore hAlign)
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, 0), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 1), (-1, 1), 6),  # breathing room under the rules
        ("RIGHTPADDING", (0, 0), (0, -1), HEADER_GUTTER),
        ("LEFTPADDING", (1, 0), (1, -1), HEADER_GUTTER),
    ]))
    return table


def _title_block(doc: OfficialDocument) -> list:
    """Type name and subject, centred (an untitled form's V/v is in the header), then what the
    form prints before the body: the issuing authority, the "Kính gửi:" block."""
    form = doc.form
    if form.titled:
        flow: list = [Spacer(1, 6 * mm), _p(doc.doc_type_name.upper(), _TYPE, TEXT_WIDTH)]
        if doc.printed_subject:
            flow.append(RuledParagraph(_p(doc.printed_subject, _SUBJECT, TEXT_WIDTH), ratio=0.4, gap=3))
        flow.append(Spacer(1, 6 * mm))
    else:
        flow = [Spacer(1, 8 * mm)]
    if form.authority and doc.issuing_authority.strip():
        flow.append(_p(doc.issuing_authority.upper(), _AUTHORITY, TEXT_WIDTH))
    if form.addressed and _entries(doc.addressees):
        flow.extend(_addressee_block(_entries(doc.addressees)))
        flow.append(Spacer(1, 4 * mm))
    return flow


def _addressee_block(entries: list[str]) -> list[Paragraph]:
    """ "Kính gửi: X." on one line for one addressee; for several, one "- X;" per line below it,
    the dashes under the colon, the block centred on the page (Appendix I, box 9a)."""
    if len(entries) == 1:
        return [_p(f"{ADDRESSED_TO}: {entries[0]}.", _ADDRESSEE_ONE, TEXT_WIDTH)]
    lines = _listed(entries)
    colon_x = stringWidth(ADDRESSED_TO, REGULAR, BODY_SIZE)
    widest = max(stringWidth(compose(line), REGULAR, BODY_SIZE) for line in lines)
    left = max(0.0, (TEXT_WIDTH - colon_x - widest) / 2)
    label = ParagraphStyle("addressee_label", parent=_ADDRESSEE, leftIndent=left)
    item = ParagraphStyle("addressee_item", parent=_ADDRESSEE, leftIndent=left + colon_x)
    return [_p(f"{ADDRESSED_TO}:", label, TEXT_WIDTH), *(_p(line, item, TEXT_WIDTH) for line in lines)]


def _inline(paragraph) -> str:
    text = escape(compose(paragraph.text))
    if paragraph.bold_all:
        return f"<b>{text}</b>"
    if paragraph.bold_label:
        label = escape(compose(paragraph.bold_label))
        return f"<b>{label}</b>{text[len(label):]}"
    return text


_BODY_STYLES = {"text": _BODY, "basis": _BASIS, "enacting": _ENACTING}


def _body(doc: OfficialDocument) -> list:
    """The body's paragraphs: plain ones broken into lines here, those with a bold head or
    anything else to parse as ``Paragraph``s."""
    # Every non-blank line is a paragraph: clerks paste text where a newline ends a paragraph.
    authority = doc.issuing_authority if doc.form.authority else ""
    blocks: list = []
    for paragraph in body_paragraphs(doc.body, doc.form, authority=authority):
        style = _BODY_STYLES[paragraph.kind]
        plain = None
        if not (paragraph.bold_all or paragraph.bold_label):
            plain = plain_paragraph(compose(paragraph.text), style, TEXT_WIDTH)
        blocks.append(plain or FastParagraph(_inline(paragraph), style))
    return blocks


def _entries(names) -> list[str]:
    """List entries without the dash, the semicolon or the full stop callers may have typed."""
    return [text for entry in names if (text := entry.strip().lstrip("-–• ").rstrip(";.,").strip())]


def _listed(entries: list[str]) -> list[str]:
    """ "- name;" per entry, the last one closed by a full stop, as every list of the decree."""
    return [f"- {text};" for text in entries[:-1]] + [f"- {entries[-1]}."]


def _recipient_lines(recipients: tuple[str, ...], *, as_above: bool = False) -> list[str]:
    """Normalise "Nơi nhận" entries to "- name;" with the filing line "- Lưu: ..." last, and
    "- Như trên;" first when the addressees were named in "Kính gửi:".

    Callers may or may not include the dash, the semicolon or the "Lưu: VT" line; whatever they
    give, the list comes out in the decree's form, ending with a full stop.
    """
    others: list[str] = [AS_ABOVE] if as_above else []
    filing: list[str] = []
    for text in _entries(recipients):
        if text.casefold() == AS_ABOVE.casefold():
            continue
        (filing if text.casefold().startswith("lưu") else others).append(text)
    return _listed(others + (filing or ["Lưu: VT"]))


def _signature_block(doc: OfficialDocument) -> Table:
    """"Nơi nhận" at the left, the signer at the right, top-aligned on the same line."""
    recipients: list = [_p("Nơi nhận:", _RECIPIENTS_HEAD, FOOTER_LEFT_WIDTH)]
    as_above = doc.form.addressed and bool(_entries(doc.addressees))
    recipients.extend(_p(line, _RECIPIENT, FOOTER_LEFT_WIDTH) for line in _recipient_lines(doc.recipients, as_above=as_above))

    signer: list = []
    if doc.signer_authority:
        authority = f"{doc.signer_authority} {doc.signer_authority_of.strip()}".strip()
        signer.append(_p(authority.upper(), _SIGN, FOOTER_RIGHT_WIDTH))
    if doc.signer_position.strip():
        signer.append(_p(doc.signer_position.strip().upper(), _SIGN, FOOTER_RIGHT_WIDTH))
    if doc.number_date_fields:  # marks where the signatures go, found again by docflow.documents.signing
        signer.append(TextFieldBox(SIGNATURE_SLOT, width=FOOTER_RIGHT_WIDTH, height=SIGNATURE_SPACE))
    else:
        signer.append(Spacer(1, SIGNATURE_SPACE))
    signer.append(_p(doc.signer_name.strip(), _SIGN, FOOTER_RIGHT_WIDTH))

    table = Table([[recipients, signer]], colWidths=[FOOTER_LEFT_WIDTH, FOOTER_RIGHT_WIDTH])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def _begin_page(canvas, number: int) -> None:
    # Decree 30: numbered from page 2, in Arabic digits, centred horizontally in the top margin.
    if number < 2:
        return
    canvas.saveState()
    canvas.setFont(REGULAR, 13)
    x = MARGIN_LEFT + TEXT_WIDTH / 2
    y = PAGE_HEIGHT - MARGIN_TOP / 2 - 4
    canvas.drawCentredString(x, y, str(number))
    canvas.restoreState()


def _canvas(buffer: io.BytesIO, doc: OfficialDocument) -> Canvas:
    canvas = Canvas(buffer, pagesize=A4, invariant=1, lang="vi")
    canvas.setAuthor(doc.agency_name)
    canvas.setTitle(" ".join(filter(None, [doc.notation, doc.subject])).strip())
    canvas.setSubject(doc.subject)
    canvas.setCreator("Docflow")
    canvas.setProducer(None)
    canvas.setKeywords([])
    return canvas


def render_official_document(doc: OfficialDocument) -> bytes:
    """Render ``doc`` as an A4 PDF in the Decree 30/2020/NĐ-CP format and return its bytes.

    Long bodies flow over as many pages as needed; the signature block never stands alone on a
    page (the last body paragraph moves with it). The output is byte-for-byte deterministic for
    equal input (``invariant``: fixed dates and ids, for content addressing). Input is validated
    when the ``OfficialDocument`` is built, not here.
    """
    ensure_fonts()
    buffer = io.BytesIO()
    head = [_header(doc), *_title_block(doc)]
    body = _body(doc)
    closing = [Spacer(1, 4 * mm), _signature_block(doc)]
    with render_lock:  # reportlab's font subsetting is not thread-safe (see typeface.py)
        canvas = _canvas(buffer, doc)
        # The margins are the decree's, exactly: no frame padding.
        flow = PageFlow(canvas, left=MARGIN_LEFT, bottom=MARGIN_BOTTOM, width=TEXT_WIDTH,
                        height=PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM, begin_page=_begin_page)
        flow.add(*head, *body[:-1])
        flow.keep_together(body[-1:] + closing)
        flow.finish()
        canvas.save()
    return buffer.getvalue()
