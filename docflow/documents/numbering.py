"""Gap-free numbering: per register, per calendar year, from 1, no gap, no duplicate.

The next number is taken inside the caller's transaction from a counter row moved on and
locked by one ``UPDATE … RETURNING``. If the caller's transaction rolls back after taking a number, the
counter rolls back with it, so no gap appears; concurrent callers queue on the lock. A unique
constraint on the numbered rows is the second wall.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from docflow.core.scoping import query_rls
from docflow.core.services import savepoint
from docflow.documents.models import Register, RegisterCounter, RegisterDirection
from docflow.documents.types import Secrecy, document_type
from docflow.tenancy.models import Agency

SERIES_GENERAL = "general"
SERIES_SECRET = "secret"

REGISTER_NAMES = {
    (RegisterDirection.OUTGOING, SERIES_GENERAL): "Sổ văn bản đi",
    (RegisterDirection.OUTGOING, SERIES_SECRET): "Sổ văn bản đi mật",
    (RegisterDirection.INCOMING, SERIES_GENERAL): "Sổ văn bản đến",
    (RegisterDirection.INCOMING, SERIES_SECRET): "Sổ văn bản đến mật",
}


def _register_choice(*, agency: Agency, direction: str, doc_type: str, secrecy: str) -> tuple[str, Register | None]:
    """(series, its register if it exists): secret series above 'normal', a type's own series
    when the agency keeps it active, else the general series."""
    registers = Register.objects.with_scope(agency=agency).filter(direction=direction)
    if secrecy != Secrecy.NORMAL:
        return SERIES_SECRET, registers.filter(series=SERIES_SECRET).first()
    # The type's own register and the general one in one query (a series is unique per direction).
    found = {r.series: r for r in registers.filter(series__in=(doc_type, SERIES_GENERAL))}
    own = found.get(doc_type)
    if own is not None and own.is_active:
        return doc_type, own
    return SERIES_GENERAL, found.get(SERIES_GENERAL)


def register_for(*, agency: Agency, direction: str, doc_type: str, secrecy: str) -> Register:
    """The register a document goes into (``_register_choice``), created on first use."""
    series, register = _register_choice(agency=agency, direction=direction, doc_type=doc_type, secrecy=secrecy)
    if register is not None:
        return register
    registers = Register.objects.with_scope(agency=agency)
    try:
        with savepoint():
            return Register.objects.with_scope(agency=agency).create(
                agency=agency, direction=direction, series=series,
                name=REGISTER_NAMES.get((direction, series), series),
            )
    except IntegrityError:  # created concurrently
        return registers.get(direction=direction, series=series)


@dataclass(frozen=True)
class NumberPreview:
    register_name: str
    year: int
    number: int


def number_preview(*, agency: Agency, direction: str, doc_type: str, secrecy: str, year: int) -> NumberPreview:
    """The register and number that numbering would take now, read only (nothing created or
    locked): another clerk numbering first takes it, and the document gets the next one."""
    series, register = _register_choice(agency=agency, direction=direction, doc_type=doc_type, secrecy=secrecy)
    last = 0
    if register is not None:
        last = (
            RegisterCounter.objects.with_scope(agency=agency).filter(register=register, year=year)
            .values_list("last_number", flat=True).first() or 0
        )
    name = register.name if register else REGISTER_NAMES.get((direction, series), series)
    return NumberPreview(register_name=name, year=year, number=last + 1)


def number_take(*, register: Register, year: int) -> int:
    """Take the next number of ``register`` for ``year``. Call inside the numbering transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_take must run inside the transaction that uses the number")
    number = _counter_step(register, year)
    if number is None:
        try:
            with savepoint():
                RegisterCounter.objects.with_scope(agency=register.agency_id).create(
                    agency_id=register.agency_id, register=register, year=year, last_number=0
                )
        except IntegrityError:
            pass  # another transaction created it first; step theirs below
        number = _counter_step(register, year)
    return number


def _counter_step(register: Register, year: int) -> int | None:
    """The counter moved on by one and read back in one statement (``UPDATE … RETURNING``), or
    None when the register has no counter for ``year`` yet. The UPDATE locks the row until the
    caller's transaction ends, as ``SELECT … FOR UPDATE`` and a second UPDATE did, but with one
    round trip under the lock instead of two: concurrent issuers wait on it for less time
    (bench/bench_numbering.py). Raw SQL, so the agency is named here: the register's own."""
    connection = transaction.get_connection()
    table = connection.ops.quote_name(RegisterCounter._meta.db_table)
    with query_rls((register.agency_id, ())), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1 "
            "WHERE agency_id = %s AND register_id = %s AND year = %s RETURNING last_number",
            [register.agency_id, _field("register").get_db_prep_value(register.pk, connection), year],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _field(name: str):
    return RegisterCounter._meta.get_field(name)


def format_number(number: int) -> str:
    """Numbers below 10 take a leading zero: 5 → '05'."""
    return f"{number:02d}"


def notation_format(*, number: int, doc_type: str, agency_symbol: str, unit_symbol: str = "") -> str:
    """Số và ký hiệu (Decree 30, Appendix I): ``05/QĐ-UBND``; for types without an abbreviation
    (công văn, thư công) ``05/UBND-VP`` with the drafting unit's symbol, which they require."""
    abbreviation = document_type(doc_type).abbreviation
    if abbreviation:
        return f"{format_number(number)}/{abbreviation}-{agency_symbol}"
    if not unit_symbol:
        raise ValueError(f"{doc_type} needs the drafting unit's symbol in its notation")
    return f"{format_number(number)}/{agency_symbol}-{unit_symbol}"


def registers_provision(agencies: list[Agency]) -> None:
    """The registers a new agency starts with (``tenancy.kinds.DEFAULT_REGISTERS``): one INSERT
    for every agency of the batch (called by the directory import)."""
    from docflow.tenancy.kinds import DEFAULT_REGISTERS

    Register.objects.cross_agency("system").bulk_create([
        Register(agency_id=agency.pk, direction=direction, series=series,
                 name=REGISTER_NAMES.get((direction, series), series))
        for agency in agencies for direction, series in DEFAULT_REGISTERS
    ], batch_size=1000, ignore_conflicts=True)
