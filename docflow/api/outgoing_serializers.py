"""What /api/v1/outgoing/ reads and answers: a draft's fields, the document as GET shows it
(with its attachments, approval chain and verified signatures), deliveries, step bodies."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from docflow.api.base import QueryParamsSerializer, moment_json
from docflow.api.signatures import SignatureSerializer
from docflow.documents.models import OutgoingDocument, OutgoingState, SignerAuthority
from docflow.documents.selectors import ANSWER_ATTACHMENTS
from docflow.documents.signing.verification import signatures_by_file
from docflow.documents.types import DocType, Secrecy, Urgency, document_type


class OutgoingDraftSerializer(serializers.Serializer):
    """The fields a drafter writes (create; PATCH takes any of them)."""

    doc_type = serializers.ChoiceField(choices=DocType.choices)
    subject = serializers.CharField(max_length=500, help_text="trích yếu")
    body = serializers.CharField(required=False, allow_blank=True, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    secrecy = serializers.ChoiceField(choices=Secrecy.choices, default=Secrecy.NORMAL)
    unit = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="the drafting unit's symbol"
    )
    signer = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="username of a leader"
    )
    signer_authority = serializers.ChoiceField(
        choices=SignerAuthority.choices, required=False, allow_blank=True, default=""
    )
    signer_position = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    recipients = serializers.ListField(
        child=serializers.CharField(max_length=13), required=False, default=list,
        help_text="codes of agencies in the system",
    )
    external_places = serializers.ListField(
        child=serializers.CharField(max_length=255), required=False, default=list,
        help_text="plain-text places (paper)",
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class OutgoingCreateSerializer(OutgoingDraftSerializer):
    replaces = serializers.UUIDField(
        required=False, allow_null=True, default=None,
        help_text="id of an issued document of this agency that this one corrects",
    )


class OutgoingAttachmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField(source="file_id")
    content_type = serializers.CharField()
    created_at = serializers.DateTimeField()


class OutgoingApprovalStepSerializer(serializers.Serializer):
    label = serializers.CharField()
    role = serializers.CharField()


class OutgoingSerializer(serializers.ModelSerializer):
    doc_type_name = serializers.SerializerMethodField()
    unit = serializers.CharField(source="unit.symbol", default=None, allow_null=True)
    drafter = serializers.CharField(source="drafter.username")
    signer = serializers.CharField(source="signer.username", default=None, allow_null=True)
    signed_by = serializers.CharField(source="signed_by.username", default=None, allow_null=True)
    recipients = serializers.ListField(source="recipient_codes", child=serializers.CharField())
    approval_chain = OutgoingApprovalStepSerializer(many=True)
    replaces = serializers.UUIDField(source="replaces_id", allow_null=True)
    replaces_notation = serializers.CharField(source="replaces.notation", default=None, allow_null=True)
    replaced_by = serializers.SerializerMethodField()
    pdf_ready = serializers.SerializerMethodField()
    attachments = OutgoingAttachmentSerializer(many=True)
    signatures = serializers.SerializerMethodField(
        help_text="the signatures of the signed PDF once verified (null before: not yet checked)")

    class Meta:
        model = OutgoingDocument
        fields = [
            "id", "state", "doc_type", "doc_type_name", "subject", "body", "urgency", "secrecy",
            "unit", "drafter", "signer", "signer_authority", "signer_position", "recipients",
            "external_places", "due_date", "approval_chain", "current_step", "return_comment",
            "signed_by", "signed_at", "number", "notation", "issued_at", "replaces",
            "replaces_notation", "replaced_by", "recall_requested_at", "recall_reason",
            "pdf_ready", "attachments", "signatures", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, obj) -> dict:
        """Written directly, in the order of ``Meta.fields`` and as DRF writes each field: a
        page of 50 documents through DRF's per-field machinery costs more than its queries."""
        tz = timezone.get_current_timezone()

        def when(value):
            return moment_json(value, tz)

        def username(user):
            return None if user is None else user.username

        unit, replaces = obj.unit, obj.replaces
        return {
            "id": str(obj.id), "state": obj.state, "doc_type": obj.doc_type,
            "doc_type_name": self.get_doc_type_name(obj), "subject": obj.subject, "body": obj.body,
            "urgency": obj.urgency, "secrecy": obj.secrecy,
            "unit": None if unit is None else unit.symbol, "drafter": obj.drafter.username,
            "signer": username(obj.signer), "signer_authority": obj.signer_authority,
            "signer_position": obj.signer_position,
            "recipients": [str(code) for code in obj.recipient_codes],
            "external_places": obj.external_places,
            "due_date": obj.due_date and obj.due_date.isoformat(),
            "approval_chain": [{"label": str(step["label"]), "role": str(step["role"])}
                               for step in obj.approval_chain],
            "current_step": obj.current_step, "return_comment": obj.return_comment,
            "signed_by": username(obj.signed_by), "signed_at": when(obj.signed_at),
            "number": obj.number, "notation": obj.notation, "issued_at": when(obj.issued_at),
            "replaces": None if obj.replaces_id is None else str(obj.replaces_id),
            "replaces_notation": None if replaces is None else replaces.notation,
            "replaced_by": self.get_replaced_by(obj),
            "recall_requested_at": when(obj.recall_requested_at), "recall_reason": obj.recall_reason,
            "pdf_ready": self.get_pdf_ready(obj),
            "attachments": [
                {"id": str(a.id), "name": a.name, "size": a.size, "sha256": a.file_id,
                 "content_type": a.content_type, "created_at": when(a.created_at)}
                for a in getattr(obj, ANSWER_ATTACHMENTS)  # as document_list_queryset read them
            ],
            "signatures": self.get_signatures(obj),
            "created_at": when(obj.created_at), "updated_at": when(obj.updated_at),
        }

    def get_doc_type_name(self, obj) -> str:
        return document_type(obj.doc_type).name

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_replaced_by(self, obj):
        replacement = getattr(obj, "replaced_by", None)
        return str(replacement.pk) if replacement else None

    def get_pdf_ready(self, obj) -> bool:
        return bool(obj.pdf_sha256)

    @extend_schema_field(SignatureSerializer(many=True, allow_null=True))
    def get_signatures(self, obj):
        sha = signed_pdf_of(obj)
        if not sha:
            return None
        known = self.context.get("signatures")
        if known is None:  # one document: its own query
            known = signatures_by_file([sha])
        return known.get(sha)


def signed_pdf_of(document) -> str:
    """The signed PDF the sender sees: the issued one, else the one the leader signed."""
    return document.pdf_sha256 or document.approved_pdf_sha256


class OutgoingDeliverySerializer(serializers.Serializer):
    agency_code = serializers.CharField(source="recipient_code")
    agency_name = serializers.CharField(source="recipient_name")
    status_code = serializers.CharField()
    status = serializers.CharField()
    updated_at = serializers.DateTimeField()


class OutgoingReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True)


class OutgoingRecallSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class OutgoingUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class OutgoingListQuerySerializer(QueryParamsSerializer):
    state = serializers.ChoiceField(choices=OutgoingState.choices, required=False)
    q = serializers.CharField(
        required=False, help_text="words of the notation, subject, body or signer; accents ignored"
    )
