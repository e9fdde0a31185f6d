"""GET /api/v1/incoming/{id}/attachments/{attachment_id}/: a file of a received copy, as it
arrived or (``?stamped=1``) with the "ĐẾN" stamp of our agency on page 1.

The stamped copy is made by a worker after acceptance (and again after assignment), so while
that work is pending the answer is 202 with ``Retry-After``, as for an issued document's PDF.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers

from docflow.api.base import ScopedAPIView
from docflow.core.errors import InvalidState
from docflow.api.files import FILE_RENDERERS, file_pending
from docflow.documents.files import stored_file_open
from docflow.routing.stamping import (
    PDF,
    FileVersion,
    attachment_version,
    incoming_attachment_get,
    incoming_stamp_pending,
)


class StampedQuerySerializer(serializers.Serializer):
    stamped = serializers.BooleanField(
        required=False, default=False, help_text="the copy with our incoming stamp (PDF only)"
    )


class IncomingAttachmentView(ScopedAPIView):
    """A file of one of the caller's agency's incoming copies."""

    renderer_classes = FILE_RENDERERS

    @extend_schema(
        parameters=[StampedQuerySerializer],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            202: OpenApiResponse(description="the stamp is being made; retry after Retry-After seconds"),
            400: OpenApiResponse(description="stamped=1 on a file that is not a PDF"),
            404: None,
            409: OpenApiResponse(description="not accepted yet, or the PDF cannot be stamped"),
        },
    )
    def get(self, request, pk, attachment_id):
        query = StampedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        attachment = incoming_attachment_get(incoming_id=pk, attachment_id=attachment_id)
        if not query.validated_data["stamped"]:
            return _file(attachment_version(attachment, stamped=False))
        if attachment.content_type != PDF:
            raise ValidationError({"stamped": ["Chỉ tệp PDF mới có bản đóng dấu đến."]})
        incoming = attachment.incoming
        if incoming.incoming_number is None:
            raise InvalidState("Văn bản chưa được tiếp nhận, chưa có dấu đến.", state=incoming.status)
        version = attachment_version(attachment, stamped=True)
        if version is not None:
            return _file(version)
        if incoming_stamp_pending(incoming_id=incoming.pk):
            return file_pending("Đang đóng dấu đến.")
        raise InvalidState(
            "Không đóng được dấu đến trên tệp này (tệp hỏng hoặc có mật khẩu); hãy tải bản gốc.",
            state="unstampable",
        )


def _file(version: FileVersion) -> FileResponse:
    response = FileResponse(
        stored_file_open(sha256=version.sha256), as_attachment=True, filename=version.name,
        content_type=version.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
