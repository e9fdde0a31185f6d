"""/api/v1/archive-transfers/ (nộp lưu), /api/v1/file-list/ and /api/v1/retention-rules/.

The package is made by a worker: ``…/package/`` answers 202 with ``Retry-After`` until it is
ready, then streams the stored ZIP (FileResponse reads it in blocks, never whole).
"""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from docflow.api.base import UUID_PATTERN, ScopedAPIView, ScopedViewSet
from docflow.api.files import file_pending
from docflow.api.idempotency import idempotent, user_principal
from docflow.api.records import REFUSALS, FileSerializer, RetentionField, year_param
from docflow.documents.files import stored_file_open
from docflow.records import file_list as lists
from docflow.records.permissions import require_transfer_role
from docflow.records.retention import retention_rule_save, retention_rules
from docflow.records.selectors import files_due_for_transfer, transfer_get, transfers_list
from docflow.records.transfers import archive_transfer_create, package_root

FILE_PENDING = {202: OpenApiResponse(description="being made; retry after Retry-After seconds"), 404: None}


class TransferSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    state = serializers.CharField(help_text="pending, building or ready")
    progress = serializers.IntegerField(help_text="per cent of documents written into the package")
    documents_done = serializers.IntegerField()
    documents_total = serializers.IntegerField()
    package_size = serializers.IntegerField()
    package_sha256 = serializers.CharField()
    requested_by = serializers.CharField(source="requested_by.username")
    created_at = serializers.DateTimeField()
    ready_at = serializers.DateTimeField(allow_null=True)


class TransferCreateSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.UUIDField(), allow_empty=False)


class AnyFormat(DefaultContentNegotiation):
    """The files here are ZIP or PDF whatever ``Accept`` says; errors and 202 are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _stored(sha256: str, filename: str, content_type: str, detail: str):
    if not sha256:
        return file_pending(detail)
    return FileResponse(stored_file_open(sha256=sha256), filename=filename, content_type=content_type)


class ArchiveTransferViewSet(ScopedViewSet):
    """Handing closed files to the agency archive: clerks and archivists."""

    serializer_class = TransferSerializer
    cursor_ordering = ("-created_at", "-id")
    lookup_value_regex = UUID_PATTERN

    def scoped_queryset(self):
        return transfers_list()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.membership is not None:
            require_transfer_role(request.membership)

    def list(self, request):
        page = self.paginate_queryset(transfers_list())
        return self.get_paginated_response(TransferSerializer(page, many=True).data)

    @extend_schema(request=TransferCreateSerializer, responses={202: TransferSerializer, **REFUSALS})
    def create(self, request):
        """Hand over closed files; the package is built by a worker (202 until ``state`` is ready)."""

        def handler() -> Response:
            body = TransferCreateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            transfer = archive_transfer_create(actor=request.membership, file_ids=body.validated_data["files"])
            transfer = transfer_get(transfer_id=transfer.pk)
            return Response(TransferSerializer(transfer).data, status=status.HTTP_202_ACCEPTED,
                            headers={"Location": request.build_absolute_uri(f"{transfer.id}/")})

        return idempotent(request=request, agency_id=request.agency.pk, principal=user_principal(request),
                          handler=handler)

    def retrieve(self, request, pk=None):
        return Response(TransferSerializer(transfer_get(transfer_id=pk)).data)

    @extend_schema(responses={200: FileSerializer(many=True)})
    @action(detail=False, methods=["get"], cursor_ordering=("closed_at", "id"))
    def due(self, request):
        """Closed files not yet handed over."""
        page = self.paginate_queryset(files_due_for_transfer())
        return self.get_paginated_response(FileSerializer(page, many=True).data)

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY, **FILE_PENDING})
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer], content_negotiation_class=AnyFormat)
    def package(self, request, pk=None):
        """The BagIt package as a ZIP, streamed."""
        transfer = transfer_get(transfer_id=pk)
        return _stored(transfer.package_sha256, f"{package_root(transfer)}.zip", "application/zip",
                       f"Đang tạo gói nộp lưu ({transfer.progress}%).")

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **FILE_PENDING})
    @action(detail=True, methods=["get"], url_path="handover-list", renderer_classes=[JSONRenderer],
            content_negotiation_class=AnyFormat)
    def handover_list(self, request, pk=None):
        """Mục lục hồ sơ, tài liệu nộp lưu (PDF)."""
        transfer = transfer_get(transfer_id=pk)
        return _stored(transfer.handover_list_sha256, "muc-luc-ho-so-nop-luu.pdf", "application/pdf",
                       "Đang tạo mục lục.")

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **FILE_PENDING})
    @action(detail=True, methods=["get"], url_path="handover-record", renderer_classes=[JSONRenderer],
            content_negotiation_class=AnyFormat)
    def handover_record(self, request, pk=None):
        """Biên bản giao nhận (PDF)."""
        transfer = transfer_get(transfer_id=pk)
        return _stored(transfer.handover_record_sha256, "bien-ban-giao-nhan.pdf", "application/pdf",
                       "Đang tạo biên bản.")


class EntrySerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    heading = serializers.UUIDField(source="heading_id", required=False, allow_null=True)
    code = serializers.CharField(max_length=40, allow_blank=True)
    title = serializers.CharField(max_length=500, allow_blank=True)
    retention = RetentionField(source="retention_years", required=False, allow_null=True)
    retention_rule = serializers.UUIDField(source="retention_rule_id", required=False, allow_null=True,
                                           help_text="a line of the retention table; its period wins")
    unit = serializers.CharField(source="unit.symbol", required=False, allow_null=True, allow_blank=True)
    responsible = serializers.CharField(source="responsible.username", required=False, allow_null=True,
                                        allow_blank=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class HeadingSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=300, allow_blank=True)
    entries = EntrySerializer(many=True, read_only=True)


class CopySerializer(serializers.Serializer):
    from_year = serializers.IntegerField(min_value=2000, max_value=2100)
    to_year = serializers.IntegerField(min_value=2000, max_value=2100)


class FileListView(ScopedAPIView):
    """The year's file list grouped by heading; ``format=csv|pdf`` for the printable forms."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = AnyFormat

    @extend_schema(
        parameters=[OpenApiParameter("year", int), OpenApiParameter("format", str, enum=["json", "csv", "pdf"])],
        responses={200: HeadingSerializer(many=True), (200, "text/csv"): OpenApiTypes.BINARY,
                   (200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        year = year_param(request.query_params.get("year"))
        fmt = request.query_params.get("format", "json")
        name = f"danh-muc-ho-so-{year}-{request.agency.code}"
        if fmt in ("csv", "pdf"):
            data = lists.file_list_csv(year=year) if fmt == "csv" else lists.file_list_pdf(year=year)
            response = HttpResponse(data, content_type="text/csv; charset=utf-8" if fmt == "csv" else "application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
            return response
        sections = lists.file_list_sections(year=year)
        return Response([
            {"id": s.heading.id if s.heading else None, "year": year,
             "title": s.heading.title if s.heading else "", "entries": EntrySerializer(s.entries, many=True).data}
            for s in sections
        ])


class FileListHeadingView(ScopedAPIView):
    @extend_schema(request=HeadingSerializer, responses={201: HeadingSerializer, **REFUSALS})
    def post(self, request):
        def handler() -> Response:
            body = HeadingSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            heading = lists.file_heading_create(actor=request.membership, **body.validated_data)
            return Response({"id": heading.id, "year": heading.year, "title": heading.title, "entries": []},
                            status=status.HTTP_201_CREATED)

        return idempotent(request=request, agency_id=request.agency.pk, principal=user_principal(request),
                          handler=handler)


class FileListEntryView(ScopedAPIView):
    @extend_schema(request=EntrySerializer, responses={201: EntrySerializer, **REFUSALS})
    def post(self, request):
        def handler() -> Response:
            body = EntrySerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
            entry = lists.file_entry_create(
                actor=request.membership, year=data["year"], code=data["code"], title=data["title"],
                retention=data.get("retention_years"), heading_id=data.get("heading_id"),
                unit=(data.get("unit") or {}).get("symbol"),
                responsible=(data.get("responsible") or {}).get("username"), note=data.get("note", ""),
                retention_rule_id=data.get("retention_rule_id"),
            )
            return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)

        return idempotent(request=request, agency_id=request.agency.pk, principal=user_principal(request),
                          handler=handler)


class FileListCopyView(ScopedAPIView):
    @extend_schema(request=CopySerializer, responses={200: OpenApiResponse(description="{copied: n}"), **REFUSALS})
    def post(self, request):
        """Copy last year's list forward in one step; entries the new year has are left alone."""
        body = CopySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        copied = lists.file_list_copy_forward(actor=request.membership, **body.validated_data)
        return Response({"copied": copied})


class RetentionRuleSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    code = serializers.CharField(max_length=20, allow_blank=True)
    name = serializers.CharField(max_length=300, allow_blank=True)
    retention = RetentionField(source="years", allow_null=True)


class RetentionRuleView(ScopedAPIView):
    """The agency's retention table: members read it, the agency admin adds and changes lines."""

    @extend_schema(responses={200: RetentionRuleSerializer(many=True)})
    def get(self, request):
        return Response(RetentionRuleSerializer(retention_rules(agency_id=request.agency.pk), many=True).data)

    @extend_schema(request=RetentionRuleSerializer, responses={200: RetentionRuleSerializer, **REFUSALS})
    def post(self, request):
        body = RetentionRuleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        rule = retention_rule_save(actor=request.membership, code=data["code"], name=data["name"], years=data["years"])
        return Response(RetentionRuleSerializer(rule).data)
