"""/api/v1/outgoing/: drafts, the approval chain, attachments, issue, deliveries, recall, PDF.

Thin: parse, call one service or selector, render the document as ``GET /outgoing/{id}/``
shows it. Ids of another agency's rows are not found (404) on every endpoint, because every
read goes through the caller's agency scope.
"""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from docflow.api.base import UUID_PATTERN, ScopedViewSet
from docflow.api.files import FILE_RENDERERS, file_pending
from docflow.api.idempotency import idempotent, user_principal
from docflow.api.outgoing_serializers import (
    OutgoingAttachmentSerializer,
    OutgoingCreateSerializer,
    OutgoingDeliverySerializer,
    OutgoingDraftSerializer,
    OutgoingListQuerySerializer,
    OutgoingRecallSerializer,
    OutgoingReturnSerializer,
    OutgoingSerializer,
    OutgoingUploadSerializer,
    signed_pdf_of,
)
from docflow.api.signatures import SigningPreparedSerializer, SigningSubmitSerializer
from docflow.api.uploads import limit_uploads, uploads_received
from docflow.core.errors import InvalidState
from docflow.core.search import search_filter
from docflow.documents import services
from docflow.documents.external_signing import (
    approval_signing_prepare,
    approval_signing_submit,
)
from docflow.documents.files import stored_file_open
from docflow.documents.models import OutgoingState
from docflow.documents.pdf import official_pdf_filename
from docflow.documents.selectors import (
    attachment_read,
    document_get,
    document_list_queryset,
    document_read,
    document_read_scope,
)
from docflow.documents.signing.verification import signatures_by_file
from docflow.routing.deliveries import deliveries_of_document, document_recall_request
from docflow.routing.issuing import document_issue


def outgoing_document_response(document_id, code: int = status.HTTP_200_OK) -> Response:
    """One outgoing document of the scoped agency as the API shows it."""
    return Response(OutgoingSerializer(document_get(document_id=document_id, answer_only=True)).data, status=code)


DOCUMENT = {200: OutgoingSerializer}
ERRORS = {400: OpenApiResponse(description="bad field"), 403: OpenApiResponse(description="role"),
          404: OpenApiResponse(description="not found"), 409: OpenApiResponse(description="state")}


class OutgoingViewSet(ScopedViewSet):
    """Outgoing documents of the caller's agency: drafts and issued documents."""

    serializer_class = OutgoingSerializer
    cursor_ordering = ("-created_at", "-id")
    lookup_value_regex = UUID_PATTERN

    def scoped_queryset(self):
        return document_list_queryset().order_by("-created_at", "-id")

    @extend_schema(parameters=[OutgoingListQuerySerializer])
    def list(self, request):
        query = OutgoingListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        queryset = self.get_queryset()
        if query.validated_data.get("state"):
            queryset = queryset.filter(state=query.validated_data["state"])
        queryset = search_filter(queryset, query.validated_data.get("q"))
        page = self.paginate_queryset(queryset)
        context = {"signatures": signatures_by_file(filter(None, map(signed_pdf_of, page)))}
        return self.get_paginated_response(OutgoingSerializer(page, many=True, context=context).data)

    @extend_schema(responses=DOCUMENT)
    def retrieve(self, request, pk=None):
        # A document an agency merged into this one issued is read too (never acted on).
        return Response(OutgoingSerializer(document_read(document_id=pk, answer_only=True)).data)

    @extend_schema(request=OutgoingCreateSerializer, responses={201: OutgoingSerializer, **ERRORS})
    def create(self, request):
        def handler() -> Response:
            data = OutgoingCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            document = services.document_create(actor=request.membership, **data.validated_data)
            return outgoing_document_response(document.pk, status.HTTP_201_CREATED)

        return idempotent(request=request, agency_id=request.agency.pk,
                          principal=user_principal(request), handler=handler)

    @extend_schema(request=OutgoingDraftSerializer, responses={**DOCUMENT, **ERRORS})
    def partial_update(self, request, pk=None):
        data = OutgoingDraftSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = {k: v for k, v in data.validated_data.items() if k in request.data}
        services.document_update(actor=request.membership, document_id=pk, changes=changes)
        return outgoing_document_response(pk)

    @extend_schema(request=None, responses={204: None, **ERRORS})
    def destroy(self, request, pk=None):
        services.document_delete(actor=request.membership, document_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={**DOCUMENT, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        services.document_submit(actor=request.membership, document_id=pk)
        return outgoing_document_response(pk)

    @extend_schema(request=None, responses={**DOCUMENT, **ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        services.document_approve(actor=request.membership, document_id=pk)
        return outgoing_document_response(pk)

    @extend_schema(request=None, responses={201: SigningPreparedSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="signing/prepare", url_name="signing-prepare")
    def signing_prepare(self, request, pk=None):
        """External signing, step 1: the digest for the leader's token or remote signer."""
        prepared = approval_signing_prepare(actor=request.membership, document_id=pk)
        return Response(SigningPreparedSerializer(prepared).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SigningSubmitSerializer, responses={**DOCUMENT, **ERRORS})
    @action(detail=True, methods=["post"], url_path="signing/submit", url_name="signing-submit")
    def signing_submit(self, request, pk=None):
        """External signing, step 2: the CMS SignedData over the digest; approves the document."""
        data = SigningSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approval_signing_submit(actor=request.membership, document_id=pk, **data.validated_data)
        return outgoing_document_response(pk)

    @extend_schema(request=OutgoingReturnSerializer, responses={**DOCUMENT, **ERRORS})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_drafter(self, request, pk=None):
        data = OutgoingReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.document_return(actor=request.membership, document_id=pk, **data.validated_data)
        return outgoing_document_response(pk)

    @extend_schema(request=None, responses={**DOCUMENT, **ERRORS})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        document_issue(actor=request.membership, document_id=pk)
        return outgoing_document_response(pk)

    @extend_schema(request=OutgoingRecallSerializer, responses={**DOCUMENT, **ERRORS})
    @action(detail=True, methods=["post"])
    def recall(self, request, pk=None):
        data = OutgoingRecallSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document_recall_request(actor=request.membership, document_id=pk, **data.validated_data)
        return outgoing_document_response(pk)

    @extend_schema(responses={200: inline_serializer("PaginatedOutgoingDeliveryList", {
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": OutgoingDeliverySerializer(many=True),
    })})
    @action(detail=True, methods=["get"], cursor_ordering=("recipient_code", "id"))
    def deliveries(self, request, pk=None):
        document = document_read(document_id=pk)
        with document_read_scope(document=document):
            page = self.paginate_queryset(deliveries_of_document(document_id=document.pk))
        return self.get_paginated_response(OutgoingDeliverySerializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": OutgoingUploadSerializer},
        responses={201: OutgoingAttachmentSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        guard = limit_uploads(request)

        def handler() -> Response:
            upload = uploads_received(request, guard)[0]
            attachment = services.attachment_add(
                actor=request.membership, document_id=pk, name=upload.name, chunks=upload.chunks()
            )
            return Response(OutgoingAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

        return idempotent(request=request, agency_id=request.agency.pk,
                          principal=user_principal(request), handler=handler)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: None})
    @action(detail=True, methods=["get"], url_path=f"attachments/(?P<attachment_id>{UUID_PATTERN})",
            url_name="attachment", renderer_classes=FILE_RENDERERS)
    def attachment(self, request, pk=None, attachment_id=None):
        attachment = attachment_read(document_id=pk, attachment_id=attachment_id)
        response = FileResponse(
            stored_file_open(sha256=attachment.file_id), as_attachment=True,
            filename=attachment.name, content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @extend_schema(responses={
        (200, "application/pdf"): OpenApiTypes.BINARY,
        202: OpenApiResponse(description="being rendered; retry after Retry-After seconds"),
        404: None, 409: OpenApiResponse(description="not issued"),
    })
    @action(detail=True, methods=["get"], renderer_classes=FILE_RENDERERS)
    def pdf(self, request, pk=None):
        document = document_read(document_id=pk)
        if document.state != OutgoingState.ISSUED:
            raise InvalidState("Văn bản chưa phát hành, chưa có bản PDF.", state=document.state)
        if not document.pdf_sha256:
            return file_pending("Đang tạo bản PDF.")
        return FileResponse(
            stored_file_open(sha256=document.pdf_sha256), filename=official_pdf_filename(document),
            content_type="application/pdf",
        )
