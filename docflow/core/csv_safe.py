"""CSV cells that a spreadsheet cannot take for a formula (CSV / formula injection).

A subject such as ``=HYPERLINK("http://…","Bấm vào")`` or ``=cmd|' /C calc'!A0`` planted by an
external sender would run in every clerk's spreadsheet that opens an export. A text cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (the OWASP list) is written
with a leading ``'``, which the spreadsheet shows as text and does not display. Numbers are
numbers: only text is changed. Every CSV Docflow writes goes through ``csv_writer``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``value`` safe for a spreadsheet: text starting like a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose every text cell passes ``csv_cell``."""

    def __init__(self, stream, **options) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([csv_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **options) -> SafeWriter:
    """A CSV writer for exports: ``csv.writer(stream, **options)`` with cells neutralised."""
    return SafeWriter(stream, **options)
