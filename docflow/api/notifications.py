"""The bell: GET /api/v1/notifications/, read one, read all, the unread count."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from docflow.api.base import ScopedViewSet
from docflow.notifications.emails import notification_path
from docflow.notifications.selectors import notifications_for_user, unread_count
from docflow.notifications.services import notification_mark_read, notifications_mark_read


class NotificationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.UUIDField(allow_null=True)
    link = serializers.SerializerMethodField()
    count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)

    def get_link(self, notification) -> str:
        return notification_path(notification)  # the web's page for it, which goes on to the object

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
