"""What clients address documents with: GET /api/v1/agencies/ and /api/v1/document-types/."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from docflow.api.base import ScopedAPIView, ScopedReadOnlyViewSet
from docflow.documents.types import DOCUMENT_TYPES
from docflow.tenancy.models import Agency
from docflow.tenancy.selectors import agency_directory


class AgencySerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, allow_null=True)

    class Meta:
        model = Agency
        fields = ["code", "name", "level", "parent_code", "symbol", "is_external"]
        read_only_fields = ["is_external"]  # outside Docflow: documents reach it on paper or by email


class DocumentTypeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    abbreviation = serializers.CharField(allow_blank=True)



@extend_schema(
    parameters=[OpenApiParameter("search", str, description="Tên hoặc mã, không phân biệt dấu")]
)
class AgencyViewSet(ScopedReadOnlyViewSet):
    """The directory of agencies used for addressing documents."""

    serializer_class = AgencySerializer
    lookup_field = "code"
    cursor_ordering = ("code",)

    def scoped_queryset(self):
        return agency_directory(
            search=self.request.query_params.get("search", ""),
            level=self.request.query_params.get("level", ""),
        )


class DocumentTypeView(ScopedAPIView):
    """The 29 document types of Decree 30/2020/NĐ-CP."""

    @extend_schema(responses=DocumentTypeSerializer(many=True))
    def get(self, request):
        return Response(DocumentTypeSerializer(DOCUMENT_TYPES, many=True).data)
