"""The rows of a year's incoming and outgoing register books, as the pages and the printed
books (``rendering.registers``) show them. Reads of the active agency, one query per book."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from docflow.documents.models import OutgoingDocument, OutgoingState, Register
from docflow.documents.types import TYPES_BY_CODE
from docflow.routing.models import IncomingDocument

DIRECTIONS = ("den", "di")


@dataclass(frozen=True)
class Book:
    direction: str  # "den" (incoming) or "di" (outgoing)
    year: int
    title: str
    rows: list[list[str]]
    register_names: list[str]


def _day(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value).date()
    return value.strftime("%d/%m/%Y")


def _subject(doc_type: str, subject: str) -> str:
    kind = TYPES_BY_CODE.get(doc_type)
    return f"{kind.name}: {subject}" if kind and kind.code != "cong_van" else subject


def outgoing_book(*, year: int) -> Book:
    documents = (
        OutgoingDocument.objects.filter(state=OutgoingState.ISSUED, year=year)
        .select_related("signed_by", "signer", "unit", "register")
        .order_by("register__series", "number", "id")
    )
    rows, registers = [], []
    for d in documents:
        if d.register and d.register.name not in registers:
            registers.append(d.register.name)
        signer = d.signed_by or d.signer
        places = len(d.recipient_codes) + len(d.external_places)
        rows.append([
            d.notation, _day(d.issued_at), _subject(d.doc_type, d.subject),
            signer.get_full_name() if signer else "",
            f"{places} nơi nhận" if places else "", d.unit.name if d.unit else "", "", "",
        ])
    return Book("di", year, "SỔ ĐĂNG KÝ VĂN BẢN ĐI", rows, registers)


def incoming_book(*, year: int) -> Book:
    documents = (
        IncomingDocument.objects.filter(incoming_year=year, incoming_number__isnull=False)
        .select_related("lead", "register")
        .order_by("register__series", "incoming_number", "id")
    )
    rows, registers = [], []
    for d in documents:
        if d.register and d.register.name not in registers:
            registers.append(d.register.name)
        rows.append([
            _day(d.received_at), str(d.incoming_number), d.sender_name, d.notation,
            _day(d.issued_on), _subject(d.doc_type, d.subject),
            d.lead.get_full_name() if d.lead else "", "", "",
        ])
    return Book("den", year, "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", rows, registers)


def book(*, direction: str, year: int) -> Book:
    return incoming_book(year=year) if direction == "den" else outgoing_book(year=year)


def registers_of_agency() -> list[Register]:
    return list(Register.objects.order_by("direction", "series"))
