"""The superior's monthly oversight report as the renderers take it: the PDF sheet and the CSV.

Reads nothing: the rows come from ``reports.oversight.oversight_month``. Columns and the
criterion of the administrative-reform index each one answers: see ``docs/OVERSIGHT.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from docflow.rendering.oversight_report import (
    OVERSIGHT_COLUMNS,
    OversightLine,
    OversightSheet,
    oversight_cells,
    render_oversight_report,
)
from docflow.rendering.registers import render_register_csv
from docflow.reports.oversight import OversightRow

# A cell a spreadsheet would read as a formula (or a control character it would act on).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def month_label(month: dt.date) -> str:
    return f"tháng {month:%m/%Y}"


def _line(row: OversightRow) -> OversightLine:
    return OversightLine(
        code=row.agency_code, name=row.agency_name, received=row.received, issued=row.issued,
        electronic_share=row.electronic_share, signed_share=row.signed_share, on_time=row.on_time,
        overdue=row.overdue, on_time_share=row.on_time_share, mean_handling_days=row.mean_handling_days,
        depth=row.depth,
    )


def neutralised(cell: str) -> str:
    """A cell starting with = + - @ tab or CR, prefixed with ' so that it stays text."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def oversight_csv(*, rows: Sequence[OversightRow]) -> bytes:
    """One row per agency below, the PDF's columns (UTF-8 with BOM, for Excel); every cell
    that a spreadsheet would take for a formula is neutralised."""
    return render_register_csv(
        [heading for heading, _ in OVERSIGHT_COLUMNS],
        [[neutralised(cell) for cell in oversight_cells(index, _line(row))] for index, row in enumerate(rows, 1)],
    )


def oversight_pdf(*, superior_name: str, month: dt.date, rows: Sequence[OversightRow], today: dt.date) -> bytes:
    """The monthly report of the superior ``superior_name`` as a PDF."""
    return render_oversight_report(OversightSheet(
        agency_name=superior_name, month_label=month_label(month), generated_on=today,
        lines=[_line(row) for row in rows],
    ))


def report_filename(month: dt.date, extension: str) -> str:
    return f"theo-doi-don-vi-cap-duoi-{month:%Y%m}.{extension}"
