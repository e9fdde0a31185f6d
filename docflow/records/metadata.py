"""Archive metadata of a file and of each of its documents, as a transfer package carries it.

Field names are those of Thông tư 02/2019/TT-BNV (data of electronic records) and Decree 30
Appendix V, without diacritics in snake_case like every enumeration of the API.
"""

from __future__ import annotations

import re

from docflow.core.text import fold
from docflow.documents.models import OutgoingDocument
from docflow.records.models import FileDocument, WorkFile

LANGUAGE = "Tiếng Việt"


def safe_name(text: str, *, limit: int = 80) -> str:
    """An ASCII path segment: folded, anything but letters, digits, dot and dash becomes a dash."""
    return re.sub(r"[^a-z0-9.]+", "-", fold(text)).strip("-.")[:limit] or "tep"


def file_key(agency_code: str, work_file: WorkFile) -> str:
    """Mã hồ sơ: the agency's identifier code, the year it was made, the file's code."""
    return f"{agency_code}.{work_file.year}.{work_file.code}"


def document_metadata(*, key: str, agency, item: FileDocument, files: list[dict]) -> dict:
    doc = item.document
    outgoing = isinstance(doc, OutgoingDocument)
    issued = doc.issued_at.date() if outgoing and doc.issued_at else getattr(doc, "issued_on", None)
    number = doc.number
    notation = doc.notation or ""
    return {
        "ma_dinh_danh_van_ban": f"{key}.{item.position:04d}",
        "ma_ho_so": key,
        "so_thu_tu_van_ban": item.position,
        "loai": "van_ban_di" if outgoing else "van_ban_den",
        "ten_loai_van_ban": doc.get_doc_type_display(),
        "so_van_ban": f"{number:02d}" if number else "",
        "ky_hieu_van_ban": notation.split("/", 1)[1] if "/" in notation else notation,
        "so_ky_hieu": notation,
        "ngay_van_ban": issued.isoformat() if issued else None,
        "co_quan_ban_hanh": agency.name if outgoing else doc.sender_name,
        "ma_co_quan_ban_hanh": agency.code if outgoing else doc.sender_code,
        "trich_yeu_noi_dung": doc.subject,
        "ngon_ngu": LANGUAGE,
        "so_luong_trang": item.page_count,
        "nguoi_ky": (doc.signed_by.get_full_name() if outgoing and doc.signed_by_id else
                     getattr(doc, "signer_name", "")),
        "do_mat": doc.secrecy,
        "muc_do_tin_cay": "goc_dien_tu" if outgoing or getattr(doc, "sender_agency_id", None) else "so_hoa",
        "ban_chinh": item.is_original,
        "tep": files,
    }


def note_metadata(*, key: str, item: FileDocument) -> dict:
    """A handler's note kept in the file at its place: the text, who wrote it and when."""
    return {
        "ma_dinh_danh_van_ban": f"{key}.{item.position:04d}",
        "ma_ho_so": key,
        "so_thu_tu_van_ban": item.position,
        "loai": "ghi_chu",
        "noi_dung": item.note,
        "nguoi_viet": item.added_by.get_full_name(),
        "thoi_diem_viet": item.added_at.isoformat(),
        "ngay_van_ban": None,
        "so_luong_trang": 0,
        "do_mat": "normal",
        "tep": [],
    }


def file_metadata(*, key: str, agency, work_file: WorkFile, documents: list[dict]) -> dict:
    dates = sorted(d["ngay_van_ban"] for d in documents if d["ngay_van_ban"])
    return {
        "ma_ho_so": key,
        "ma_co_quan_luu_tru": agency.code,
        "ten_co_quan": agency.name,
        "nam_hinh_thanh": work_file.year,
        "so_ky_hieu_ho_so": work_file.code,
        "tieu_de_ho_so": work_file.title,
        "thoi_han_bao_quan": work_file.retention_value,
        "het_han_bao_quan": work_file.disposal_on.isoformat() if work_file.disposal_on else None,
        "che_do_su_dung": "han_che" if any(d["do_mat"] != "normal" for d in documents) else "cong_khai",
        "ngon_ngu": LANGUAGE,
        "thoi_gian_bat_dau": dates[0] if dates else None,
        "thoi_gian_ket_thuc": dates[-1] if dates else None,
        "tong_so_van_ban": sum(d["loai"] != "ghi_chu" for d in documents),
        "so_luong_trang": sum(d["so_luong_trang"] for d in documents),
        "don_vi_lap": work_file.unit.name if work_file.unit_id else "",
        "nguoi_lap": work_file.responsible.get_full_name() if work_file.responsible_id else "",
        "ngay_ket_thuc": work_file.closed_at.date().isoformat() if work_file.closed_at else None,
        "ghi_chu": work_file.closing_note,
        "tinh_trang_vat_ly": "binh_thuong",
        "van_ban": documents,
    }
