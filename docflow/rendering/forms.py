"""What each document type prints besides the common header and signature (Decree 30/2020/NĐ-CP,
Appendix I): one table of per-type rules, read by the layout in ``official.py``.

- Mẫu 1.1 / 1.2 / 1.3 (nghị quyết, quyết định): title and subject, then the issuing authority in
  bold capitals, the legal bases ("Căn cứ …;", "Theo đề nghị …") in italic, the enacting word
  ("QUYẾT ĐỊNH:", "QUYẾT NGHỊ:") centred in bold, then the articles with bold "Điều 1." heads.
- Mẫu 1.4 (văn bản có tên loại: kế hoạch, báo cáo, tờ trình, …): title and subject; the headings
  of numbered parts ("I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích") in bold. A tờ trình is addressed
  to its superior with a "Kính gửi:" line under the subject.
- Mẫu 1.5 (công văn): no title; "V/v <subject>" under the number, "Kính gửi:" before the body
  and "Như trên;" heading the Nơi nhận.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["DocumentForm", "FORMS", "Paragraph", "body_paragraphs", "document_form", "strip_subject_prefix"]


@dataclass(frozen=True)
class HeadingRule:
    """A paragraph starting with ``pattern`` is a heading: the label is bold when
    ``label_bold``, and the whole line is bold when it reads as a title (no closing punctuation)."""

    pattern: re.Pattern[str]
    label_bold: bool


# "Điều 1.", "Điều 12a." and "Chương II" (articles and chapters of decisions, regulations).
ARTICLES = HeadingRule(re.compile(r"^(Điều\s+\d+[a-zđ]?\.|Chương\s+[IVXLC\d]+\.?)(?=\s|$)"), label_bold=True)
# "I.", "II.", "1.", "2.1." (parts of plans and reports): bold only as a title line.
PARTS = HeadingRule(re.compile(r"^([IVX]+\.|\d+(?:\.\d+)*\.)(?=\s)"), label_bold=False)
BASIS_PREFIXES = ("căn cứ", "theo đề nghị", "xét")
TITLE_MAX_CHARS = 120  # a heading line longer than this is a paragraph, not a title


@dataclass(frozen=True)
class DocumentForm:
    titled: bool = True  # the type's name is the title (a công văn shows "V/v …" under the number)
    addressed: bool = False  # "Kính gửi:" before the body; "Như trên;" first in Nơi nhận
    authority: bool = False  # the issuing authority's line under the subject
    italic_basis: bool = False  # the preamble's legal bases in italic
    enacting: str = ""  # the centred bold line before the articles
    headings: tuple[HeadingRule, ...] = (PARTS,)


_DECISION = DocumentForm(authority=True, italic_basis=True, enacting="QUYẾT ĐỊNH:", headings=(ARTICLES,))
FORMS: dict[str, DocumentForm] = {
    "quyet_dinh": _DECISION,
    "nghi_quyet": DocumentForm(authority=True, italic_basis=True, enacting="QUYẾT NGHỊ:", headings=(ARTICLES,)),
    "quy_che": DocumentForm(headings=(ARTICLES, PARTS)),
    "quy_dinh": DocumentForm(headings=(ARTICLES, PARTS)),
    "cong_van": DocumentForm(titled=False, addressed=True, headings=()),
    "to_trinh": DocumentForm(addressed=True),
}
DEFAULT_FORM = DocumentForm()  # kế hoạch, báo cáo, thông báo, … (Mẫu 1.4)


def document_form(code: str) -> DocumentForm:
    """The printing rules of a document type; types without their own get Mẫu 1.4's."""
    return FORMS.get(code, DEFAULT_FORM)


# "V/v", "v/v", "V/V", "Về việc" at the start, with or without a following space, colon or dash.
_SUBJECT_PREFIX = re.compile(r"^\s*(?:v\s*/\s*v|về\s+việc)\s*[:.\-–]?\s*", re.IGNORECASE)


def strip_subject_prefix(subject: str) -> tuple[bool, str]:
    """(whether the drafter wrote a "V/v"/"Về việc" prefix, the subject without it); a subject
    that is only the prefix is empty."""
    text = unicodedata.normalize("NFC", subject).strip()
    had = False
    while match := _SUBJECT_PREFIX.match(text):  # "V/v V/v …" typed twice is stripped twice
        had, text = True, text[match.end():]
    return had, text


@dataclass(frozen=True)
class Paragraph:
    """One body paragraph and how it prints: ``kind`` is "text", "basis" or "enacting";
    ``bold_label`` is the bold head ("Điều 1."), ``bold_all`` a heading printed bold throughout."""

    text: str
    kind: str = "text"
    bold_label: str = ""
    bold_all: bool = False


def _folded(text: str) -> str:
    return " ".join(text.casefold().rstrip(":.").split())


def _heading(text: str, rules: tuple[HeadingRule, ...]) -> Paragraph:
    for rule in rules:
        if match := rule.pattern.match(text):
            is_title = len(text) <= TITLE_MAX_CHARS and not text.endswith((".", ";", ",", ":"))
            is_title = is_title or text == match.group(1)
            return Paragraph(text, bold_label=match.group(1) if rule.label_bold else "", bold_all=is_title)
    return Paragraph(text)


def body_paragraphs(body: str, form: DocumentForm, *, authority: str = "") -> list[Paragraph]:
    """Classify the body's lines (one paragraph each) by ``form``.

    The preamble is the run of legal bases at the start; the enacting line follows it, unless the
    drafter typed it, which is then used (never twice). A first line repeating the authority line
    printed above the body is dropped.
    """
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    if authority and lines and _folded(lines[0]) == _folded(authority):
        lines = lines[1:]
    enacting = _folded(form.enacting) if form.enacting else None
    paragraphs: list[Paragraph] = []
    in_preamble = True
    for line in lines:
        if enacting is not None and _folded(line) == enacting:
            if in_preamble:
                paragraphs.append(Paragraph(form.enacting, kind="enacting"))
                in_preamble = False
            continue
        if in_preamble and line.casefold().startswith(BASIS_PREFIXES):
            paragraphs.append(Paragraph(line, kind="basis" if form.italic_basis else "text"))
            continue
        if in_preamble and form.enacting:
            paragraphs.append(Paragraph(form.enacting, kind="enacting"))
        in_preamble = False
        paragraphs.append(_heading(line, form.headings))
    if in_preamble and form.enacting and lines:  # bases only: the enacting word still closes them
        paragraphs.append(Paragraph(form.enacting, kind="enacting"))
    return paragraphs
