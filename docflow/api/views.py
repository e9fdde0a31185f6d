"""Foundation endpoints: token, the caller, the agency directory, document types."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from docflow.api.base import ScopedAPIView, ScopedReadOnlyViewSet, ScopedViewSet
from docflow.api.serializers import (
    AgencySerializer,
    DocumentTypeSerializer,
    MeSerializer,
    NotificationSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from docflow.documents.types import DOCUMENT_TYPES
from docflow.notifications.selectors import notifications_for_user, unread_count
from docflow.notifications.services import notification_mark_read, notifications_mark_read
from docflow.tenancy.selectors import agency_directory, memberships_of_user


class LoginThrottle(AnonRateThrottle):
    rate = "20/min"


class TokenView(APIView):
    """Exchange a username and password for an API token."""

    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request, **serializer.validated_data)
        if user is None or not user.is_active:
            raise AuthenticationFailed("Tên đăng nhập hoặc mật khẩu không đúng.")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key}, status=status.HTTP_200_OK)


class MeView(ScopedAPIView):
    """The caller, the agency this request acts in, and its roles there."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        membership = request.membership
        user = request.user
        data = {
            "username": user.username,
            "full_name": user.get_full_name(),
            "agency": membership.agency,
            "unit": membership.unit.symbol if membership.unit else None,
            "position": membership.position,
            "roles": membership.roles,
            "agencies": [m.agency for m in memberships_of_user(user=user)],
        }
        return Response(MeSerializer(data).data)


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


class NotificationViewSet(ScopedViewSet):
    """The caller's notifications in this agency, unread first."""

    serializer_class = NotificationSerializer
    cursor_ordering = ("is_read", "-created_at", "-id")

    def scoped_queryset(self):
        return notifications_for_user(user_id=self.request.user.pk)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification_mark_read(recipient_id=request.user.pk, notification_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: inline_serializer("UnreadCount", {"unread": serializers.IntegerField()})})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread(self, request):
        """How many of the caller's notifications in this agency are unread (the bell's number)."""
        return Response({"unread": unread_count(user_id=request.user.pk)})

    @extend_schema(request=None, responses={200: inline_serializer("Marked", {"marked": serializers.IntegerField()})})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notifications_mark_read(recipient_id=request.user.pk)})
