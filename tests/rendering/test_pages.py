"""The page layout of official documents (``docflow.rendering.pages``): the same pages, lines
and bytes as reportlab's document template, with the decree's page rules."""

from __future__ import annotations

import dataclasses

import pytest
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph
from reportlab.platypus.doctemplate import LayoutError

from docflow.rendering import render_official_document
from docflow.rendering.official import TEXT_WIDTH
from docflow.rendering.pages import plain_paragraph
from docflow.rendering.typeface import REGULAR, ensure_fonts
from rendering_helpers import (
    LONG_PARAGRAPH,
    SAMPLE_BODY,
    make_document,
    platypus_official_pdf,
    reader,
    squash,
)

SHORT = "Giao Văn phòng theo dõi, đôn đốc việc thực hiện."


def _body(paragraphs: int) -> str:
    """Paragraphs of one, three and five lines in turn: every count ends a page differently."""
    sizes = (SHORT, LONG_PARAGRAPH, f"{LONG_PARAGRAPH} {LONG_PARAGRAPH}")
    return "\n".join(f"{i}. {sizes[i % 3]}" for i in range(1, paragraphs + 1))


@pytest.mark.parametrize("paragraphs", range(1, 49))
def test_a_body_of_any_length_prints_the_bytes_reportlabs_document_template_prints(paragraphs):
    # Same bytes: the same pages, the same lines on each, the same split paragraphs, the
    # signature block on the same page, drawn with the same operators.
    document = make_document(body=_body(paragraphs))
    assert render_official_document(document) == platypus_official_pdf(document)


@pytest.mark.parametrize("changes", [
    {},
    {"body": SAMPLE_BODY + "\n" + "\n".join(f"Điều {i}. {LONG_PARAGRAPH}" for i in range(3, 30))},
    {"body": f"Điều 1. {LONG_PARAGRAPH}\nKhoản <a> & “b” \u00a0 hai\u00a0dấu cách  giữa\n"
             f"{'Dự-án-' * 40}\nTừ có gạch\u00admềm ở giữa {LONG_PARAGRAPH}"},
    {"doc_type_code": "cong_van", "doc_type_name": "Công văn", "urgency": "flash", "secrecy": "secret",
     "addressees": ("UBND các xã", "Phòng Nội vụ"), "number_date_fields": True, "body": _body(20)},
    {"doc_type_code": "ke_hoach", "doc_type_name": "Kế hoạch",
     "body": "I. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\n" + _body(25) + "\nII. TỔ CHỨC THỰC HIỆN"},
    {"body": "Tiếng Việt có chữ ǅ lạ và chữ Ω Hy Lạp " * 30},  # letters a page sees for the first time
])
def test_every_form_prints_the_bytes_reportlabs_document_template_prints(changes):
    document = make_document(**changes)
    assert render_official_document(document) == platypus_official_pdf(document)


def test_a_long_body_ends_with_its_last_paragraph_and_the_signature_on_the_last_page():
    pdf = render_official_document(make_document(body=_body(40)))
    pages = [squash(page.extract_text()) for page in reader(pdf).pages]
    assert len(pages) == 5
    assert "40. " in pages[-1] and "Nơi nhận:" in pages[-1] and "Nguyễn Văn Anh" in pages[-1]
    assert all("Nơi nhận:" not in text for text in pages[:-1])
    # Read in order across the pages: no line lost or repeated by the page breaks.
    text = " ".join(pages)
    positions = [text.index(f"{i}. ") for i in range(1, 41)]
    assert positions == sorted(positions)


@pytest.fixture
def style() -> ParagraphStyle:
    ensure_fonts()
    return ParagraphStyle("body", fontName=REGULAR, fontSize=14, leading=16.8, alignment=TA_JUSTIFY,
                          firstLineIndent=36, spaceAfter=6)


def test_plain_paragraph_breaks_lines_as_reportlabs_paragraph_does(style):
    plain = plain_paragraph(LONG_PARAGRAPH * 3, style, TEXT_WIDTH)
    reference = Paragraph(LONG_PARAGRAPH * 3, style)
    assert plain.wrap(TEXT_WIDTH, 1000) == reference.wrap(TEXT_WIDTH, 1000)
    assert plain.lines == reference.blPara.lines


@pytest.mark.parametrize("lines_room", [1, 2, 3, 4])
def test_a_split_paragraph_never_leaves_its_first_line_alone_at_the_foot_of_a_page(style, lines_room):
    plain = plain_paragraph(LONG_PARAGRAPH * 2, style, TEXT_WIDTH)
    reference = Paragraph(LONG_PARAGRAPH * 2, style)
    reference.wrap(TEXT_WIDTH, 1000)
    room = lines_room * style.leading + 1
    parts, expected = plain.split(TEXT_WIDTH, room), reference.split(TEXT_WIDTH, room)
    assert len(parts) == len(expected) == (0 if lines_room == 1 else 2)
    for part, paragraph in zip(parts, expected):
        paragraph.wrap(TEXT_WIDTH, 1000)
        assert part.height == paragraph.height
        assert [words for _, words in part.lines] == [words for _, words in paragraph.blPara.lines]
    if parts:
        head, tail = parts
        assert head.justify_last and not tail.first_line  # the continuation is not indented


@pytest.mark.parametrize("text", ["A &amp; B", "x <b>y</b>", "gạch\u00admềm", "Dự-án-" * 40, "   "])
def test_text_that_needs_reportlabs_paragraph_is_left_to_it(style, text):
    assert plain_paragraph(text, style, TEXT_WIDTH) is None


def test_a_block_taller_than_a_page_is_a_layout_error():
    big = dataclasses.replace(make_document(), recipients=tuple(f"Nơi {i}" for i in range(80)))
    with pytest.raises(LayoutError):
        render_official_document(big)
    with pytest.raises(LayoutError):
        platypus_official_pdf(big)

