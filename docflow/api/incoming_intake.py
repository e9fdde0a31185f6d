"""POST /api/v1/incoming/ and POST /api/v1/incoming/{id}/attachments/: a clerk registers a
document that arrived outside the system and uploads its scans (OCR adds a text layer after).

Thin: parse, call ``routing.intake``, answer the copy as ``GET /api/v1/incoming/{id}/`` does.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from docflow.api.idempotency import idempotent, user_principal
from docflow.api.uploads import limit_uploads, uploads_received
from docflow.documents.types import DocType, Secrecy, Urgency
from docflow.routing.intake import PAPER_MEDIA, DuplicateIncoming, PaperEnvelope, incoming_register
from docflow.routing.intake_scans import intake_scan_upload
from docflow.routing.models import OcrState


class IncomingRegisterSerializer(serializers.Serializer):
    sender_code = serializers.CharField(required=False, allow_blank=True, default="", max_length=13,
                                        help_text="an agency of the directory, or a remembered code")
    sender_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=255,
                                        help_text="for a sender outside the directory (remembered)")
    number = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    notation = serializers.CharField(max_length=80)
    issued_at = serializers.DateField(source="issued_on")
    doc_type = serializers.ChoiceField(choices=DocType.choices)
    subject = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    signer_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    secrecy = serializers.ChoiceField(choices=Secrecy.choices, default=Secrecy.NORMAL)
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    medium = serializers.ChoiceField(choices=[(m.value, m.label) for m in PAPER_MEDIA])
    pages = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                     max_value=10000, source="page_count")
    copies = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                      max_value=10000, source="copy_count")
    duplicate_reason = serializers.CharField(required=False, allow_blank=True, default="",
                                             help_text="register a second copy of a document held")


class DuplicateSerializer(serializers.Serializer):
    detail = serializers.CharField()
    state = serializers.CharField()
    duplicates = serializers.ListField(child=serializers.UUIDField())


class RegisteredSerializer(serializers.Serializer):
    """The copy as GET shows it (id, incoming_number, status_code "03", …)."""

    id = serializers.UUIDField()
    incoming_number = serializers.IntegerField()
    status_code = serializers.CharField()


class ScanUploadSerializer(serializers.Serializer):
    file = serializers.ListField(child=serializers.FileField(),
                                 help_text="one PDF, or several images (JPEG, PNG, TIFF) in page order")


class ScanSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="attachment_id")
    scan_id = serializers.UUIDField(source="id")
    name = serializers.CharField()
    size = serializers.IntegerField(source="original.size")
    sha256 = serializers.CharField(source="original_id")
    pages = serializers.IntegerField(source="page_count")
    ocr_state = serializers.ChoiceField(choices=OcrState.choices)


class IncomingIntakeMixin:
    """The writes of paper intake on the incoming viewset."""

    @extend_schema(
        request=IncomingRegisterSerializer,
        responses={201: RegisteredSerializer, 400: None, 403: None,
                   409: OpenApiResponse(DuplicateSerializer, description="already held")},
        summary="Vào sổ văn bản đến giấy (bưu chính, thư điện tử, fax, trực tiếp)",
    )
    def create(self, request):
        def handler() -> Response:
            body = IncomingRegisterSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            try:
                copy = incoming_register(membership=request.membership,
                                         envelope=PaperEnvelope(**body.validated_data))
            except DuplicateIncoming as exc:
                return Response({"detail": exc.message, "state": exc.state,
                                 "duplicates": [str(d) for d in exc.duplicates]},
                                status=status.HTTP_409_CONFLICT)
            response = self.retrieve(request, pk=copy.pk)  # the copy as GET shows it
            response.status_code = status.HTTP_201_CREATED
            return response

        return idempotent(request=request, agency_id=request.agency.pk,
                          principal=user_principal(request), handler=handler)

    @extend_schema(
        request={"multipart/form-data": ScanUploadSerializer},
        responses={201: ScanSerializer, 400: None, 403: None, 404: None, 409: None},
        summary="Tải bản quét lên văn bản đến đã vào sổ (OCR thêm lớp chữ sau)",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser], url_path="attachments")
    def scans(self, request, pk=None):
        guard = limit_uploads(request)

        def handler() -> Response:
            uploads = uploads_received(request, guard)
            scan = intake_scan_upload(membership=request.membership, incoming_id=pk,
                                      files=[(u.name, u.chunks()) for u in uploads])
            scan.refresh_from_db()  # OCR may have run on commit (eager mode)
            return Response(ScanSerializer(scan).data, status=status.HTTP_201_CREATED)

        return idempotent(request=request, agency_id=request.agency.pk,
                          principal=user_principal(request), handler=handler)
