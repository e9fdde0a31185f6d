"""/api/v1/statistics/: the caller's agency's figures for a period, per recipient (the district
view), a monthly trend, CSV export (``?format=csv``) and PDF reports made by a worker.

Thin: parse the period, check the role, call one selector or service, render. Leaders, clerks
and agency admins read statistics (403 for others); a report of another agency is 404.
"""

from __future__ import annotations

from dataclasses import asdict

from django.http import FileResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from docflow.api.base import ScopedAPIView, ScopedViewSet
from docflow.api.idempotency import idempotent, user_principal
from docflow.api.files import file_pending
from docflow.documents.files import stored_file_open
from docflow.reports.selectors import LIST_ORDERING, report_get, reports_list
from docflow.reports.services import statistics_report_request
from docflow.reports.sheets import agency_csv, recipients_csv
from docflow.routing.statistics import (
    TREND_MONTHS,
    Period,
    agency_statistics,
    monthly_trend,
    recipient_statistics,
    statistics_access_check,
)

UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


class CSVRenderer(BaseRenderer):
    """``?format=csv``: the view hands over the file's bytes; an error still answers JSON."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data)


class FromToMixin:
    """``from`` is a Python keyword: declared as ``from_``, exposed (and validated) as ``from``."""

    def get_fields(self):
        return {("from" if name == "from_" else name): f for name, f in super().get_fields().items()}


class PeriodQuerySerializer(FromToMixin, serializers.Serializer):
    from_ = serializers.DateField(required=False, help_text="first day (default: the 1st of this month)")
    to = serializers.DateField(required=False, help_text="last day, included (default: today)")

    def validate(self, attrs):
        today = timezone.localdate()
        return {"period": Period.checked(first=attrs.get("from", today.replace(day=1)),
                                         last=attrs.get("to", today))}


class PeriodSerializer(FromToMixin, serializers.Serializer):
    from_ = serializers.DateField(source="first")
    to = serializers.DateField(source="last")


class HandlingFiguresSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="incoming copies delivered in the period")
    completed_on_time = serializers.IntegerField()
    completed_late = serializers.IntegerField()
    overdue_now = serializers.IntegerField(help_text="being handled (04, 05) past the due date, now")
    mean_handling_days = serializers.FloatField(
        allow_null=True, help_text="delivery to completion, over those completed in the period"
    )


class AgencyStatisticsSerializer(HandlingFiguresSerializer):
    period = PeriodSerializer()
    agency_code = serializers.CharField()
    issued = serializers.IntegerField(help_text="outgoing documents issued in the period")


class RecipientStatisticsSerializer(HandlingFiguresSerializer):
    agency_code = serializers.CharField()
    agency_name = serializers.CharField()
    received = serializers.IntegerField(help_text="documents the caller's agency sent it in the period")


class RecipientStatisticsListSerializer(serializers.Serializer):
    period = PeriodSerializer()
    results = RecipientStatisticsSerializer(many=True)


class MonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="first day of the month")
    received = serializers.IntegerField()
    completed = serializers.IntegerField()
    issued = serializers.IntegerField()


class TrendQuerySerializer(serializers.Serializer):
    months = serializers.IntegerField(required=False, min_value=1, max_value=36, default=TREND_MONTHS)


def _csv(data: bytes, name: str, period: Period) -> Response:
    filename = f"{name}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.csv"
    return Response(data, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


class StatisticsBaseView(ScopedAPIView):
    renderer_classes = [JSONRenderer, CSVRenderer]

    def period(self, request) -> Period:
        statistics_access_check(member=request.membership)
        query = PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data["period"]

    def wants_csv(self, request) -> bool:
        return request.accepted_renderer.format == "csv"


PERIOD_PARAMETERS = [PeriodQuerySerializer]
CSV_RESPONSE = {(200, "text/csv"): OpenApiTypes.BINARY}
REFUSALS = {400: OpenApiResponse(description="bad period"), 403: OpenApiResponse(description="role")}


class StatisticsView(StatisticsBaseView):
    """The caller's agency's figures for a period (``?format=csv``: the same as a CSV row)."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={
        (200, "application/json"): AgencyStatisticsSerializer, **CSV_RESPONSE, **REFUSALS})
    def get(self, request):
        period = self.period(request)
        figures = agency_statistics(period=period)
        if self.wants_csv(request):
            return _csv(agency_csv(agency=request.agency, period=period, figures=figures), "thong-ke", period)
        data = {**asdict(figures), "period": period, "agency_code": request.agency.code}
        return Response(AgencyStatisticsSerializer(data).data)


class RecipientStatisticsView(StatisticsBaseView):
    """For the documents the caller's agency sent: the figures of each recipient agency, from
    the status each one reported (a district sees how its communes handle its directives)."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={
        (200, "application/json"): RecipientStatisticsListSerializer, **CSV_RESPONSE, **REFUSALS})
    def get(self, request):
        period = self.period(request)
        rows = recipient_statistics(period=period)
        if self.wants_csv(request):
            return _csv(recipients_csv(rows=rows), "thong-ke-noi-nhan", period)
        return Response(RecipientStatisticsListSerializer({"period": period, "results": rows}).data)


class TrendView(ScopedAPIView):
    """Received, completed and issued per month, for the last ``months`` months."""

    @extend_schema(parameters=[TrendQuerySerializer], responses={200: MonthSerializer(many=True), **REFUSALS})
    def get(self, request):
        statistics_access_check(member=request.membership)
        query = TrendQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(MonthSerializer(monthly_trend(months=query.validated_data["months"]), many=True).data)


class ReportRequestSerializer(FromToMixin, serializers.Serializer):
    from_ = serializers.DateField()
    to = serializers.DateField()


class ReportSerializer(FromToMixin, serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField(help_text="monthly or on_demand")
    from_ = serializers.DateField(source="period_first")
    to = serializers.DateField(source="period_last")
    state = serializers.CharField(help_text="pending, then ready")
    requested_by = serializers.CharField(source="requested_by.username", default=None, allow_null=True)
    created_at = serializers.DateTimeField()
    generated_at = serializers.DateTimeField(allow_null=True)


class PdfRenderer(BaseRenderer):
    """Lets ``Accept: application/pdf`` reach the PDF endpoint; what DRF renders there is JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data) if data is not None else b""


class StatisticsReportViewSet(ScopedViewSet):
    """PDF statistics reports of the caller's agency: the monthly ones and those asked for."""

    serializer_class = ReportSerializer
    cursor_ordering = LIST_ORDERING
    lookup_value_regex = UUID_PATTERN

    def scoped_queryset(self):
        return reports_list()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.membership is not None:
            statistics_access_check(member=request.membership)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ReportSerializer(page, many=True).data)

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportSerializer, **REFUSALS})
    def create(self, request):
        """Ask for a report; a worker renders it (202 now, ``state`` becomes ``ready``)."""

        def handler() -> Response:
            body = ReportRequestSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            report = statistics_report_request(
                actor=request.membership, first=body.validated_data["from"], last=body.validated_data["to"],
            )
            location = request.build_absolute_uri(f"{report.id}/")
            return Response(ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED,
                            headers={"Location": location})

        return idempotent(request=request, agency_id=request.agency.pk,
                          principal=user_principal(request), handler=handler)

    def retrieve(self, request, pk=None):
        return Response(ReportSerializer(report_get(report_id=pk)).data)

    @extend_schema(responses={
        (200, "application/pdf"): OpenApiTypes.BINARY,
        202: OpenApiResponse(description="being rendered; retry after Retry-After seconds"),
        404: None,
    })
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request, pk=None):
        report = report_get(report_id=pk)
        if not report.pdf_sha256:
            return file_pending("Đang tạo báo cáo.")
        return FileResponse(
            stored_file_open(sha256=report.pdf_sha256), content_type="application/pdf",
            filename=f"bao-cao-thong-ke-{report.period_first:%Y%m%d}-{report.period_last:%Y%m%d}.pdf",
        )
