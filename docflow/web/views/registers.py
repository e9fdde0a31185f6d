"""A year's incoming and outgoing registers: on screen, printed (PDF) and exported (CSV)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from docflow.rendering.registers import (
    INCOMING_REGISTER_COLUMNS,
    OUTGOING_REGISTER_COLUMNS,
    render_register_csv,
    render_register_pdf,
)
from docflow.web.register_books import DIRECTIONS, book
from docflow.web.views.common import role_required

COLUMNS = {"den": INCOMING_REGISTER_COLUMNS, "di": OUTGOING_REGISTER_COLUMNS}
FIRST_YEAR = 2000


def _year(value: str | None) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(value) if value else this_year
    except ValueError:
        return this_year
    return year if FIRST_YEAR <= year <= this_year + 1 else this_year


@role_required("clerk", "leader", "agency_admin")
def registers_page(request: HttpRequest) -> HttpResponse:
    direction = request.GET.get("so", "den")
    direction = direction if direction in DIRECTIONS else "den"
    year = _year(request.GET.get("nam"))
    this_year = timezone.localdate().year
    return render(request, "web/registers.html", {
        "book": book(direction=direction, year=year),
        "columns": COLUMNS[direction],
        "years": list(range(this_year, max(FIRST_YEAR, this_year - 10) - 1, -1)),
        "nav": "registers",
    })


@role_required("clerk", "leader", "agency_admin")
def register_export(request: HttpRequest, direction: str, year: int, fmt: str) -> HttpResponse:
    if direction not in DIRECTIONS or fmt not in ("pdf", "csv"):
        raise Http404
    register = book(direction=direction, year=_year(str(year)))
    name = f"so-van-ban-{direction}-{register.year}-{request.agency.code}.{fmt}"
    if fmt == "pdf":
        data = render_register_pdf(register.title, register.year, COLUMNS[direction], register.rows)
        content_type = "application/pdf"
    else:
        data = render_register_csv(COLUMNS[direction], register.rows)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(data, content_type=content_type)
    disposition = "inline" if fmt == "pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response
