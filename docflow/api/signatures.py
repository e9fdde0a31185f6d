"""How a verified signature looks in the API (outgoing documents, incoming attachments)."""

from __future__ import annotations

from rest_framework import serializers


class SignatureSerializer(serializers.Serializer):
    signer = serializers.CharField()
    kind = serializers.ChoiceField(choices=["personal", "agency"])
    signed_at = serializers.DateTimeField(allow_null=True)
    valid = serializers.BooleanField(help_text="intact, and no later change the signature forbids")
    trusted = serializers.BooleanField(
        allow_null=True, help_text="chains to a trust root, in validity, not revoked; null: could not check")
    detail = serializers.CharField()
