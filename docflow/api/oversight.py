"""/api/v1/oversight/: the superior's view of the agencies below it, counts only.

``GET /oversight/?year=&month=`` gives one row per agency below the caller's (any depth) for
the month (``?format=csv`` and ``?format=pdf``: the monthly report); ``GET
/oversight/{agency_code}/?months=12`` one agency's monthly trend. Leaders and clerks of an
agency with agencies below it (403 otherwise); an agency not below the caller's is 404; a
wrong year, month or months is 400 naming the field. Thin: parse, call one selector, render.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from docflow.api.base import ScopedAPIView
from docflow.api.statistics import CSVRenderer
from docflow.reports.oversight import (
    SORTS,
    TREND_MONTHS,
    month_checked,
    months_checked,
    oversight_month,
    oversight_trend,
)
from docflow.reports.oversight_sheets import oversight_csv, oversight_pdf, report_filename


class PDFBytesRenderer(CSVRenderer):
    """``?format=pdf``: the view hands over the file's bytes; an error still answers JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None


class MonthQuerySerializer(serializers.Serializer):
    year = serializers.CharField(required=False, help_text="default: this year")
    month = serializers.CharField(required=False, help_text="1 to 12 (default: this month)")
    sort = serializers.ChoiceField(choices=sorted(SORTS), required=False, default="code",
                                   help_text="ranking criterion, the best first")

    def validate(self, attrs):
        today = timezone.localdate()
        return {"month": month_checked(year=attrs.get("year", today.year), month=attrs.get("month", today.month)),
                "sort": attrs["sort"]}


class TrendQuerySerializer(serializers.Serializer):
    months = serializers.CharField(required=False, help_text=f"1 to 36 (default {TREND_MONTHS})")

    def validate(self, attrs):
        return {"months": months_checked(attrs.get("months", TREND_MONTHS))}


class FiguresSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="incoming copies delivered in the month")
    received_electronic = serializers.IntegerField(help_text="of which through the system or the exchange")
    issued = serializers.IntegerField(help_text="outgoing documents issued in the month")
    issued_electronic = serializers.IntegerField(help_text="of which sent to no paper place")
    issued_signed = serializers.IntegerField(help_text="of which digitally signed by the signer")
    electronic_share = serializers.FloatField(
        allow_null=True, help_text="(received_electronic + issued_electronic) / (received + issued), 0 to 1")
    signed_share = serializers.FloatField(allow_null=True, help_text="issued_signed / issued, 0 to 1")
    on_time = serializers.IntegerField(help_text="copies completed in the month by their due date")
    overdue = serializers.IntegerField(
        help_text="copies completed in the month after their due date, plus those still being handled "
                  "past a due date in the month")
    on_time_share = serializers.FloatField(allow_null=True, help_text="on time / completed in the month")
    mean_handling_days = serializers.FloatField(
        allow_null=True, help_text="delivery to completion, over the copies completed in the month")


class OversightRowSerializer(FiguresSerializer):
    agency_code = serializers.CharField()
    agency_name = serializers.CharField()
    parent_code = serializers.CharField(help_text="the agency directly above it")
    depth = serializers.IntegerField(help_text="1: directly below the caller's agency")


class OversightListSerializer(serializers.Serializer):
    year = serializers.IntegerField(source="month.year")
    month = serializers.IntegerField(source="month.month")
    results = OversightRowSerializer(many=True)


class TrendMonthSerializer(FiguresSerializer):
    month = serializers.DateField(help_text="first day of the month")


class OversightTrendSerializer(serializers.Serializer):
    agency_code = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.name")
    months = TrendMonthSerializer(many=True)


REFUSALS = {
    400: OpenApiResponse(description="bad year, month or months (the field is named)"),
    403: OpenApiResponse(description="not a leader or clerk, or the agency has none below it"),
}


class OversightView(ScopedAPIView):
    """Every agency below the caller's, for one month: one row each, counts only."""

    renderer_classes = [JSONRenderer, CSVRenderer, PDFBytesRenderer]

    @extend_schema(operation_id="v1_oversight_list", parameters=[MonthQuerySerializer], responses={
        (200, "application/json"): OversightListSerializer, (200, "text/csv"): OpenApiTypes.BINARY,
        (200, "application/pdf"): OpenApiTypes.BINARY, **REFUSALS})
    def get(self, request):
        query = MonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data["month"]
        rows = oversight_month(member=request.membership, month=month, sort=query.validated_data["sort"])
        fmt = request.accepted_renderer.format
        if fmt in ("csv", "pdf"):
            data = oversight_csv(rows=rows) if fmt == "csv" else oversight_pdf(
                superior_name=request.agency.name, month=month, rows=rows, today=timezone.localdate())
            disposition = f'attachment; filename="{report_filename(month, fmt)}"'
            return Response(data, headers={"Content-Disposition": disposition})
        return Response(OversightListSerializer({"month": month, "results": rows}).data)


class OversightTrendView(ScopedAPIView):
    """One agency below the caller's, month by month (404 for any other agency)."""

    @extend_schema(operation_id="v1_oversight_trend", parameters=[TrendQuerySerializer], responses={
        200: OversightTrendSerializer, **REFUSALS, 404: OpenApiResponse(description="not below")})
    def get(self, request, agency_code: str):
        query = TrendQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        trend = oversight_trend(member=request.membership, agency_code=agency_code,
                                months=query.validated_data["months"])
        return Response(OversightTrendSerializer(trend).data)
