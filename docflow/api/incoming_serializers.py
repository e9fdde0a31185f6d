"""What /api/v1/incoming/ reads and answers: the work-list query, a list row (written
directly by ``row_json``), the copy as GET shows it, and the bodies of the handling steps."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from docflow.api.base import QueryParamsSerializer, moment_json
from docflow.api.signatures import SignatureSerializer
from docflow.documents.types import Urgency
from docflow.routing.models import (
    STATUS_SLUGS,
    AgencyHandlingSettings,
    IncomingDocument,
    Status,
    is_overdue,
)
from docflow.routing.selectors import WORK_LISTS

STATUS_BY_NAME = {**{s.value: s.value for s in Status}, **{v: k.value for k, v in STATUS_SLUGS.items()}}


class CommaListField(serializers.CharField):
    """``a,b`` → ``["a", "b"]``, each one of ``choices`` (mapped through it)."""

    def __init__(self, *, choices: dict[str, str], **kwargs) -> None:
        self.choices = choices
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> list[str]:
        values = [v.strip() for v in super().to_internal_value(data).split(",") if v.strip()]
        unknown = [v for v in values if v not in self.choices]
        if unknown:
            raise serializers.ValidationError(f"Giá trị không hợp lệ: {', '.join(unknown)}.")
        return [self.choices[v] for v in values]


class IncomingListQuerySerializer(QueryParamsSerializer):
    list = serializers.ChoiceField(
        choices=WORK_LISTS, required=False, source="work_list",
        help_text="to_accept (01, 13), to_approve (03), to_handle, informed, overdue, due_soon, "
        "all (recalled copies included); none: all but recalled copies",
    )
    mine = serializers.BooleanField(
        required=False, help_text="only the copies the caller leads or co-ordinates"
    )
    status = CommaListField(
        choices=STATUS_BY_NAME, required=False, help_text="codes or names, comma-separated: 04,05"
    )
    urgency = CommaListField(
        choices={u.value: u.value for u in Urgency}, required=False, help_text="comma-separated"
    )
    sender = serializers.CharField(required=False, help_text="the sender's agency code")
    q = serializers.CharField(
        required=False, help_text="words of the notation, subject, sender, signer or content; accents ignored"
    )
    received_from = serializers.DateField(required=False, help_text="arrived on or after this day")
    received_to = serializers.DateField(required=False, help_text="arrived on or before this day")
    due_before = serializers.DateField(required=False, help_text="due on or before this day")


class UserBriefSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")


def row_json(row, lead: tuple | None, *, tz, today) -> dict:
    """A work-list row as the schema below says, written directly: a page of 50 through DRF's
    per-field machinery costs more than its query. ``row`` is a copy or a ``ROW_VALUES`` row;
    ``lead`` is (username, full_name, first_name, last_name); dates as DRF writes them."""

    def when(value):
        return moment_json(value, tz)

    status, due = row.status_code, row.due_date
    return {
        "id": str(row.id), "status_code": status, "status": STATUS_SLUGS[status],
        "sender_code": row.sender_code, "sender_name": row.sender_name, "number": row.number,
        "notation": row.notation, "issued_on": row.issued_on and row.issued_on.isoformat(),
        "doc_type": row.doc_type, "subject": row.subject, "urgency": row.urgency,
        "secrecy": row.secrecy, "delivered_at": when(row.delivered_at),
        "incoming_year": row.incoming_year, "incoming_number": row.incoming_number,
        "received_at": when(row.received_at), "due_date": due and due.isoformat(),
        "is_overdue": is_overdue(status_code=status, due_date=due, today=today),
        "completed_at": when(row.completed_at),
        "lead": {
            "username": lead[0], "full_name": lead[1] or f"{lead[2]} {lead[3]}".strip() or lead[0]
        } if lead else None,
    }


class IncomingRowSerializer(serializers.Serializer):
    """One row of a work list. The fields are declared for the schema; the rows are written
    directly, because a page of 50 through DRF's per-field machinery costs more than its query."""

    id = serializers.UUIDField()
    status_code = serializers.ChoiceField(choices=Status.choices)
    status = serializers.CharField()
    sender_code = serializers.CharField()
    sender_name = serializers.CharField()
    number = serializers.IntegerField(allow_null=True)
    notation = serializers.CharField()
    issued_on = serializers.DateField(allow_null=True)
    doc_type = serializers.CharField()
    subject = serializers.CharField()
    urgency = serializers.CharField()
    secrecy = serializers.CharField()
    delivered_at = serializers.DateTimeField()
    incoming_year = serializers.IntegerField(allow_null=True)
    incoming_number = serializers.IntegerField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    is_overdue = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)
    lead = UserBriefSerializer(allow_null=True)

    def to_representation(self, row) -> dict:
        lead = (row.lead__username, row.lead__full_name, row.lead__first_name,
                row.lead__last_name) if row.lead__username else None
        return row_json(row, lead, tz=self.context["tz"], today=self.context["today"])


class AttachmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    content_type = serializers.CharField()
    sha256 = serializers.CharField(source="file_id")
    stamped_sha256 = serializers.CharField()
    is_main = serializers.BooleanField(help_text="the issued document itself (văn bản chính)")
    signatures = serializers.SerializerMethodField(
        help_text="the file's signatures once verified (null before: not yet checked)")

    @extend_schema_field(SignatureSerializer(many=True, allow_null=True))
    def get_signatures(self, obj):
        verification = getattr(obj.file, "verification", None)
        return None if verification is None else verification.signatures


class AssignmentSerializer(serializers.Serializer):
    user = UserBriefSerializer()
    role = serializers.CharField()
    instruction = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    is_active = serializers.BooleanField()
    assigned_by = UserBriefSerializer()
    created_at = serializers.DateTimeField()


class NoteSerializer(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField()
    author = UserBriefSerializer()
    created_at = serializers.DateTimeField()


class HistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    action = serializers.CharField()
    actor = serializers.SerializerMethodField()
    status_before = serializers.CharField(source="state_before")
    status_after = serializers.CharField(source="state_after")
    data = serializers.DictField()

    def get_actor(self, event) -> str:
        return event.actor.get_full_name() if event.actor_id else event.actor_label


class SignerSerializer(serializers.Serializer):
    full_name = serializers.CharField(source="signer_name")
    position = serializers.CharField(source="signer_position")


class ReplySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    notation = serializers.CharField()


class IncomingDetailSerializer(IncomingRowSerializer):
    content = serializers.CharField()
    place = serializers.CharField()
    signer = SignerSerializer(source="*")
    sender_due_date = serializers.DateField(allow_null=True)
    replaces_notation = serializers.CharField()
    response_for_notation = serializers.CharField(help_text="the notation of our document this one answers")
    response_for_document_id = serializers.UUIDField(
        allow_null=True, help_text="our outgoing document this one answers (ResponseFor)")
    register = serializers.CharField(source="register.name", default=None, allow_null=True)
    received_by = UserBriefSerializer(allow_null=True)
    rejected_reason = serializers.CharField()
    completion_note = serializers.CharField()
    reply_outgoing = ReplySerializer(allow_null=True)
    recall_reason = serializers.CharField()
    attachments = AttachmentSerializer(many=True)
    assignments = AssignmentSerializer(many=True)
    notes = NoteSerializer(many=True)
    history = HistorySerializer(many=True)

    def to_representation(self, obj: IncomingDocument) -> dict:
        """Written directly, in the order of the fields above and as DRF writes each: the
        nested lists through DRF's machinery cost more than the copy's queries."""
        tz = timezone.get_current_timezone()
        lead = obj.lead and (obj.lead.username, obj.lead.full_name, obj.lead.first_name,
                             obj.lead.last_name)
        data = row_json(obj, lead, tz=tz, today=timezone.localdate())

        def when(value):
            return moment_json(value, tz)

        def day(value):
            return None if value is None else value.isoformat()

        register, reply = obj.register, obj.reply_outgoing
        data.update({
            "content": obj.content, "place": obj.place,
            "signer": {"full_name": obj.signer_name, "position": obj.signer_position},
            "sender_due_date": day(obj.sender_due_date), "replaces_notation": obj.replaces_notation,
            "response_for_notation": obj.response_for_notation,
            "response_for_document_id": _text(obj.response_for_document_id),
            "register": None if register is None else register.name,
            "received_by": _user_brief(obj.received_by), "rejected_reason": obj.rejected_reason,
            "completion_note": obj.completion_note,
            "reply_outgoing": None if reply is None else {"id": str(reply.id), "notation": reply.notation},
            "recall_reason": obj.recall_reason,
            "attachments": [{
                "id": str(a.id), "name": a.name, "size": a.size, "content_type": a.content_type,
                "sha256": a.file_id, "stamped_sha256": a.stamped_sha256, "is_main": bool(a.is_main),
                "signatures": AttachmentSerializer.get_signatures(None, a),
            } for a in obj.attachments.all()],
            "assignments": [{
                "user": _user_brief(a.user), "role": a.role, "instruction": a.instruction,
                "due_date": day(a.due_date), "is_active": bool(a.is_active),
                "assigned_by": _user_brief(a.assigned_by), "created_at": when(a.created_at),
            } for a in obj.assignments.all()],
            "notes": [{
                "kind": n.kind, "text": n.text, "author": _user_brief(n.author),
                "created_at": when(n.created_at),
            } for n in obj.notes.all()],
            "history": [{
                "at": when(e.created_at), "action": e.action,
                "actor": HistorySerializer.get_actor(None, e),
                "status_before": e.state_before, "status_after": e.state_after,
                "data": None if e.data is None else {str(k): v for k, v in e.data.items()},
            } for e in obj.history],
        })
        return data


def _text(value) -> str | None:
    return None if value is None else str(value)


def _user_brief(user) -> dict | None:
    """A person as ``UserBriefSerializer`` writes one."""
    return None if user is None else {"username": user.username, "full_name": user.get_full_name()}


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField()


class AssignSerializer(serializers.Serializer):
    lead = serializers.CharField(help_text="username of the lead handler (chủ trì)")
    coordinators = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    informed = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    instruction = serializers.CharField(required=False, allow_blank=True, default="")


class ForwardSerializer(serializers.Serializer):
    to = serializers.CharField(help_text="username of the new lead handler")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField()


class CompleteSerializer(serializers.Serializer):
    note = serializers.CharField()
    reply_outgoing_id = serializers.UUIDField(required=False, allow_null=True, default=None)


class RecallDecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class HandlingSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgencyHandlingSettings
        fields = ["normal_days", "urgent_days", "very_urgent_days", "flash_days", "due_soon_days"]
