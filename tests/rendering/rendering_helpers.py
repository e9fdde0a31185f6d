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
