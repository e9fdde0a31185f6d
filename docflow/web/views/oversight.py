"""The superior's oversight ("Theo dõi đơn vị cấp dưới"): the agencies below ranked for a
month, the monthly report (PDF, CSV), and one agency's monthly trend. Counts only: no page
here links to a document of another agency."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from docflow.rendering.oversight_report import format_share
from docflow.reports.oversight import OVERSIGHT_ROLES, TREND_MONTHS, oversight_month, oversight_trend
from docflow.reports.oversight_sheets import month_label, oversight_csv, oversight_pdf, report_filename
from docflow.routing.statistics import MonthFigures
from docflow.web.forms.oversight import SORT_CHOICES, OversightMonthForm
from docflow.web.statistics_charts import trend_chart
from docflow.web.views.common import role_required

EXPORTS = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


def _shown(figures) -> dict:
    """A row (or a month) with its shares as the page prints them (formatted here once, not
    by a template include per cell: a province has thousands of rows)."""
    return {"f": figures, "electronic": format_share(figures.electronic_share),
            "signed": format_share(figures.signed_share), "on_time": format_share(figures.on_time_share)}


def _query(form: OversightMonthForm) -> str:
    month = form.month()
    return f"thang={month.month}&nam={month.year}"


@role_required(*OVERSIGHT_ROLES)
def oversight_page(request: HttpRequest) -> HttpResponse:
    form = OversightMonthForm(request.GET or None)
    month, sort = form.month(), form.sort()
    if not form.is_bound:  # the month shown is in the fields, ready to change
        form.initial = {"thang": month.month, "nam": month.year, "sap_xep": sort}
    rows = oversight_month(member=request.membership, month=month, sort=sort)
    return render(request, "web/oversight/page.html", {
        "nav": "oversight", "form": form, "rows": [_shown(r) for r in rows], "month": month, "month_label": month_label(month),
        "sort": sort, "sorts": SORT_CHOICES, "query": _query(form),
    })


@role_required(*OVERSIGHT_ROLES)
def oversight_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in EXPORTS:
        raise Http404
    form = OversightMonthForm(request.GET or None)
    month = form.month()
    rows = oversight_month(member=request.membership, month=month, sort=form.sort())
    if fmt == "csv":
        data = oversight_csv(rows=rows)
    else:
        data = oversight_pdf(superior_name=request.agency.name, month=month, rows=rows, today=timezone.localdate())
    response = HttpResponse(data, content_type=EXPORTS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{report_filename(month, fmt)}"'
    return response


@role_required(*OVERSIGHT_ROLES)
def oversight_agency_page(request: HttpRequest, agency_code: str) -> HttpResponse:
    trend = oversight_trend(member=request.membership, agency_code=agency_code, months=TREND_MONTHS)
    chart = trend_chart([
        MonthFigures(month=m.month, received=m.received, completed=m.on_time + m.completed_late, issued=m.issued)
        for m in trend.months
    ])
    return render(request, "web/oversight/agency.html", {
        "nav": "oversight", "trend": trend, "months": [_shown(m) for m in reversed(trend.months)], "trend_chart": chart,
    })
