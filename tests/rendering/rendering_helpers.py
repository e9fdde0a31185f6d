"""Helpers shared by the rendering tests: sample documents and PDF text inspection with pypdf.

Imported by the test modules; ``conftest.py`` puts this folder and the repository root on
``sys.path`` so that this works whatever pytest import mode or rootdir is in use.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import unicodedata

from pypdf import PdfReader

from docflow.rendering.official import OfficialDocument

SAMPLE_BODY = """Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;

Xét đề nghị của Chánh Văn phòng HĐND và UBND huyện.
Điều 1. Ban hành kèm theo Quyết định này Quy chế công tác văn thư, lưu trữ.
Điều 2. Quyết định này có hiệu lực kể từ ngày ký./."""

LONG_PARAGRAPH = (
    "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về việc đẩy mạnh ứng dụng công nghệ thông tin "
    "trong hoạt động của cơ quan nhà nước, Ủy ban nhân dân huyện yêu cầu các cơ quan, đơn vị, "
    "địa phương triển khai thực hiện nghiêm túc các nội dung sau đây, bảo đảm tiến độ và chất lượng."
)


def make_document(**changes: object) -> OfficialDocument:
    """A one-page quyết định of UBND huyện Bắc Yên; keyword arguments override fields."""
    base = OfficialDocument(
        parent_agency_name="UBND TỈNH SƠN LA",
        agency_name="UBND HUYỆN BẮC YÊN",
        notation="05/QĐ-UBND",
        place="Bắc Yên",
        issued_on=datetime.date(2018, 5, 3),
        doc_type_code="quyet_dinh",
        doc_type_name="Quyết định",
        subject="Về việc ban hành Quy chế công tác văn thư, lưu trữ",
        body=SAMPLE_BODY,
        signer_authority="TM.",
        signer_authority_of="Ủy ban nhân dân",
        signer_position="Chủ tịch",
        signer_name="Nguyễn Văn Anh",
        recipients=["Như Điều 2", "TT Huyện ủy", "Lưu: VT, VP"],
    )
    return dataclasses.replace(base, **changes)


def long_body(paragraphs: int = 45) -> str:
    """Numbered paragraphs ("Mục 7. ...") that fill several pages."""
    return "\n\n".join(f"Mục {i}. {LONG_PARAGRAPH}" for i in range(1, paragraphs + 1))


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader(pdf).pages]


def squash(text: str) -> str:
    """Collapse all whitespace runs to one space (wrapped lines break words apart)."""
    return " ".join(text.split())


def text_items(page) -> list[tuple[str, float, float]]:
    """(text, x, y) for every text run on ``page``, in user space (y grows upwards)."""
    items: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if not text.strip():
            return
        # Position = text matrix origin mapped through the current transformation matrix.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        items.append((text.strip(), x, y))

    page.extract_text(visitor_text=visit)
    return items


def find_item(page, startswith: str) -> tuple[str, float, float]:
    matches = [item for item in text_items(page) if item[0].startswith(startswith)]
    assert matches, f"no text starting with {startswith!r} on the page"
    return matches[0]


def vietnamese_letters() -> set[str]:
    """Every Vietnamese letter carrying a diacritic, lower and upper case: 134 characters.

    12 vowels (a ă â e ê i o ô ơ u ư y) x 5 tones = 60, plus the 6 toneless modified vowels
    (ă â ê ô ơ ư) and đ: 67 lowercase letters, and their 67 capitals.
    """
    vowels = "aăâeêioôơuưy"
    tones = "\u0301\u0300\u0309\u0303\u0323"  # sắc, huyền, hỏi, ngã, nặng
    lower = {unicodedata.normalize("NFC", v + t) for v in vowels for t in tones}
    lower |= set("ăâêôơư") | {"đ"}
    return lower | {letter.upper() for letter in lower}


def text_fonts(page) -> list[tuple[str, str]]:
    """(text, face) for every text run on ``page``; the face is read from the embedded font's
    name ("/AAAAAA+LiberationSerif-Italic" is "Italic"): "Regular", "Bold", "Italic", "BoldItalic"."""
    runs: list[tuple[str, str]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip() and font_dict is not None:
            name = str(font_dict.get("/BaseFont", "")).split("+")[-1]
            runs.append((text.strip(), name.partition("-")[2] or "Regular"))

    page.extract_text(visitor_text=visit)
    return runs


Rect = tuple[float, float, float, float]  # left, top, right, bottom; y downwards from the top


def poppler_lines(pdf: bytes, page: int = 1) -> list[tuple[Rect, str]]:
    """Every text line of ``page`` with its bounding box, as poppler's pdftotext measures it:
    an oracle independent of the pdfminer measurement the stamp placement uses."""
    import re
    import subprocess

    html = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), "-", "-"],
        input=pdf, capture_output=True, check=True,
    ).stdout.decode()
    lines = []
    for match in re.finditer(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>',
                             html, re.S):
        words = " ".join(re.findall(r">([^<]*)</word>", match.group(5)))
        lines.append(((float(match[1]), float(match[2]), float(match[3]), float(match[4])), words))
    return lines


def stamp_rect(stamped: bytes) -> Rect:
    """The stamp's frame on page 1: the last rectangle drawn (the overlay is merged last)."""
    page = reader(stamped).pages[0]
    rects: list[Rect] = []

    def before(operator, operands, cm, tm):
        if operator == b"re":
            x, y, w, h = (float(v) for v in operands)
            corners = [(px * cm[0] + py * cm[2] + cm[4], px * cm[1] + py * cm[3] + cm[5])
                       for px, py in ((x, y), (x + w, y + h))]
            top = float(page.mediabox.top)
            xs, ys = [c[0] for c in corners], [top - c[1] for c in corners]
            rects.append((min(xs), min(ys), max(xs), max(ys)))

    page.extract_text(visitor_operand_before=before)
    assert rects, "no rectangle drawn on page 1"
    return rects[-1]


def overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def platypus_official_pdf(doc) -> bytes:
    """``doc`` laid out by reportlab's own machinery, as ``render_official_document`` did before
    it placed blocks itself: the same header, title and signature tables and flowables, every
    paragraph a reportlab ``Paragraph``, in a ``BaseDocTemplate`` with one unpadded frame per page and the
    last paragraph kept with the signature by ``KeepTogether``. The oracle the faster layout
    must match byte for byte."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from unittest import mock

    from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate, Paragraph, Spacer

    from docflow.rendering import official
    from docflow.rendering.forms import body_paragraphs
    from docflow.rendering.typeface import ensure_fonts, render_lock

    ensure_fonts()
    buffer = io.BytesIO()
    frame = Frame(official.MARGIN_LEFT, official.MARGIN_BOTTOM, official.TEXT_WIDTH,
                  official.PAGE_HEIGHT - official.MARGIN_TOP - official.MARGIN_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    template = BaseDocTemplate(
        buffer, pagesize=A4, leftMargin=official.MARGIN_LEFT, rightMargin=official.MARGIN_RIGHT,
        topMargin=official.MARGIN_TOP, bottomMargin=official.MARGIN_BOTTOM,
        pageTemplates=[
            PageTemplate(id="first", frames=[frame], autoNextPageTemplate="later"),
            PageTemplate(id="later", frames=[frame],
                         onPage=lambda canvas, template: official._begin_page(canvas, template.page)),
        ],
        title=" ".join(filter(None, [doc.notation, doc.subject])).strip(), author=doc.agency_name,
        subject=doc.subject, creator="Docflow", lang="vi", invariant=1,
    )
    authority = doc.issuing_authority if doc.form.authority else ""
    body = [Paragraph(official._inline(paragraph), official._BODY_STYLES[paragraph.kind])
            for paragraph in body_paragraphs(doc.body, doc.form, authority=authority)]
    # Header, title and signature of reportlab Paragraphs only.
    with mock.patch.object(official, "plain_paragraph", lambda *args: None), \
            mock.patch.object(official, "FastParagraph", Paragraph):
        closing = [Spacer(1, 4 * mm), official._signature_block(doc)]
        story = [official._header(doc), *official._title_block(doc), *body[:-1], KeepTogether(body[-1:] + closing)]
    with render_lock:
        template.build(story)
    return buffer.getvalue()
