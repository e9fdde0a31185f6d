"""The exchange envelope (API.md) over HTTP: its schema, checked by ``exchange.envelope``.

The fields below describe the envelope for the OpenAPI schema; what is accepted is decided by
``docflow.exchange.envelope.envelope_clean`` alone, the check the axis package reader runs too,
so a JSON envelope, one parsed from edXML and a package from the axis refuse the same things
with the same field names (mapped to MessageHeader elements for XML senders).
"""

from __future__ import annotations

from rest_framework import serializers

from docflow.documents.types import DocType, Secrecy, Urgency
from docflow.exchange.envelope import MAX_NUMBER, MAX_RECIPIENTS, EnvelopeInvalid, envelope_clean
from docflow.routing.models import Status
from docflow.tenancy.models import agency_code_validator


def AgencyCodeField(**kwargs) -> serializers.CharField:  # noqa: N802
    return serializers.CharField(max_length=13, validators=[agency_code_validator], **kwargs)


class ExchangeSignerSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150)
    position = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    competence = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class ExchangeReplyToSerializer(serializers.Serializer):
    sender_code = AgencyCodeField()
    notation = serializers.CharField(max_length=80)
    issued_at = serializers.DateField(required=False, allow_null=True, default=None)
    # Our document's id, or its axis identifier (OrganId,yyyy/MM/dd,number/notation).
    document_id = serializers.CharField(max_length=200, required=False, allow_null=True, default=None)


class ExchangeAttachmentInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    content_type = serializers.CharField(
        max_length=120, required=False, default="application/octet-stream"
    )
    content_base64 = serializers.CharField(trim_whitespace=True)


class ExchangeEnvelopeSerializer(serializers.Serializer):
    """What an external agency sends: API.md's exchange envelope."""

    sender_code = AgencyCodeField()
    recipients = serializers.ListField(
        child=AgencyCodeField(), min_length=1, max_length=MAX_RECIPIENTS
    )
    number = serializers.IntegerField(min_value=1, max_value=MAX_NUMBER, required=False, allow_null=True, default=None)
    notation = serializers.CharField(max_length=80)
    issued_at = serializers.DateField()
    place = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    doc_type = serializers.ChoiceField(choices=DocType.choices)
    subject = serializers.CharField(max_length=500)
    content = serializers.CharField(max_length=100_000, required=False, allow_blank=True, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.NORMAL)
    secrecy = serializers.ChoiceField(choices=Secrecy.choices, required=False, default=Secrecy.NORMAL)
    signer = ExchangeSignerSerializer()
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    reply_to = ExchangeReplyToSerializer(required=False, allow_null=True, default=None)
    attachments = ExchangeAttachmentInSerializer(many=True, required=False, default=list)

    def to_internal_value(self, data):
        try:
            return envelope_clean(data)
        except EnvelopeInvalid as invalid:
            raise serializers.ValidationError(invalid.errors) from None


class ExchangeRecipientCopySerializer(serializers.Serializer):
    agency_code = serializers.CharField()
    incoming_id = serializers.UUIDField()
    status_code = serializers.ChoiceField(choices=Status.choices)


class RenamedCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    now = serializers.CharField()


class ExchangeInboundResultSerializer(serializers.Serializer):
    """The answer to an accepted document: its id for status messages, and one copy per recipient."""

    id = serializers.UUIDField()
    notation = serializers.CharField()
    received_at = serializers.DateTimeField()
    recipients = ExchangeRecipientCopySerializer(many=True)
    document_id = serializers.CharField(help_text="mã định danh OrganId,yyyy/MM/dd,số/ký hiệu")
    duplicate = serializers.BooleanField(help_text="đã nhận văn bản này trước đó: đây là lần nhận đầu")
    recall_requested = serializers.BooleanField(help_text="gói thu hồi: các bản đã chuyển sang 13")
    # An old code addressed (an agency merged into another): the code that received it now.
    renamed = RenamedCodeSerializer(many=True, required=False)
