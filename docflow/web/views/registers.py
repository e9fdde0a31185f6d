"""The agency's registers (sổ văn bản): a register's book for a year on screen, exported as CSV
in the request, and printed as the PDF a worker renders (``routing.register_books``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from docflow.documents.files import stored_file_open
from docflow.routing.register_books import (
    FIRST_YEAR,
    register_book,
    register_book_csv,
    register_book_pdf_request,
    registers_list,
)
from docflow.web.views.common import role_required

BOOK_ROLES = ("clerk", "leader", "agency_admin")


def _year(value: str | None) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(value) if value else this_year
    except ValueError:
        return this_year
    return year if FIRST_YEAR <= year <= this_year + 1 else this_year


def _years(register, chosen: int) -> list[int]:
    """The years the register has numbers in, with this year and the chosen one, newest first."""
    years = {c.year for c in register.counters.all()} if register else set()
    return sorted(years | {timezone.localdate().year, chosen}, reverse=True)


@role_required(*BOOK_ROLES)
def registers_page(request: HttpRequest) -> HttpResponse:
    """``?so=<register id>&nam=<year>``; without ``so``, the first register (incoming first)."""
    registers = list(registers_list(membership=request.membership))
    chosen = request.GET.get("so")
    register = next((r for r in registers if str(r.pk) == chosen), None) if chosen else (registers or [None])[0]
    if chosen and register is None:
        raise Http404
    year = _year(request.GET.get("nam"))
    book = register_book(membership=request.membership, register_id=register.pk, year=year) if register else None
    return render(request, "web/registers.html", {
        "registers": registers, "register": register, "book": book, "year": year,
        "years": _years(register, year), "nav": "registers",
    })


@never_cache
@role_required(*BOOK_ROLES)
def register_export(request: HttpRequest, register_id, year: int, fmt: str) -> HttpResponse:
    """CSV at once; the PDF once a worker made it, until then a page that reloads itself."""
    if fmt not in ("pdf", "csv"):
        raise Http404
    try:
        book = register_book(membership=request.membership, register_id=register_id, year=year)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    name = f"{book.file_stem}-{request.agency.code}"
    if fmt == "csv":
        response = HttpResponse(register_book_csv(book=book), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    sha256 = register_book_pdf_request(book=book)
    if sha256 is None:
        return render(request, "web/registers_pdf_pending.html", {"book": book, "nav": "registers"},
                      status=202)
    return FileResponse(stored_file_open(sha256=sha256), filename=f"{name}.pdf", content_type="application/pdf")
