"""The edXML mapping tables, one each: document types ↔ ``DocumentType/Type``, priorities ↔
urgency, status codes, and the ``Bussiness`` types. docs/EXCHANGE.md prints them."""

from __future__ import annotations

from docflow.core.text import fold
from docflow.documents.types import DOCUMENT_TYPES, TYPES_BY_CODE
from docflow.routing.models import Status

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"

# DocumentType/Type: the integer the axis carries. Công văn is 1 as in the packages public
# implementations exchange; the rest follow Decree 30/2020 Appendix III in its order.
TYPE_NUMBERS: dict[str, int] = {"cong_van": 1, **{
    t.code: n for n, t in enumerate((t for t in DOCUMENT_TYPES if t.code != "cong_van"), start=2)
}}
TYPES_BY_NUMBER: dict[int, str] = {n: code for code, n in TYPE_NUMBERS.items()}
TYPES_BY_FOLDED_NAME: dict[str, str] = {fold(t.name): t.code for t in DOCUMENT_TYPES}

# OtherInfo/Priority (0 thường … 3 hỏa tốc, 4 hỏa tốc hẹn giờ) ↔ our urgency.
PRIORITY_TO_URGENCY = {"0": "normal", "1": "urgent", "2": "very_urgent", "3": "flash", "4": "flash"}
URGENCY_TO_PRIORITY = {"normal": "0", "urgent": "1", "very_urgent": "2", "flash": "3"}

# StatusCode of a status package: the same codes as routing's Status (Decree 30 / QCVN 102).
STATUS_CODES: dict[str, str] = {s.value: str(s.label) for s in Status}

# TraceHeaderList/Bussiness/BussinessDocType, numbered as public implementations number it.
BUSINESS_NEW, BUSINESS_REVOCATION, BUSINESS_UPDATE, BUSINESS_REPLACEMENT = 0, 1, 2, 3
BUSINESS_TYPES: dict[str, int] = {
    "new": BUSINESS_NEW, "revocation": BUSINESS_REVOCATION,
    "update": BUSINESS_UPDATE, "replacement": BUSINESS_REPLACEMENT,
}
BUSINESS_REASONS: dict[int, str] = {
    BUSINESS_NEW: "Văn bản điện tử mới",
    BUSINESS_REVOCATION: "Thu hồi văn bản",
    BUSINESS_UPDATE: "Cập nhật văn bản",
    BUSINESS_REPLACEMENT: "Thay thế văn bản",
}


def type_number(doc_type: str) -> int:
    return TYPE_NUMBERS[doc_type]


def type_name(doc_type: str) -> str:
    return TYPES_BY_CODE[doc_type].name


def doc_type_of(*, number: str | None, name: str | None) -> str | None:
    """Our type code from TypeName (folded, or our own code), else from the integer Type."""
    if name:
        if name in TYPES_BY_CODE:
            return name
        found = TYPES_BY_FOLDED_NAME.get(fold(name).strip())
        if found:
            return found
    if number and number.strip().isdigit():
        return TYPES_BY_NUMBER.get(int(number))
    return name or None
