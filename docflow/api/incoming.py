"""/api/v1/incoming/: the caller's agency's incoming copies, their work lists and every step.

Thin: parse, call one routing service or selector, render. Each step answers the copy as
``GET /api/v1/incoming/{id}/`` shows it after the step.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from docflow.api.base import UUID_PATTERN, ScopedViewSet
from docflow.api.pagination import CursorPagination
from docflow.api.incoming_intake import IncomingIntakeMixin
from docflow.api.incoming_serializers import (
    AssignSerializer,
    CompleteSerializer,
    ForwardSerializer,
    HandlingSettingsSerializer,
    IncomingDetailSerializer,
    IncomingListQuerySerializer,
    IncomingRowSerializer,
    NoteInputSerializer,
    RecallDecisionSerializer,
    RejectSerializer,
)
from docflow.api.outgoing import outgoing_document_response
from docflow.api.outgoing_serializers import OutgoingSerializer
from docflow.routing import handling
from docflow.routing.deadlines import handling_settings_update
from docflow.routing.models import IncomingDocument
from docflow.routing.replies import incoming_reply_draft
from docflow.routing.selectors import (
    LIST_ORDERING,
    handling_settings,
    incoming_detail,
    incoming_list,
    incoming_rows,
)


PAGE_PARAMS = {CursorPagination.cursor_query_param, CursorPagination.page_size_query_param}


def _step(name: str, service, input_serializer=None, *, summary: str, url_path: str | None = None):
    """A POST action on one copy: validate the body, run the service, answer the copy."""

    def view(self, request, pk=None):
        kwargs = {}
        if input_serializer is not None:
            body = input_serializer(data=request.data)
            body.is_valid(raise_exception=True)
            kwargs = body.validated_data
        service(membership=request.membership, incoming_id=pk, **kwargs)
        return Response(IncomingDetailSerializer(incoming_detail(incoming_id=pk, answer_only=True)).data)

    view.__name__ = name
    view.__doc__ = summary
    view = extend_schema(request=input_serializer, responses=IncomingDetailSerializer,
                         summary=summary)(view)
    return action(detail=True, methods=["post"], url_path=url_path)(view)


class IncomingViewSet(IncomingIntakeMixin, ScopedViewSet):
    """Incoming documents of the caller's agency."""

    serializer_class = IncomingRowSerializer
    cursor_ordering = LIST_ORDERING
    lookup_value_regex = UUID_PATTERN
    filter_backends: list = []

    def scoped_queryset(self):
        return IncomingDocument.objects.all()

    @extend_schema(parameters=[IncomingListQuerySerializer])
    def list(self, request):
        filters = {}
        # Most reads are the plain list, or its next page: no filter to validate then.
        if request.query_params.keys() - PAGE_PARAMS:
            query = IncomingListQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            filters = query.validated_data
        rows = self.paginate_queryset(incoming_rows(incoming_list(user_id=request.user.pk, **filters)))
        context = {"tz": timezone.get_current_timezone(), "today": timezone.localdate()}
        return self.get_paginated_response(IncomingRowSerializer(rows, many=True, context=context).data)

    @extend_schema(responses=IncomingDetailSerializer)
    def retrieve(self, request, pk=None):
        return Response(IncomingDetailSerializer(incoming_detail(incoming_id=pk, answer_only=True)).data)

    accept = _step("accept", handling.incoming_accept, summary="Tiếp nhận, vào sổ (01 → 03)")
    reject = _step("reject", handling.incoming_reject, RejectSerializer, summary="Từ chối (01 → 02)")
    assign = _step("assign", handling.incoming_assign, AssignSerializer,
                   summary="Phân công xử lý (→ 04)")
    forward = _step("forward", handling.incoming_forward, ForwardSerializer,
                    summary="Chuyển chủ trì xử lý")
    progress = _step("progress", handling.incoming_progress, NoteInputSerializer,
                     summary="Báo cáo tiến độ (→ 05)")
    opinion = _step("opinion", handling.incoming_opinion, NoteInputSerializer,
                    summary="Ý kiến phối hợp")
    complete = _step("complete", handling.incoming_complete, CompleteSerializer,
                     summary="Hoàn thành (→ 06)")
    @extend_schema(request=None, responses={201: OutgoingSerializer}, summary="Trả lời: mở dự thảo gửi nơi gửi")
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """A công văn draft addressed to the sender, linked to this copy as its reply."""
        draft = incoming_reply_draft(actor=request.membership, incoming_id=pk)
        return outgoing_document_response(draft.pk, status.HTTP_201_CREATED)

    recall_decision = _step("recall_decision", handling.incoming_recall_decide,
                            RecallDecisionSerializer, url_path="recall-decision",
                            summary="Trả lời yêu cầu thu hồi (13 → 15 hoặc 16)")

    @extend_schema(methods=["GET"], responses=HandlingSettingsSerializer)
    @extend_schema(methods=["PATCH"], request=HandlingSettingsSerializer, responses=HandlingSettingsSerializer)
    @action(detail=False, methods=["get", "patch"], url_path="settings")
    def handling_settings(self, request):
        """Default due days per urgency and the due-soon window (agency admin changes them)."""
        if request.method == "PATCH":
            body = HandlingSettingsSerializer(data=request.data, partial=True)
            body.is_valid(raise_exception=True)
            handling_settings_update(membership=request.membership, **body.validated_data)
        return Response(HandlingSettingsSerializer(handling_settings(agency_id=request.agency.pk)).data)
