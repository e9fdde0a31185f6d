"""What an issued document prints, as plain data: ``OfficialDocument`` and the date line.

Split from ``official.py`` (the layout) so that callers building the data need not read the
layout; ``official`` re-exports every name here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .forms import DocumentForm, document_form, strip_subject_prefix

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
CONG_VAN_CODE = "cong_van"

URGENCY_MARKS = {"normal": "", "urgent": "KHẨN", "very_urgent": "THƯỢNG KHẨN", "flash": "HỎA TỐC"}
SECRECY_MARKS = {"normal": "", "confidential": "MẬT", "secret": "TỐI MẬT", "top_secret": "TUYỆT MẬT"}
# Thay mặt, ký thay, quyền, thừa lệnh, thừa ủy quyền; "" when the head signs in their own name.
SIGNER_AUTHORITIES = ("", "TM.", "KT.", "Q.", "TL.", "TUQ.")


@dataclass(frozen=True, kw_only=True)
class OfficialDocument:
    """Everything printed on an issued document. Plain data: no Django model in here.

    ``recipients`` may be given as any iterable of strings; it is stored as a tuple so the
    instance stays hashable. Enumerated fields are validated on construction and a bad value
    raises ``ValueError`` naming the field.
    """

    agency_name: str
    notation: str
    place: str
    issued_on: datetime.date
    doc_type_code: str
    doc_type_name: str
    subject: str
    body: str
    signer_position: str
    signer_name: str
    parent_agency_name: str = ""
    signer_authority: str = ""
    signer_authority_of: str = ""
    recipients: tuple[str, ...] = ()
    addressees: tuple[str, ...] = ()  # "Kính gửi:" of the forms that have one (công văn, tờ trình)
    issuing_authority: str = ""  # "CHỦ TỊCH ỦY BAN NHÂN DÂN …" of the forms that print it
    urgency: str = "normal"
    secrecy: str = "normal"

    def __post_init__(self) -> None:
        object.__setattr__(self, "recipients", tuple(self.recipients))
        object.__setattr__(self, "addressees", tuple(self.addressees))
        if not isinstance(self.issued_on, datetime.date):
            raise ValueError(f"issued_on: expected a date, got {type(self.issued_on).__name__}")
        if self.urgency not in URGENCY_MARKS:
            raise ValueError(f"urgency: {self.urgency!r} is not one of {sorted(URGENCY_MARKS)}")
        if self.secrecy not in SECRECY_MARKS:
            raise ValueError(f"secrecy: {self.secrecy!r} is not one of {sorted(SECRECY_MARKS)}")
        if self.signer_authority not in SIGNER_AUTHORITIES:
            raise ValueError(
                f"signer_authority: {self.signer_authority!r} is not one of {SIGNER_AUTHORITIES}"
            )
        if not self.agency_name.strip():
            raise ValueError("agency_name: must not be empty")

    @property
    def is_cong_van(self) -> bool:
        """True for a công văn, which has no type name and shows "V/v <subject>" instead."""
        return self.doc_type_code == CONG_VAN_CODE

    @property
    def form(self) -> DocumentForm:
        return document_form(self.doc_type_code)

    @property
    def printed_subject(self) -> str:
        """The subject once, whatever prefix the drafter typed: "V/v …" under the number of an
        untitled form, "Về việc …" (when one was typed) under the title of the others."""
        had_prefix, rest = strip_subject_prefix(self.subject)
        if not rest:
            return ""
        if not self.form.titled:
            return f"V/v {rest}"
        return f"Về việc {rest}" if had_prefix else rest


def format_vietnamese_date_line(place: str, date: datetime.date) -> str:
    """Return the place-and-date line, e.g. ``"Bắc Yên, ngày 03 tháng 5 năm 2018"``.

    Decree 30: days below 10 and the months 1 and 2 take a leading zero (so "tháng 01",
    "tháng 02" but "tháng 5", "tháng 12"); the zero on January and February keeps the month
    from being altered by hand into 10, 11 or 12. Without a place the line starts with "Ngày".
    """
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    when = f"ngày {date.day:02d} tháng {month} năm {date.year}"
    place = place.strip()
    return f"{place}, {when}" if place else when[0].upper() + when[1:]
