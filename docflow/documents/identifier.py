"""The document identifier of the national axis: ``OrganId,yyyy/MM/dd,number/notation``.

Its one home: made and read here (pure functions, no query), below routing so that every copy
— internal issue (routing.copies) and the exchange's received documents alike — carries it.
The exchange (docflow/exchange/identifier.py) finds our documents by it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

_FORM = re.compile(r"(?P<organ>[^,\s]+),(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2}),(?P<notation>\S.*)")


@dataclass(frozen=True)
class DocumentIdentifier:
    organ_id: str
    issued_on: date
    notation: str

    def __str__(self) -> str:
        return document_identifier(organ_id=self.organ_id, issued_on=self.issued_on, notation=self.notation)


def document_identifier(*, organ_id: str, issued_on: date | datetime, notation: str) -> str:
    """``OrganId,yyyy/MM/dd,number/notation`` (the notation as issued, number included)."""
    if isinstance(issued_on, datetime):
        issued_on = timezone.localdate(issued_on)
    return f"{organ_id},{issued_on:%Y/%m/%d},{notation.strip()}"


def parse_document_identifier(raw: str) -> DocumentIdentifier:
    """The parts of an identifier; ValueError when it is not of the axis form."""
    match = _FORM.fullmatch((raw or "").strip())
    if match is None:
        raise ValueError(f"not an axis document identifier: {raw!r}")
    issued = date(int(match["y"]), int(match["m"]), int(match["d"]))
    return DocumentIdentifier(match["organ"], issued, match["notation"].strip())


def copy_identifier(*, sender_code: str, issued_on: date | datetime | None, notation: str) -> str:
    """The identifier of the document a copy is of (its sender's code, issue date, notation);
    "" when one of them is unknown (a paper document registered by hand)."""
    if not sender_code or not issued_on or not (notation or "").strip():
        return ""
    return document_identifier(organ_id=sender_code, issued_on=issued_on, notation=notation)
