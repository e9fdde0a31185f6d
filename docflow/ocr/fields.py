"""The envelope fields printed on an official document's first page (Decree 30, Appendix I).

Read from OCR text: "Số: 15/QĐ-UBND", the place-and-date line ("Bắc Yên, ngày 03 tháng 5 năm
2018"), the issuing agency's name at the top left (the line above "Số:"), the type name in
capitals, and the subject (the lines under the type name, or "V/v …" for a công văn). A field
that does not read cleanly is left empty: nothing is guessed.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import asdict, dataclass

from docflow.core.text import fold

# The national title and motto share the header's lines with the agency block in OCR output.
MOTTO = re.compile(
    r"C\S{1,2}NG\s+H\S{1,2}A\s+X\S\s+H\S{1,2}I\s+CH\S\s+NGH\S{1,2}A\s+VI\S{1,2}T\s+NAM"
    r"|Đ\S{1,2}c\s+l\S{1,2}p\s*[-–—]\s*T\S{1,2}\s+do\s*[-–—]\s*H\S{1,2}nh\s+ph\S{1,2}c",
    re.IGNORECASE,
)
# "Số: 15/QĐ-UBND"; a slash the scan lost ("05UBND-VP") is put back when letters follow the digits.
NUMBER_LINE = re.compile(
    r"\bS[ốô6o]\s*[:;.]?\s*(\d{1,6})\s*(?:/\s*(?=[0-9A-ZĐa-zđ])|(?=[A-ZĐ]))"
    r"([0-9A-ZĐa-zđ][0-9A-ZĐa-zđ./-]*[0-9A-ZĐa-zđ])"
)
NUMBER_WORD = re.compile(r"^\s*S[ốô6o]\s*[:;.]?\s*\S+\s+")
DATE_LINE = re.compile(
    r"(?:^|\s)([^\s,][^,]{0,60}?),\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})",
    re.IGNORECASE,
)
SUBJECT_CV = re.compile(r"^\s*V\s*/\s*v\s*[:.]?\s+(.+)$", re.IGNORECASE)
# Characters Tesseract confuses in capitals: Ð (eth) for Đ, doubled by the bold stroke.
CONFUSABLE = str.maketrans({"Ð": "Đ", "ð": "đ", "|": "I"})


@dataclass(frozen=True)
class ReadFields:
    number: str = ""
    notation: str = ""
    issued_on: str = ""  # ISO date
    place: str = ""
    sender_name: str = ""
    type_name: str = ""  # as printed, e.g. "QUYẾT ĐỊNH"; "Công văn" for a V/v line
    subject: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def fields_read(text: str) -> ReadFields:
    """The fields of a first page's OCR text; empty strings for what could not be read."""
    text = unicodedata.normalize("NFC", text or "").translate(CONFUSABLE)
    lines = [line.strip() for line in text.splitlines()]
    number, notation, number_at = _number(lines)
    issued_on, place = _date(lines)
    sender = _sender(lines[:number_at]) if number_at is not None else ""
    type_name, subject = _type_and_subject(lines, number_at)
    return ReadFields(number=number, notation=notation, issued_on=issued_on, place=place,
                      sender_name=sender, type_name=type_name, subject=subject)


def _number(lines: list[str]) -> tuple[str, str, int | None]:
    for index, line in enumerate(lines[:25]):
        match = NUMBER_LINE.search(line)
        if match:
            symbol = re.sub(r"Đ{2,}", "Đ", match.group(2))
            number = f"{int(match.group(1)):02d}"
            return number, f"{number}/{symbol}", index
    return "", "", None


def _date(lines: list[str]) -> tuple[str, str]:
    for line in lines[:25]:
        match = DATE_LINE.search(MOTTO.sub(" ", line))
        if not match:
            continue
        try:
            day = datetime.date(int(match.group(4)), int(match.group(3)), int(match.group(2)))
        except ValueError:
            return "", ""
        place = NUMBER_WORD.sub(" ", NUMBER_LINE.sub(" ", match.group(1))).strip(" :;.-")
        return day.isoformat(), place if _is_words(place) else ""
    return "", ""


def _sender(header: list[str]) -> str:
    """The agency block's last line above "Số:" (the issuing agency, under its superior)."""
    names = [MOTTO.sub(" ", line).strip(" -_—–") for line in header]
    names = [re.sub(r"\s{2,}", " ", name) for name in names if name]
    names = [name for name in names if _is_words(name) and name.upper() == name]
    return names[-1] if names else ""


def _type_and_subject(lines: list[str], number_at: int | None) -> tuple[str, str]:
    start = (number_at or 0) + 1
    for index in range(start, min(len(lines), start + 8)):
        line = lines[index]
        subject_cv = SUBJECT_CV.match(line)
        if subject_cv:
            return "Công văn", _joined([subject_cv.group(1), *_paragraph(lines, index + 1)])
        if line and line.upper() == line and _is_words(line) and len(line) <= 40 and not MOTTO.search(line):
            return line, _joined(_paragraph(lines, index + 1, skip_blank=True))
    return "", ""


def _paragraph(lines: list[str], start: int, *, skip_blank: bool = False) -> list[str]:
    """The lines from ``start`` up to the next blank line (after leading blanks if asked)."""
    out: list[str] = []
    for line in lines[start:start + 6]:
        if not line:
            if out or not skip_blank:
                break
            continue
        out.append(line)
    return out


def _joined(parts: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def _is_words(text: str) -> bool:
    """Letters and spaces mostly: a name, not a row of OCR debris."""
    letters = sum(ch.isalpha() for ch in text)
    return bool(text) and letters >= 3 and letters >= 0.7 * len(text.replace(" ", ""))


def type_name_fold(name: str) -> str:
    """A type name compared without case and diacritics ("QUYẾT ĐỊNH" ~ "Quyết định")."""
    return fold(name).strip()
