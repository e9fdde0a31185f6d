"""The handover record (biên bản giao nhận hồ sơ, tài liệu nộp lưu) as an A4 PDF.

A pure function like the other renderers: plain data in, deterministic PDF bytes out. The
handover list itself (mục lục) is a register-style table (``render_register_pdf``).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer, Table

from .typeface import BOLD, ITALIC, REGULAR, compose, ensure_fonts, render_lock

__all__ = ["HandoverRecord", "render_handover_record"]

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm

_HEAD = ParagraphStyle("ho_head", fontName=BOLD, fontSize=12, leading=15, alignment=TA_CENTER)
_TITLE = ParagraphStyle("ho_title", fontName=BOLD, fontSize=14, leading=18, alignment=TA_CENTER)
_SUB = ParagraphStyle("ho_sub", fontName=ITALIC, fontSize=12, leading=15, alignment=TA_CENTER)
_TEXT = ParagraphStyle("ho_text", fontName=REGULAR, fontSize=13, leading=18, alignment=TA_JUSTIFY,
                       firstLineIndent=10 * mm, spaceAfter=3)
_SIGN = ParagraphStyle("ho_sign", fontName=BOLD, fontSize=13, leading=17, alignment=TA_CENTER)


@dataclass(frozen=True)
class HandoverRecord:
    agency_name: str
    place: str
    on: datetime.date
    giver: str
    receiver: str
    file_count: int
    document_count: int
    page_count: int
    years: str
    package_name: str


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(compose(text)), style)


def render_handover_record(record: HandoverRecord) -> bytes:
    """The record both sides sign: who hands over what (files, documents, pages, years)."""
    ensure_fonts()
    half = (PAGE_WIDTH - 2 * MARGIN) / 2
    # Agency on the left, the national title and motto on the right (Decree 30, Appendix I).
    header = Table([[_p(record.agency_name.upper(), _HEAD),
                     [_p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", _HEAD), _p("Độc lập - Tự do - Hạnh phúc", _HEAD)]]],
                   colWidths=[half * 0.8, half * 1.2])
    story = [
        header,
        Spacer(1, 8 * mm),
        _p("BIÊN BẢN", _TITLE),
        _p("Về việc giao nhận hồ sơ, tài liệu nộp lưu vào Lưu trữ cơ quan", _SUB),
        Spacer(1, 6 * mm),
        _p(f"Hôm nay, ngày {record.on:%d/%m/%Y}, tại {record.place or record.agency_name}.", _TEXT),
        _p(f"Bên giao nộp: {record.giver}.", _TEXT),
        _p(f"Bên nhận (Lưu trữ cơ quan): {record.receiver}.", _TEXT),
        _p(f"Thống nhất lập biên bản giao nhận {record.file_count} hồ sơ gồm {record.document_count} "
           f"văn bản, {record.page_count} trang, thời gian của tài liệu: {record.years}.", _TEXT),
        _p("Kèm theo Mục lục hồ sơ, tài liệu nộp lưu và gói dữ liệu điện tử "
           f"{record.package_name} (định dạng BagIt, có mã kiểm tra SHA-256).", _TEXT),
        _p("Biên bản được lập thành hai bản, mỗi bên giữ một bản.", _TEXT),
        Spacer(1, 12 * mm),
        Table([[_p("ĐẠI DIỆN BÊN GIAO NỘP", _SIGN), _p("ĐẠI DIỆN BÊN NHẬN", _SIGN)]],
              colWidths=[half] * 2),
    ]
    buffer = io.BytesIO()
    frame = Frame(MARGIN, MARGIN, PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - 2 * MARGIN,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    template = BaseDocTemplate(
        buffer, pagesize=A4, title="Biên bản giao nhận hồ sơ, tài liệu nộp lưu", creator="Docflow",
        lang="vi", invariant=1, pageTemplates=[PageTemplate(id="handover", frames=[frame])],
    )
    with render_lock:
        template.build(story)
    return buffer.getvalue()
