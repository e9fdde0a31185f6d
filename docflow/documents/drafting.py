"""Writing drafts: create (also as the replacement of an issued document) and edit.

Every field error is collected and raised together as one ``ValidationError`` keyed by field
name, so a client sees all of them at once and nothing is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from docflow.audit.services import event_record
from docflow.core.errors import InvalidState, NotFound, NotPermitted
from docflow.core.services import savepoint, service
from docflow.documents.models import (
    AUDIT_OBJECT,
    OutgoingDocument,
    OutgoingState,
    SignerAuthority,
)
from docflow.documents.selectors import document_get, document_locked
from docflow.documents.types import TYPES_BY_CODE, Secrecy, Urgency
from docflow.notifications.services import notifications_done
from docflow.tenancy.models import Agency, Membership, Unit
from docflow.tenancy.selectors import agencies_for_codes

DRAFTING_ROLES = ("staff", "clerk", "leader")
EDITABLE = (
    "doc_type", "subject", "body", "urgency", "secrecy", "unit", "signer", "signer_authority",
    "signer_position", "recipients", "external_places", "due_date",
)
MAX_EXTERNAL_PLACES = 100
MAX_RECIPIENTS = 5000


class _Fields:
    """Resolves API-level values (unit symbol, signer username, agency codes) into the draft."""

    def __init__(self, agency: Agency, document: OutgoingDocument) -> None:
        self.agency, self.document, self.errors = agency, document, {}

    def error(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def apply(self, values: Mapping[str, Any]) -> None:
        doc = self.document
        for name in ("subject", "body", "signer_position"):
            if name in values:
                setattr(doc, name, (values[name] or "").strip())
        if "doc_type" in values:
            doc.doc_type = values["doc_type"]
            if doc.doc_type not in TYPES_BY_CODE:
                self.error("doc_type", _("Loại văn bản không hợp lệ."))
        for name, choices in (("urgency", Urgency), ("secrecy", Secrecy), ("signer_authority", SignerAuthority)):
            if name in values:
                setattr(doc, name, values[name] if values[name] is not None else "")
                if getattr(doc, name) not in choices.values:
                    self.error(name, _("Giá trị không hợp lệ."))
        if "due_date" in values:
            doc.due_date = values["due_date"]
            if doc.due_date is not None and not isinstance(doc.due_date, datetime.date):
                self.error("due_date", _("Ngày không hợp lệ."))
        if "unit" in values:
            self._unit(values["unit"])
        if "signer" in values:
            self._signer(values["signer"], keep_position=bool(values.get("signer_position")))
        if "recipients" in values:
            self._recipients(values["recipients"] or [])
        if "external_places" in values:
            self._external_places(values["external_places"] or [])

    def _unit(self, symbol: str | None) -> None:
        if not symbol:
            self.document.unit = None
            return
        unit = Unit.objects.filter(symbol=symbol, is_active=True).first()
        if unit is None:
            self.error("unit", _("Không có phòng, ban có ký hiệu %(s)s trong cơ quan.") % {"s": symbol})
        self.document.unit = unit

    def _signer(self, username: str | None, *, keep_position: bool) -> None:
        if not username:
            self.document.signer = None
            return
        member = (
            Membership.objects.filter(user__username=username, is_active=True, is_leader=True)
            .select_related("user").first()
        )
        if member is None:
            self.error("signer", _("Người ký phải là lãnh đạo của cơ quan."))
            return
        self.document.signer = member.user
        if not keep_position:  # the position printed under the signature is the signer's own
            self.document.signer_position = member.position

    def _recipients(self, codes: list[str]) -> None:
        codes = list(dict.fromkeys(str(c).strip() for c in codes if str(c).strip()))
        if len(codes) > MAX_RECIPIENTS:
            self.error("recipients", _("Quá nhiều nơi nhận."))
            return
        known = set(agencies_for_codes(codes=codes))
        unknown = [c for c in codes if c not in known]
        if unknown:
            self.error("recipients", _("Không có cơ quan với mã: %(codes)s.") % {"codes": ", ".join(unknown)})
        if self.agency.code in codes:
            self.error("recipients", _("Không gửi văn bản cho chính cơ quan mình."))
        self.document.recipient_codes = codes

    def _external_places(self, places: list[str]) -> None:
        places = [str(p).strip() for p in places if str(p).strip()]
        if len(places) > MAX_EXTERNAL_PLACES or any(len(p) > 255 for p in places):
            self.error("external_places", _("Tối đa 100 nơi nhận, mỗi nơi không quá 255 ký tự."))
        self.document.external_places = places

    def check_whole(self) -> None:
        """Rules across fields, then the model's own validation."""
        doc = self.document
        kind = TYPES_BY_CODE.get(doc.doc_type)
        if kind is not None and kind.needs_unit and doc.unit is None and "unit" not in self.errors:
            self.error("unit", _("%(t)s cần đơn vị soạn thảo (ký hiệu ghi trong số, ký hiệu).") % {"t": kind.name})
        if doc.secrecy != Secrecy.NORMAL and doc.recipient_codes and "recipients" not in self.errors:
            self.error("recipients", _("Văn bản mật không được gửi điện tử; chỉ ghi nơi nhận bản giấy."))
        try:
            # Relations were resolved above; excluding them avoids a query per key.
            doc.full_clean(exclude=[
                "agency", "drafter", "unit", "signer", "replaces", "register", "signed_by",
                "issued_by", "recall_requested_by",
            ])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field not in self.errors:
                    self.errors[field] = list(messages)
        if self.errors:
            raise ValidationError(self.errors)


def _check_drafting_role(actor: Membership) -> None:
    if not actor.has_role(*DRAFTING_ROLES):
        raise NotPermitted(_("Chỉ chuyên viên, văn thư hoặc lãnh đạo được soạn văn bản."))


def _own_unit_symbol(actor: Membership) -> str | None:
    unit = actor.unit if actor.unit_id else None
    return unit.symbol if unit is not None and unit.is_active else None


def _replaced_document(replaces_id) -> OutgoingDocument:
    try:
        original = document_get(document_id=replaces_id)
    except NotFound:
        raise ValidationError({"replaces": [_("Không tìm thấy văn bản được thay thế.")]}) from None
    if original.state != OutgoingState.ISSUED:
        raise ValidationError({"replaces": [_("Chỉ thay thế được văn bản đã phát hành.")]})
    if OutgoingDocument.objects.filter(replaces=original).exists():
        raise ValidationError({"replaces": [_("Văn bản này đã có văn bản thay thế.")]})
    return original


@service
def document_create(
    *,
    actor: Membership,
    doc_type: str,
    subject: str,
    body: str = "",
    urgency: str = Urgency.NORMAL,
    secrecy: str = Secrecy.NORMAL,
    unit: str | None = None,
    signer: str | None = None,
    signer_authority: str = "",
    signer_position: str = "",
    recipients: list[str] | None = None,
    external_places: list[str] | None = None,
    due_date: datetime.date | None = None,
    replaces: UUID | str | None = None,
    reply_to_incoming_id: UUID | None = None,
) -> OutgoingDocument:
    """Create a draft of the actor's agency, drafted by the actor (staff, clerk or leader).

    ``unit`` is a unit symbol, ``signer`` a leader's username, ``recipients`` agency codes.
    Without ``unit`` the draft belongs to the drafter's own unit (when the drafter has one).
    With ``replaces``, the draft corrects an issued document of the same agency (one
    replacement per document). ``reply_to_incoming_id`` is set by routing's
    ``incoming_reply_draft``, which checks the copy. Either the draft and its audit event
    commit, or nothing does.
    """
    _check_drafting_role(actor)
    if not unit:
        unit = _own_unit_symbol(actor)
    document = OutgoingDocument(agency=actor.agency, drafter=actor.user, reply_to_incoming_id=reply_to_incoming_id)
    fields = _Fields(actor.agency, document)
    fields.apply({
        "doc_type": doc_type, "subject": subject, "body": body, "urgency": urgency,
        "secrecy": secrecy, "unit": unit, "signer": signer, "signer_authority": signer_authority,
        "signer_position": signer_position, "recipients": recipients or [],
        "external_places": external_places or [], "due_date": due_date,
    })
    if replaces:
        try:
            document.replaces = _replaced_document(replaces)
        except ValidationError as exc:
            fields.errors.update(exc.message_dict)
    fields.check_whole()
    document.save()
    event_record(
        agency_id=actor.agency_id, action="outgoing.created", object_type=AUDIT_OBJECT,
        object_id=document.pk, state_after=document.state,
        data={k: str(v) for k, v in (("replaces", document.replaces_id),
                                       ("reply_to_incoming", document.reply_to_incoming_id)) if v},
    )
    return document


@service
def document_update(*, actor: Membership, document_id: UUID | str, changes: Mapping[str, Any]) -> OutgoingDocument:
    """Edit a draft: only its drafter, only while it is a draft. ``changes`` holds any of
    ``EDITABLE`` with the same meaning as in ``document_create``."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    document = document_locked(document_id=document_id)
    if document.drafter_id != actor.user_id:
        raise NotPermitted(_("Chỉ người soạn thảo được sửa dự thảo."))
    if document.state != OutgoingState.DRAFT:
        raise InvalidState(_("Chỉ sửa được văn bản đang là dự thảo."), state=document.state)
    fields = _Fields(actor.agency, document)
    fields.apply(changes)
    fields.check_whole()
    document.save()
    event_record(
        agency_id=actor.agency_id, action="outgoing.updated", object_type=AUDIT_OBJECT,
        object_id=document.pk, state_before=document.state,
        state_after=document.state, data={"fields": sorted(changes)},
    )
    return document


@service
def document_delete(*, actor: Membership, document_id: UUID | str) -> None:
    """Delete a draft: only its drafter, only while it is a draft (never sent for approval
    since it was last returned). Its attachment rows go with it; the audit log keeps its
    history. 409 when another row still names it (a completed copy's reply)."""
    document = document_locked(document_id=document_id)
    if document.drafter_id != actor.user_id:
        raise NotPermitted(_("Chỉ người soạn thảo được xóa dự thảo."))
    if document.state != OutgoingState.DRAFT:
        raise InvalidState(_("Chỉ xóa được văn bản đang là dự thảo."), state=document.state)
    event_record(
        agency_id=actor.agency_id, action="outgoing.deleted", object_type=AUDIT_OBJECT,
        object_id=document.pk, state_before=document.state,
        data={"subject": document.subject[:200]},
    )
    try:
        with savepoint():
            document.attachments.all().delete()
            document.delete()
    except ProtectedError:
        raise InvalidState(_("Dự thảo đang được nêu là văn bản trả lời, không xóa được."), state=document.state) from None
    notifications_done(agency_id=actor.agency_id, object_type=AUDIT_OBJECT, object_id=document_id,
                       kinds=["outgoing.returned"])  # nothing left to redo
