"""Statistics: the agency's figures for a period with charts, the district's view of its
communes, CSV exports, and PDF reports made by a worker (asked for here, downloaded here)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from docflow.documents.files import stored_file_open
from docflow.reports.selectors import report_get, reports_list
from docflow.reports.services import statistics_report_request
from docflow.reports.sheets import agency_csv, recipients_csv
from docflow.routing.statistics import (
    STATISTICS_ROLES,
    agency_statistics,
    monthly_trend,
    recipient_statistics,
)
from docflow.web.forms.statistics import FIELD_NAMES, PeriodForm, ReportRequestForm
from docflow.web.statistics_charts import recipients_chart, summary_chart, trend_chart
from docflow.web.views.common import perform, role_required

RECENT_REPORTS = 10
EXPORTS = ("co-quan", "noi-nhan")


@role_required(*STATISTICS_ROLES)
def statistics_page(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    period = form.period()
    own = agency_statistics(period=period)
    recipients = recipient_statistics(period=period)
    query = f"tu_ngay={period.first:%d/%m/%Y}&den_ngay={period.last:%d/%m/%Y}"
    return render(request, "web/statistics/page.html", {
        "nav": "statistics",
        "form": form,
        "period": period,
        "own": own,
        "recipients": recipients,
        "query": query,
        "summary_chart": summary_chart(
            received=own.received, issued=own.issued, on_time=own.completed_on_time,
            late=own.completed_late, overdue=own.overdue_now,
        ),
        "recipients_chart": recipients_chart(recipients) if recipients else None,
        "trend_chart": trend_chart(monthly_trend()),
        "reports": list(reports_list()[:RECENT_REPORTS]),
        "report_form": ReportRequestForm(initial={"tu_ngay": period.first, "den_ngay": period.last}),
    })


@role_required(*STATISTICS_ROLES)
def statistics_export(request: HttpRequest, which: str) -> HttpResponse:
    if which not in EXPORTS:
        raise Http404
    period = PeriodForm(request.GET or None).period()
    if which == "co-quan":
        data = agency_csv(agency=request.agency, period=period, figures=agency_statistics(period=period))
    else:
        data = recipients_csv(rows=recipient_statistics(period=period))
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    name = f"thong-ke-{which}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@role_required(*STATISTICS_ROLES)
def report_request(request: HttpRequest) -> HttpResponse:
    form = ReportRequestForm(request.POST)
    back = reverse("web:statistics")
    if not form.is_valid():
        messages.warning(request, _("Kỳ báo cáo không hợp lệ."))
        return redirect(back)

    def ask() -> str:
        statistics_report_request(actor=request.membership, first=form.cleaned_data["tu_ngay"],
                                  last=form.cleaned_data["den_ngay"])
        messages.success(request, _("Đang tạo báo cáo PDF; bạn sẽ nhận thông báo khi xong."))
        return f"{back}?tu_ngay={form.cleaned_data['tu_ngay']:%d/%m/%Y}&den_ngay={form.cleaned_data['den_ngay']:%d/%m/%Y}"

    response = perform(request, form, action=ask, fallback=back, field_map=FIELD_NAMES)
    if response is None:  # the period was refused: say why on the page
        for errors in form.errors.values():
            for error in errors:
                messages.warning(request, error)
        return redirect(back)
    return response


@role_required(*STATISTICS_ROLES)
def report_download(request: HttpRequest, report_id) -> HttpResponse:
    report = report_get(report_id=report_id)
    if not report.pdf_sha256:
        return render(request, "web/statistics/report_pending.html", {"report": report, "nav": "statistics"},
                      status=202)
    name = f"bao-cao-thong-ke-{report.period_first:%Y%m%d}-{report.period_last:%Y%m%d}.pdf"
    return FileResponse(stored_file_open(sha256=report.pdf_sha256), filename=name,
                        content_type="application/pdf")
