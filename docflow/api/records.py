"""/api/v1/files/: work files (hồ sơ) of the caller's agency.

Thin adapters: they parse input, call one ``docflow.records`` service or selector, and render.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from docflow.api.base import UUID_PATTERN, ScopedViewSet
from docflow.api.idempotency import idempotent, user_principal
from docflow.records import file_list as lists
from docflow.records import selectors, services
from docflow.records.models import FileState

REFUSALS = {400: OpenApiResponse(description="bad input, by field"), 403: OpenApiResponse(description="role"),
            404: None, 409: OpenApiResponse(description="the file is closed")}


@extend_schema_field({"oneOf": [{"type": "integer", "minimum": 1, "maximum": 100},
                                {"type": "string", "enum": ["permanent"]}]})
class RetentionField(serializers.Field):
    """Years as an integer, or ``"permanent"``."""

    def get_attribute(self, instance):
        # DRF prints None without calling to_representation; permanent is a value here.
        value = super().get_attribute(instance)
        return "permanent" if value is None else value

    def to_representation(self, value):
        return value

    def to_internal_value(self, data):
        try:
            return lists.parse_retention(data, field=self.field_name)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict[self.field_name]) from None


class FileDocumentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField(help_text="incoming, outgoing or note")
    document_id = serializers.SerializerMethodField()
    position = serializers.IntegerField()
    notation = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()
    note = serializers.CharField(help_text="a handler's note (kind note); empty for documents")
    page_count = serializers.IntegerField()
    is_original = serializers.BooleanField()
    added_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.UUID)
    def get_document_id(self, item):
        return item.incoming_id or item.outgoing_id

    @extend_schema_field(OpenApiTypes.STR)
    def get_notation(self, item) -> str:
        return item.document.notation if item.document else ""

    @extend_schema_field(OpenApiTypes.STR)
    def get_subject(self, item) -> str:
        return item.document.subject if item.document else ""


class FileSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    code = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=500)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    retention = RetentionField(source="retention_years", required=False, allow_null=True)
    unit = serializers.CharField(source="unit.symbol", required=False, allow_null=True, allow_blank=True)
    responsible = serializers.CharField(source="responsible.username", required=False, allow_null=True,
                                        allow_blank=True)
    state = serializers.CharField(read_only=True, help_text="open, closed or transferred")
    document_count = serializers.IntegerField(read_only=True)
    page_count = serializers.IntegerField(read_only=True)
    opened_at = serializers.DateTimeField(read_only=True)
    closed_at = serializers.DateTimeField(read_only=True)
    closing_note = serializers.CharField(read_only=True)
    disposal_on = serializers.DateField(read_only=True, help_text="when retention ends (none: permanent)")
    transferred_at = serializers.DateTimeField(read_only=True)


class FileDetailSerializer(FileSerializer):
    documents = FileDocumentSerializer(many=True, read_only=True, source="documents.all")


class FileCreateSerializer(FileSerializer):
    entry = serializers.UUIDField(required=False, help_text="open from this line of the file list")
    code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    title = serializers.CharField(max_length=500, required=False, allow_blank=True)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


class AddDocumentSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000,
                                 help_text="a handler's note instead of a document")
    incoming_id = serializers.UUIDField(required=False)
    outgoing_id = serializers.UUIDField(required=False)
    is_original = serializers.BooleanField(required=False, allow_null=True, default=None)
    page_count = serializers.IntegerField(required=False, min_value=0, max_value=100000, allow_null=True, default=None)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, max_length=2000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class OrderSerializer(serializers.Serializer):
    order = serializers.ListField(child=serializers.UUIDField(), help_text="every item id once")


class FileQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, help_text="code or title; accents ignored")
    state = serializers.ChoiceField(choices=FileState.values, required=False)
    year = serializers.IntegerField(required=False)


class IncomingBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    notation = serializers.CharField()
    subject = serializers.CharField()
    sender_name = serializers.CharField()
    completed_at = serializers.DateTimeField()


class FileViewSet(ScopedViewSet):
    """Work files of the caller's agency; every member reads them."""

    serializer_class = FileSerializer
    cursor_ordering = ("-year", "code", "id")
    lookup_value_regex = UUID_PATTERN

    def scoped_queryset(self):
        return selectors.files_list()

    @extend_schema(parameters=[FileQuerySerializer], responses={200: FileSerializer(many=True)})
    def list(self, request):
        query = FileQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.files_list(**query.validated_data))
        return self.get_paginated_response(FileSerializer(page, many=True).data)

    @extend_schema(request=FileCreateSerializer, responses={201: FileDetailSerializer, **REFUSALS})
    def create(self, request):
        """Open a file: from a list ``entry``, or ad hoc with ``code``, ``title``, ``year`` (added to the list)."""

        def handler() -> Response:
            body = FileCreateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
            work_file = services.work_file_open(
                actor=request.membership, entry_id=data.get("entry"), year=data.get("year"),
                code=data.get("code", ""), title=data.get("title", ""), retention=data.get("retention_years"),
                unit=(data.get("unit") or {}).get("symbol"), responsible=(data.get("responsible") or {}).get("username"),
            )
            return Response(FileDetailSerializer(selectors.work_file_get(file_id=work_file.pk)).data,
                            status=status.HTTP_201_CREATED)

        return idempotent(request=request, agency_id=request.agency.pk, principal=user_principal(request),
                          handler=handler)

    @extend_schema(responses={200: FileDetailSerializer, 404: None})
    def retrieve(self, request, pk=None):
        return Response(FileDetailSerializer(selectors.work_file_get(file_id=pk)).data)

    @extend_schema(request=AddDocumentSerializer, responses={201: FileDocumentSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        """Add an incoming or outgoing document of the agency, or a note (``{note}``), at the end of
        an open file."""
        selectors.work_file_require(file_id=pk)  # another agency's file: 404 before any 400
        body = AddDocumentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if "note" in data:
            item = services.work_file_note_add(actor=request.membership, file_id=pk, note=data["note"])
        else:
            item = services.work_file_document_add(actor=request.membership, file_id=pk, **data)
        return Response(FileDocumentSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OrderSerializer, responses={200: FileDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], url_path="documents/order")
    def order(self, request, pk=None):
        return self._step(request, pk, OrderSerializer, services.work_file_documents_reorder, "order")

    @extend_schema(request=NoteSerializer, responses={200: FileDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step(request, pk, NoteSerializer, services.work_file_close, "note")

    @extend_schema(request=ReasonSerializer, responses={200: FileDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """The agency admin reopens a closed file; the reason goes to the audit log."""
        return self._step(request, pk, ReasonSerializer, services.work_file_reopen, "reason")

    @staticmethod
    def _step(request, pk, body_class, service, field: str) -> Response:
        """One step on a file taking one field; the file as it is afterwards."""
        selectors.work_file_require(file_id=pk)  # another agency's file: 404 before any 400
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        service(actor=request.membership, file_id=pk, **{field: body.validated_data[field]})
        return Response(FileDetailSerializer(selectors.work_file_get(file_id=pk)).data)

    @extend_schema(responses={200: FileSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def mine(self, request):
        """Open files the caller keeps."""
        page = self.paginate_queryset(selectors.my_open_files(member=request.membership))
        return self.get_paginated_response(FileSerializer(page, many=True).data)

    @extend_schema(responses={200: IncomingBriefSerializer(many=True)})
    @action(detail=False, methods=["get"], url_path="unfiled-incoming", cursor_ordering=("-completed_at", "-id"))
    def unfiled_incoming(self, request):
        """Completed incoming documents the caller led that are in no file yet."""
        page = self.paginate_queryset(selectors.incoming_unfiled(member=request.membership))
        return self.get_paginated_response(IncomingBriefSerializer(page, many=True).data)

    @extend_schema(parameters=[OpenApiParameter("incoming_id", OpenApiTypes.UUID),
                               OpenApiParameter("outgoing_id", OpenApiTypes.UUID)],
                   responses={200: FileSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None)
    def suggested(self, request):
        """Open files a document likely belongs to (a reply: the file of what it answers)."""
        body = AddDocumentSerializer(data=request.query_params)
        body.is_valid(raise_exception=True)
        files = selectors.files_suggested(incoming_id=body.validated_data.get("incoming_id"),
                                          outgoing_id=body.validated_data.get("outgoing_id"))
        return Response(FileSerializer(files[:20], many=True).data)

    @extend_schema(parameters=[OpenApiParameter("year", int)], responses={200: FileSerializer(many=True)})
    @action(detail=False, methods=["get"], url_path="past-retention", cursor_ordering=("disposal_on", "code", "id"))
    def past_retention(self, request):
        """The yearly list of files whose retention has ended, for review; nothing is deleted."""
        year = year_param(request.query_params.get("year"))
        page = self.paginate_queryset(selectors.files_past_retention(year=year))
        return self.get_paginated_response(FileSerializer(page, many=True).data)


def year_param(value) -> int:
    if not value:
        return timezone.localdate().year
    try:
        year = int(value)
    except ValueError:
        raise ValidationError({"year": ["Năm không hợp lệ."]}) from None
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": ["Năm không hợp lệ."]})
    return year
