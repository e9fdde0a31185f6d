"""The document types of Decree 30/2020/NĐ-CP with their abbreviations.

Codes are the Vietnamese names without diacritics in snake_case; they are part of the API.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class DocumentType:
    code: str
    name: str
    abbreviation: str  # empty for công văn and thư công, which have none

    @property
    def is_cong_van(self) -> bool:
        return self.code == "cong_van"

    @property
    def needs_unit(self) -> bool:
        """Công văn and thư công carry the drafting unit's symbol in their notation."""
        return not self.abbreviation


DOCUMENT_TYPES: tuple[DocumentType, ...] = (
    DocumentType("nghi_quyet", "Nghị quyết", "NQ"),
    DocumentType("quyet_dinh", "Quyết định", "QĐ"),
    DocumentType("chi_thi", "Chỉ thị", "CT"),
    DocumentType("quy_che", "Quy chế", "QC"),
    DocumentType("quy_dinh", "Quy định", "QyĐ"),
    DocumentType("thong_cao", "Thông cáo", "TC"),
    DocumentType("thong_bao", "Thông báo", "TB"),
    DocumentType("huong_dan", "Hướng dẫn", "HD"),
    DocumentType("chuong_trinh", "Chương trình", "CTr"),
    DocumentType("ke_hoach", "Kế hoạch", "KH"),
    DocumentType("phuong_an", "Phương án", "PA"),
    DocumentType("de_an", "Đề án", "ĐA"),
    DocumentType("du_an", "Dự án", "DA"),
    DocumentType("bao_cao", "Báo cáo", "BC"),
    DocumentType("bien_ban", "Biên bản", "BB"),
    DocumentType("to_trinh", "Tờ trình", "TTr"),
    DocumentType("hop_dong", "Hợp đồng", "HĐ"),
    DocumentType("cong_van", "Công văn", ""),
    DocumentType("cong_dien", "Công điện", "CĐ"),
    DocumentType("ban_ghi_nho", "Bản ghi nhớ", "BGN"),
    DocumentType("ban_thoa_thuan", "Bản thỏa thuận", "BTT"),
    DocumentType("giay_uy_quyen", "Giấy ủy quyền", "GUQ"),
    DocumentType("giay_moi", "Giấy mời", "GM"),
    DocumentType("giay_gioi_thieu", "Giấy giới thiệu", "GGT"),
    DocumentType("giay_nghi_phep", "Giấy nghỉ phép", "GNP"),
    DocumentType("phieu_gui", "Phiếu gửi", "PG"),
    DocumentType("phieu_chuyen", "Phiếu chuyển", "PC"),
    DocumentType("phieu_bao", "Phiếu báo", "PB"),
    DocumentType("thu_cong", "Thư công", ""),
)

TYPES_BY_CODE: dict[str, DocumentType] = {t.code: t for t in DOCUMENT_TYPES}

DocType = models.TextChoices("DocType", [(t.code.upper(), (t.code, t.name)) for t in DOCUMENT_TYPES])


class Urgency(models.TextChoices):
    NORMAL = "normal", "Thường"
    URGENT = "urgent", "Khẩn"
    VERY_URGENT = "very_urgent", "Thượng khẩn"
    FLASH = "flash", "Hỏa tốc"


class Secrecy(models.TextChoices):
    NORMAL = "normal", "Thường"
    CONFIDENTIAL = "confidential", "Mật"
    SECRET = "secret", "Tối mật"
    TOP_SECRET = "top_secret", "Tuyệt mật"


def document_type(code: str) -> DocumentType:
    """The type for ``code``; KeyError when unknown."""
    return TYPES_BY_CODE[code]
