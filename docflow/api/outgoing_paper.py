"""POST /api/v1/outgoing/{id}/issue-signed-scan/: a clerk issues a document signed on paper,
its signed scan (multipart ``file``, one PDF or images in page order) as the original and
``number`` the number written on the paper. Thin: parse, call ``routing.paper_signed``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser

from docflow.api.base import ScopedAPIView
from docflow.api.idempotency import idempotent, user_principal
from docflow.api.outgoing import DOCUMENT, ERRORS, outgoing_document_response
from docflow.api.uploads import limit_uploads, uploads_received
from docflow.routing.paper_signed import document_issue_paper_signed


class NumberSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, help_text="the number written on the paper (the register's next)")


class SignedScanSerializer(NumberSerializer):
    file = serializers.ListField(child=serializers.FileField(),
                                 help_text="the signed, sealed paper: one PDF, or images in page order")


class OutgoingSignedScanIssueView(ScopedAPIView):
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": SignedScanSerializer},
                   responses={**DOCUMENT, **ERRORS}, summary="Phát hành văn bản ký tay (bản quét là bản gốc)")
    def post(self, request, pk):
        guard = limit_uploads(request)

        def handler():
            files = uploads_received(request, guard)
            body = NumberSerializer(data={"number": request.data.get("number")})
            body.is_valid(raise_exception=True)
            document_issue_paper_signed(actor=request.membership, document_id=pk, number=body.validated_data["number"],
                                        files=[(f.name, f.chunks()) for f in files])
            return outgoing_document_response(pk, status.HTTP_200_OK)

        return idempotent(request=request, agency_id=request.agency.pk,
                          principal=user_principal(request), handler=handler)
