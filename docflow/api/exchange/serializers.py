"""What the exchange API answers: outbound documents, status messages, the webhook log."""

from __future__ import annotations

from rest_framework import serializers

from docflow.documents.types import DocType, Urgency
from docflow.api.exchange.envelope import ExchangeSignerSerializer
from docflow.exchange.models import WebhookDelivery
from docflow.exchange.statuses import REPORTABLE
from docflow.routing.models import Status


class ExchangeOutboundAttachmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    sha256 = serializers.CharField()
    url = serializers.URLField()


class ExchangeOutboundDocumentSerializer(serializers.Serializer):
    """The envelope of a document one of our agencies issued to the caller's agency."""

    id = serializers.UUIDField()
    sender_code = serializers.CharField()
    sender_name = serializers.CharField()
    recipients = serializers.ListField(child=serializers.CharField())
    number = serializers.IntegerField(allow_null=True)
    notation = serializers.CharField(allow_blank=True)
    issued_at = serializers.DateField(allow_null=True)
    place = serializers.CharField(allow_blank=True)
    doc_type = serializers.ChoiceField(choices=DocType.choices)
    subject = serializers.CharField()
    content = serializers.CharField(allow_blank=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    signer = ExchangeSignerSerializer()
    due_date = serializers.DateField(allow_null=True)
    status_code = serializers.ChoiceField(choices=Status.choices)
    delivered_at = serializers.DateTimeField()
    attachments = ExchangeOutboundAttachmentSerializer(many=True)
    pdf_url = serializers.URLField()
    edxml_url = serializers.URLField()
    document_id = serializers.CharField(help_text="mã định danh trên trục: OrganId,yyyy/MM/dd,số/ký hiệu")


class ExchangeStatusMessageSerializer(serializers.Serializer):
    """A status one of our agencies reached on a document the caller's agency sent it."""

    id = serializers.UUIDField()
    document_id = serializers.UUIDField(allow_null=True)
    recipient_code = serializers.CharField()
    recipient_name = serializers.CharField()
    notation = serializers.CharField(allow_blank=True)
    status_code = serializers.ChoiceField(choices=Status.choices)
    status = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    staff = serializers.CharField(allow_blank=True)
    timestamp = serializers.DateTimeField()


class ExchangeStatusInSerializer(serializers.Serializer):
    """A status the caller's agency reached on a document one of our agencies sent it."""

    document_id = serializers.UUIDField()
    status_code = serializers.ChoiceField(choices=Status.choices, help_text="02, 03, 04, 05, 06, 15, 16")
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    staff = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    timestamp = serializers.DateTimeField()

    def validate_status_code(self, value: str) -> str:
        if value not in REPORTABLE:
            raise serializers.ValidationError("01 và 13 là trạng thái của nơi gửi, không phải nơi nhận.")
        return value


class ExchangeStatusAppliedSerializer(serializers.Serializer):
    document_id = serializers.UUIDField()
    recipient_code = serializers.CharField()
    status_code = serializers.ChoiceField(choices=Status.choices)
    status = serializers.CharField()
    updated_at = serializers.DateTimeField()


class ExchangeWebhookDeliverySerializer(serializers.ModelSerializer):
    agency_code = serializers.CharField(source="client.external_agency.code")
    key_prefix = serializers.CharField(source="client.key_prefix")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "agency_code", "key_prefix", "event", "message_id", "object_id", "url",
            "attempt", "response_status", "ok", "error", "duration_ms", "created_at",
        ]


def feed_of(name: str, item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of a pulled page: the items and the cursor to start the next poll from."""
    return type(name, (serializers.Serializer,), {
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "since": serializers.CharField(allow_null=True),
        "results": item(many=True),
    })


ExchangeDocumentFeedSerializer = feed_of("ExchangeDocumentFeedSerializer", ExchangeOutboundDocumentSerializer)
ExchangeStatusFeedSerializer = feed_of("ExchangeStatusFeedSerializer", ExchangeStatusMessageSerializer)
