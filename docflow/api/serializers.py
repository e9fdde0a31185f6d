"""Serializers of the foundation endpoints: the caller, agencies, document types."""

from __future__ import annotations

from rest_framework import serializers

from docflow.tenancy.models import Agency
from docflow.notifications.emails import notification_path


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class AgencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["code", "name"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    agency = AgencyBriefSerializer()
    unit = serializers.CharField(allow_null=True)
    position = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    agencies = AgencyBriefSerializer(many=True)


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
