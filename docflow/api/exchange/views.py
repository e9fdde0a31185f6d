"""/api/v1/exchange/: the API agency systems outside Docflow call with ``Api-Key`` keys.

Thin adapters. Every request is authenticated by key (the principal is the external agency),
its body is refused past ``DOCFLOW_EXCHANGE_MAX_BODY_BYTES`` before it is read whole, and an
optional request signature must verify (fresh, not replayed). Creating calls require an
``Idempotency-Key``. No membership and no agency scope here: services open the scopes they need.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import FileResponse, HttpResponse
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser as DrfMultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from docflow.api.base import ScopedViewSet
from docflow.api.idempotency import idempotent
from docflow.api.pagination import CursorPagination
from docflow.core.errors import NotFound, NotPermitted
from docflow.documents.files import stored_file_open
from docflow.documents.pdf import official_pdf_filename
from docflow.api.parsers import json_loads_bounded
from docflow.api.exchange.throttling import ExchangeClientThrottle, ExchangeClientWriteThrottle
from docflow.api.exchange.authentication import ApiKeyAuthentication, ExchangePrincipal
from docflow.exchange.clients import signed_request_accept
from docflow.exchange.edxml import edxml_error_keys, edxml_package
from docflow.exchange.edxml_status import staff_line, status_package_parse
from docflow.api.exchange.envelope import ExchangeEnvelopeSerializer, ExchangeInboundResultSerializer
from docflow.exchange.inbound import InboundFile, inbound_document_receive
from docflow.exchange.models import WebhookDelivery
from docflow.exchange.outbound import (
    delivery_package,
    document_envelope,
    sent_deliveries,
    sent_delivery_get,
    status_feed,
    status_messages,
)
from docflow.api.exchange.serializers import (
    ExchangeDocumentFeedSerializer,
    ExchangeStatusFeedSerializer,
    ExchangeOutboundDocumentSerializer,
    ExchangeStatusAppliedSerializer,
    ExchangeStatusInSerializer,
    ExchangeStatusMessageSerializer,
    ExchangeWebhookDeliverySerializer,
)
from docflow.exchange.signing import SignatureInvalid
from docflow.exchange.statuses import delivery_status_receive, sent_document_for
from docflow.routing.models import STATUS_SLUGS, Status
from docflow.tenancy.models import Agency

IDEMPOTENCY_HEADER = "HTTP_IDEMPOTENCY_KEY"
XML_TYPES = ("application/xml", "text/xml", "application/edxml+xml")
ERRORS = {
    400: OpenApiResponse(description="Trường sai: {\"tên trường\": [\"lỗi\"]}"),
    401: OpenApiResponse(description="Thiếu khóa, khóa sai, hoặc chữ ký sai / cũ / lặp lại"),
    413: OpenApiResponse(description="Thân yêu cầu quá lớn"),
}
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=True,
    description="Gửi lại cùng khóa với cùng nội dung nhận lại kết quả lần đầu; nội dung khác: 409.",
)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Thân yêu cầu vượt quá dung lượng cho phép."
    default_code = "payload_too_large"


class IsExchangeClient(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, ExchangePrincipal)


class FeedPagination(CursorPagination):
    """Oldest first from ``since``; ``since`` in the answer is where the next poll starts."""

    cursor_query_param = "since"
    default_ordering = ("created_at", "id")

    def get_paginated_response(self, data) -> Response:
        response = super().get_paginated_response(data)
        since = self.request.query_params.get(self.cursor_query_param)
        if self.rows:
            since = self.encode_cursor("n", self.rows[-1], self.ordering)
        response.data["since"] = since or None
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["since"] = {"type": "string", "nullable": True}
        return answer


def body_read(request) -> bytes:
    """The raw body, refused with 413 past the limit: by Content-Length before reading, and
    the read itself stops one byte past the limit."""
    limit = settings.DOCFLOW_EXCHANGE_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise exceptions.ValidationError({"Content-Length": [_("Không hợp lệ.")]}) from None
    if declared > limit:
        raise PayloadTooLarge()
    raw = request._request.read(limit + 1)
    if len(raw) > limit:
        raise PayloadTooLarge()
    return raw


class ExchangeAPIView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsExchangeClient]
    throttle_classes = [ExchangeClientThrottle, ExchangeClientWriteThrottle]
    pagination_class = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.raw_body = body_read(request)
        try:
            signed_request_accept(client=request.auth, meta=request.META, body=self.raw_body)
        except SignatureInvalid as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from None

    @property
    def client(self):
        return self.request.auth

    def feed(self, queryset, render):
        # Rows younger than the settle window may belong to a transaction that has not committed
        # yet, under a smaller (created_at, id): serving only settled rows means a cursor never
        # steps past a row that appears later.
        settled = timezone.now() - timedelta(seconds=settings.DOCFLOW_EXCHANGE_FEED_SETTLE_SECONDS)
        paginator = FeedPagination()
        rows = paginator.paginate_queryset(queryset.filter(created_at__lte=settled), self.request, view=self)
        return paginator.get_paginated_response(render(rows))

    def idempotent(self, *, fingerprint: str, handler) -> Response:
        if not self.request.META.get(IDEMPOTENCY_HEADER):
            raise exceptions.ValidationError({"Idempotency-Key": [_("Bắt buộc với liên thông.")]})
        return idempotent(
            request=self.request, agency_id=self.client.external_agency_id,
            principal=f"client:{self.client.id}", handler=handler, fingerprint=fingerprint,
        )


def _canonical(method_path: str, *parts: bytes) -> str:
    digest = hashlib.sha256(method_path.encode())
    for part in parts:
        digest.update(b"\n" + part)
    return digest.hexdigest()


def _json_object(raw: bytes | str, field: str) -> dict:
    value = json_loads_bounded(raw, field=field)  # depth, NUL: 400, never a RecursionError
    if not isinstance(value, dict):
        raise exceptions.ValidationError({field: [_("Phải là một đối tượng JSON.")]})
    return value


def _multipart(request, raw: bytes) -> tuple[dict, list[InboundFile]]:
    try:
        data, files = MultiPartParser(
            request.META, io.BytesIO(raw), request._request.upload_handlers, settings.DEFAULT_CHARSET
        ).parse()
    except (MultiPartParserError, SuspiciousOperation) as exc:
        raise exceptions.ValidationError({"multipart": [str(exc)]}) from None
    if "envelope" in files:
        envelope = _json_object(files.pop("envelope")[0].read(), "envelope")
    elif data.get("envelope"):
        envelope = _json_object(data["envelope"], "envelope")
    else:
        raise exceptions.ValidationError({"envelope": [_("Thiếu phần envelope (JSON).")]})
    uploads = [InboundFile(name=f.name, data=f.read()) for name in files for f in files.getlist(name)]
    return envelope, uploads


MultipartEnvelope = inline_serializer("ExchangeMultipartEnvelope", {
    "envelope": serializers.CharField(help_text="Phong bì JSON (không có attachments)"),
    "files": serializers.ListField(child=serializers.FileField(), required=False),
})


class DocumentsView(ExchangeAPIView):
    """Documents to and from the caller's agency."""

    parser_classes = [JSONParser, DrfMultiPartParser]

    @extend_schema(
        operation_id="exchange_documents_outbox",
        parameters=[OpenApiParameter("since", str, description="Con trỏ lần kéo trước")],
        responses={200: ExchangeDocumentFeedSerializer, 401: ERRORS[401]},
    )
    def get(self, request):
        deliveries = sent_deliveries(external_agency_id=self.client.external_agency_id)
        return self.feed(deliveries, lambda rows: ExchangeOutboundDocumentSerializer(
            [document_envelope(d) for d in rows], many=True).data)

    @extend_schema(
        operation_id="exchange_documents_send",
        request={
            "application/json": ExchangeEnvelopeSerializer,
            "multipart/form-data": MultipartEnvelope,
            "application/xml": OpenApiTypes.STR,
        },
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: ExchangeInboundResultSerializer, 403: OpenApiResponse(description="Mã nơi gửi khác cơ quan của khóa"),
                   409: OpenApiResponse(description="Idempotency-Key đã dùng cho nội dung khác"),
                   415: OpenApiResponse(description="Kiểu nội dung không hỗ trợ"), **ERRORS},
    )
    def post(self, request):
        content_type = request.content_type.split(";")[0].strip().lower()
        path = f"POST {request.path}"
        files: list[InboundFile] = []
        package = None
        if content_type in XML_TYPES:
            package = edxml_package(self.raw_body)
            envelope = package.envelope
            files = [InboundFile(name=name, data=data) for name, _type, data in package.files]
            fingerprint, fmt = _canonical(path, self.raw_body), "edxml"
        elif content_type == "application/json":
            envelope, fmt = _json_object(self.raw_body, "non_field_errors"), "json"
            fingerprint = _canonical(path, json.dumps(envelope, sort_keys=True).encode())
        elif content_type == "multipart/form-data":
            envelope, files = _multipart(request, self.raw_body)
            fingerprint = _canonical(path, json.dumps(envelope, sort_keys=True).encode(), *(
                f"{f.name}:{hashlib.sha256(f.data).hexdigest()}".encode() for f in files))
            fmt = "json"
        else:
            raise exceptions.UnsupportedMediaType(content_type)
        serializer = ExchangeEnvelopeSerializer(data=envelope)
        if not serializer.is_valid():
            errors = serializer.errors
            raise exceptions.ValidationError(edxml_error_keys(errors) if fmt == "edxml" else errors)
        valid = serializer.validated_data
        files = [InboundFile(name=a["name"], data=a["content_base64"]) for a in valid["attachments"]] + files

        def handler():
            receipt = inbound_document_receive(
                client=self.client, envelope=valid, files=files, fmt=fmt, package=package)
            agency_codes = dict(Agency.objects.filter(
                pk__in=[c.agency_id for c in receipt.copies]).values_list("pk", "code"))
            copies = [{"agency_code": agency_codes[c.agency_id], "incoming_id": c.id, "status_code": c.status_code}
                      for c in receipt.copies]
            created = not receipt.duplicate and not receipt.recall_requested
            return Response(ExchangeInboundResultSerializer({
                "id": receipt.document.id, "notation": receipt.document.notation,
                "received_at": receipt.received_at, "recipients": copies,
                "document_id": receipt.document.exchange_document_id, "duplicate": receipt.duplicate,
                "recall_requested": receipt.recall_requested,
                "renamed": [{"code": old, "now": new} for old, new in receipt.renamed.items()],
            }).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

        return self.idempotent(fingerprint=fingerprint, handler=handler)


class DocumentDetailView(ExchangeAPIView):
    """One document issued to the caller's agency, with its current status (13: recall asked)."""

    @extend_schema(operation_id="exchange_documents_detail",
                   responses={200: ExchangeOutboundDocumentSerializer, 404: None})
    def get(self, request, pk):
        delivery = sent_delivery_get(external_agency_id=self.client.external_agency_id, document_id=pk)
        return Response(ExchangeOutboundDocumentSerializer(document_envelope(delivery)).data)


class DocumentEdxmlView(ExchangeAPIView):
    @extend_schema(operation_id="exchange_documents_edxml",
                   responses={(200, "application/xml"): OpenApiTypes.STR, 404: None})
    def get(self, request, pk):
        delivery = sent_delivery_get(external_agency_id=self.client.external_agency_id, document_id=pk)
        if not delivery.document.pdf_sha256:
            return Response(status=status.HTTP_202_ACCEPTED, headers={"Retry-After": "5"})
        return HttpResponse(delivery_package(delivery), content_type="application/xml; charset=utf-8")


class DocumentAttachmentView(ExchangeAPIView):
    @extend_schema(operation_id="exchange_documents_attachment",
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: None})
    def get(self, request, pk, attachment_id):
        delivery = sent_delivery_get(external_agency_id=self.client.external_agency_id, document_id=pk)
        for a in delivery.document.attachments.all():
            if str(a.id) == str(attachment_id):
                return FileResponse(
                    stored_file_open(sha256=a.file_id), as_attachment=True, filename=a.name,
                    content_type=a.content_type,
                )
        raise NotFound(_("Không tìm thấy tệp."))


class DocumentPdfView(ExchangeAPIView):
    @extend_schema(operation_id="exchange_documents_pdf",
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              202: OpenApiResponse(description="Đang tạo bản PDF; thử lại sau Retry-After"),
                              404: None})
    def get(self, request, pk):
        document = sent_delivery_get(
            external_agency_id=self.client.external_agency_id, document_id=pk).document
        if not document.pdf_sha256:
            return Response(status=status.HTTP_202_ACCEPTED, headers={"Retry-After": "5"})
        return FileResponse(stored_file_open(sha256=document.pdf_sha256),
                            filename=official_pdf_filename(document),
                            content_type="application/pdf")


# Status message field → the status package element it comes from: error keys for XML senders.
STATUS_ELEMENTS = {"document_id": "ResponseFor/DocumentId", "status_code": "StatusCode",
                   "description": "Description", "staff": "StaffInfo/Staff", "timestamp": "Timestamp"}


class StatusView(ExchangeAPIView):
    """Statuses both ways: ours on what the caller sent (pull), theirs on what we sent (push)."""

    @extend_schema(
        operation_id="exchange_status_feed",
        parameters=[OpenApiParameter("since", str, description="Con trỏ lần kéo trước")],
        responses={200: ExchangeStatusFeedSerializer, 401: ERRORS[401]},
    )
    def get(self, request):
        reports = status_feed(external_agency_id=self.client.external_agency_id)
        return self.feed(reports, lambda rows: ExchangeStatusMessageSerializer(status_messages(rows), many=True).data)

    @extend_schema(
        operation_id="exchange_status_send",
        request={"application/json": ExchangeStatusInSerializer, "application/xml": OpenApiTypes.STR},
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: ExchangeStatusAppliedSerializer, 404: None,
                   409: OpenApiResponse(description="Trạng thái không hợp lệ lúc này, hoặc khóa đã dùng"),
                   **ERRORS},
    )
    def post(self, request):
        content_type = request.content_type.split(";")[0].strip().lower()
        if content_type in XML_TYPES:
            parsed = status_package_parse(self.raw_body)
            message = {
                "document_id": str(sent_document_for(client=self.client, identifier=parsed["document_id"])),
                "status_code": parsed["status_code"], "description": parsed["description"],
                "staff": staff_line(parsed["staff_info"]), "timestamp": parsed["timestamp"],
            }
            serializer = ExchangeStatusInSerializer(data=message)
            if not serializer.is_valid():
                raise exceptions.ValidationError(
                    {STATUS_ELEMENTS.get(k, k): v for k, v in serializer.errors.items()})
        elif content_type == "application/json":
            serializer = ExchangeStatusInSerializer(data=_json_object(self.raw_body, "non_field_errors"))
            serializer.is_valid(raise_exception=True)
        else:
            raise exceptions.UnsupportedMediaType(request.content_type)
        data = serializer.validated_data
        fingerprint = _canonical(f"POST {request.path}", json.dumps(serializer.initial_data, sort_keys=True).encode())

        def handler():
            delivery = delivery_status_receive(
                client=self.client, document_id=data["document_id"], status_code=data["status_code"],
                description=data["description"], staff=data["staff"],
            )
            return Response(ExchangeStatusAppliedSerializer({
                "document_id": delivery.document_id, "recipient_code": delivery.recipient_code,
                "status_code": delivery.status_code, "status": STATUS_SLUGS[Status(delivery.status_code)],
                "updated_at": delivery.updated_at,
            }).data)

        return self.idempotent(fingerprint=fingerprint, handler=handler)


class WebhookDeliveryViewSet(ScopedViewSet):
    """The agency administrator's log of webhook pushes to external agencies."""

    serializer_class = ExchangeWebhookDeliverySerializer
    cursor_ordering = ("-created_at", "-id")

    def scoped_queryset(self):
        return WebhookDelivery.objects.select_related("client__external_agency")

    def list(self, request):
        if not request.membership.has_role("agency_admin"):
            raise NotPermitted(_("Chỉ quản trị đơn vị xem được nhật ký webhook."))
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
