"""What an agency's kind decides: whether it is a People's Committee, the heading printed on its
documents (Decree 30/2020/NĐ-CP, Appendix I), and the units and registers a new agency gets.

Kinds are data (``AgencyLevel``): province, district, commune, ward (phường), special zone
(đặc khu), department (sở, ban, ngành) and other bodies. Parents link at any depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docflow.tenancy.models import Agency, AgencyLevel

PEOPLES_COMMITTEE = "Ủy ban nhân dân"
# The People's Committees: one per administrative unit, whatever its tier.
PEOPLES_COMMITTEE_KINDS = frozenset({
    AgencyLevel.PROVINCE, AgencyLevel.DISTRICT, AgencyLevel.COMMUNE, AgencyLevel.WARD,
    AgencyLevel.SPECIAL_ZONE,
})
_PC_PREFIX = re.compile(r"^\s*(ủy ban nhân dân|uỷ ban nhân dân|ubnd)\s*", re.IGNORECASE)

# (symbol, name) of the units a new agency of each kind starts with.
DEFAULT_UNITS: dict[str, tuple[tuple[str, str], ...]] = {
    AgencyLevel.PROVINCE: (("VP", "Văn phòng UBND tỉnh"),),
    AgencyLevel.DISTRICT: (("VP", "Văn phòng HĐND và UBND"),),
    AgencyLevel.COMMUNE: (("VP", "Văn phòng - Thống kê"),),
    AgencyLevel.WARD: (("VP", "Văn phòng - Thống kê"),),
    AgencyLevel.SPECIAL_ZONE: (("VP", "Văn phòng HĐND và UBND"),),
    AgencyLevel.DEPARTMENT: (("VP", "Văn phòng"),),
    AgencyLevel.OTHER: (("VP", "Văn phòng"),),
}
# (direction, series) of the registers every new agency starts with: the general and the secret
# series each way (Decree 30, Art. 20–22). A document type's own series is the agency's choice.
DEFAULT_REGISTERS: tuple[tuple[str, str], ...] = (
    ("outgoing", "general"), ("outgoing", "secret"), ("incoming", "general"), ("incoming", "secret"),
)


def is_peoples_committee(agency: Agency) -> bool:
    """A People's Committee (UBND) of any tier: its kind says so, not its name."""
    return agency.level in PEOPLES_COMMITTEE_KINDS


@dataclass(frozen=True)
class Heading:
    """The top left of a document: the governing body's line (may be empty) and the issuing
    agency's own lines, upper case, lines split by ``\\n``."""

    superior: str
    agency: str


def document_heading(agency: Agency, parent: Agency | None) -> Heading:
    """The one rule of what heads a document (Decree 30, Appendix I, II.3).

    A People's Committee writes "ỦY BAN NHÂN DÂN" over its unit ("XÃ PHIÊNG BAN"), with no
    governing body above it: the Decree names no chủ quản line for the People's Committees of any
    tier. A department or any other body writes its governing body above its own name, the
    governing body abbreviated as it prints it ("UBND TỈNH SƠN LA", ``header_name``).
    """
    if is_peoples_committee(agency):
        rest = _PC_PREFIX.sub("", agency.name, count=1).strip()
        return Heading("", f"{PEOPLES_COMMITTEE}\n{rest}".upper() if rest else PEOPLES_COMMITTEE.upper())
    return Heading(parent.header_name if parent else "", agency.name.upper())
