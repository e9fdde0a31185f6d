"""How a verified signature looks in the API (outgoing documents, incoming attachments)."""

from __future__ import annotations

import base64
import binascii

from rest_framework import serializers


class SignatureSerializer(serializers.Serializer):
    signer = serializers.CharField()
    kind = serializers.ChoiceField(choices=["personal", "agency"])
    signed_at = serializers.DateTimeField(allow_null=True)
    valid = serializers.BooleanField(help_text="intact, and no later change the signature forbids")
    trusted = serializers.BooleanField(
        allow_null=True, help_text="chains to a trust root, in validity, not revoked; null: could not check")
    detail = serializers.CharField()


class SigningPreparedSerializer(serializers.Serializer):
    request_id = serializers.UUIDField(source="pk")
    digest = serializers.SerializerMethodField(help_text="base64 of the digest to sign (as messageDigest)")
    algorithm = serializers.CharField(source="md_algorithm")
    expires_at = serializers.DateTimeField()

    def get_digest(self, obj) -> str:
        return base64.b64encode(bytes(obj.digest)).decode()


class Base64Field(serializers.CharField):
    def to_internal_value(self, data) -> bytes:
        try:
            return base64.b64decode(super().to_internal_value(data), validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("không phải base64 hợp lệ") from None


class SigningSubmitSerializer(serializers.Serializer):
    request_id = serializers.UUIDField()
    cms = Base64Field(help_text="base64 of the DER CMS SignedData (detached) over the digest")
