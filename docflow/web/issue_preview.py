"""What the clerk sees before issuing: the register and the number that will be taken.

A read only: the number is taken by ``routing.issuing.document_issue`` under a lock, so the
preview can be overtaken by another clerk issuing first (the page says so). It picks the
register the way ``documents.numbering.register_for`` does, without creating one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from docflow.documents.models import OutgoingDocument, Register, RegisterCounter, RegisterDirection
from docflow.documents.numbering import REGISTER_NAMES, SERIES_GENERAL, SERIES_SECRET, notation_format
from docflow.documents.types import Secrecy


@dataclass(frozen=True)
class IssuePreview:
    register_name: str
    year: int
    number: int
    notation: str


def issue_preview(*, document: OutgoingDocument) -> IssuePreview:
    direction = RegisterDirection.OUTGOING
    registers = {r.series: r for r in Register.objects.filter(direction=direction, is_active=True)}
    if document.secrecy != Secrecy.NORMAL:
        series = SERIES_SECRET
    elif document.doc_type in registers:
        series = document.doc_type
    else:
        series = SERIES_GENERAL
    register = registers.get(series)
    year = timezone.localdate().year
    last = 0
    if register is not None:
        last = (
            RegisterCounter.objects.filter(register=register, year=year)
            .values_list("last_number", flat=True).first() or 0
        )
    number = last + 1
    try:
        notation = notation_format(
            number=number, doc_type=document.doc_type, agency_symbol=document.agency.symbol,
            unit_symbol=document.unit.symbol if document.unit else "",
        )
    except ValueError:
        notation = ""
    name = register.name if register else REGISTER_NAMES.get((direction, series), series)
    return IssuePreview(register_name=name, year=year, number=number, notation=notation)
