"""/api/v1/registers/: the agency's registers and each register's book for a year.

``GET /api/v1/registers/`` lists the registers with the last number of each year;
``GET /api/v1/registers/{id}/book/?year=2026&format=pdf|csv`` gives the book. CSV is made in
the request; the PDF is made by a worker, so until the book as it is now has one the answer is
202 with ``Retry-After`` (the same pattern as an issued document's PDF).
"""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer

from docflow.api.base import UUID_PATTERN, ScopedViewSet
from docflow.api.files import file_pending
from docflow.documents.files import stored_file_open
from docflow.documents.models import Register
from docflow.routing.register_books import (
    register_book,
    register_book_csv,
    register_book_pdf_request,
    registers_list,
)


class RegisterYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    last_number = serializers.IntegerField()


class RegisterSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    direction = serializers.CharField(help_text="outgoing or incoming")
    series = serializers.CharField(help_text="general, secret, or a document type code")
    name = serializers.CharField()
    is_active = serializers.BooleanField()
    years = serializers.SerializerMethodField()

    @extend_schema_field(RegisterYearSerializer(many=True))
    def get_years(self, register):
        counters = sorted(register.counters.all(), key=lambda c: c.year, reverse=True)
        return [{"year": c.year, "last_number": c.last_number} for c in counters]


class BookQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, help_text="default: this year")
    format = serializers.ChoiceField(choices=["pdf", "csv"], default="pdf")


class BookNegotiation(DefaultContentNegotiation):
    """``format`` names the book's file type here, not a renderer: errors and 202 are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class RegisterViewSet(ScopedViewSet):
    """Registers (sổ văn bản) of the caller's agency: clerks, leaders and agency admins."""

    serializer_class = RegisterSerializer
    cursor_ordering = ("direction", "series", "id")
    lookup_value_regex = UUID_PATTERN

    def scoped_queryset(self):  # what the schema reads; list() asks the selector, which checks roles
        return Register.objects.all()

    @extend_schema(responses={200: RegisterSerializer(many=True), 403: OpenApiResponse(description="role")})
    def list(self, request):
        page = self.paginate_queryset(registers_list(membership=request.membership))
        return self.get_paginated_response(RegisterSerializer(page, many=True).data)

    @extend_schema(
        summary="Sổ đăng ký văn bản của một năm (PDF hoặc CSV)",
        description="CSV at once; the PDF is made by a worker: 202 with Retry-After until the book "
        "as it is now has one.",
        parameters=[BookQuerySerializer],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.BINARY,
            202: OpenApiResponse(description="the PDF is being made; retry after Retry-After seconds"),
            400: OpenApiResponse(description="bad year or format"),
            403: OpenApiResponse(description="not a clerk, leader or agency admin"),
            404: None,
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer],
            content_negotiation_class=BookNegotiation)
    def book(self, request, pk=None):
        query = BookQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.localdate().year
        book = register_book(membership=request.membership, register_id=pk, year=year)
        name = f"{book.file_stem}-{request.agency.code}"
        if query.validated_data["format"] == "csv":
            response = HttpResponse(register_book_csv(book=book), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        sha256 = register_book_pdf_request(book=book)
        if sha256 is None:
            return file_pending("Đang tạo bản PDF của sổ.")
        return FileResponse(stored_file_open(sha256=sha256), filename=f"{name}.pdf",
                            content_type="application/pdf")
