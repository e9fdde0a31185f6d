"""Handling an incoming copy at the recipient agency: every write of the copy's life there.

Each service runs in one durable transaction inside the actor's agency scope and answers, in
this order: NotFound (not a copy of the actor's agency), InvalidState (the status does not allow
the step, checked on the row locked FOR UPDATE so two clerks or two leaders acting at once
queue and the second sees the first's result), NotPermitted (the actor's role or part does not
allow it), ValidationError naming the field. A step that changes the status is reported to the
sender through ``status.status_report`` in the same transaction; every step writes its audit
event; the people concerned get notifications recorded in the transaction (sent on commit).

Status flow at the recipient: 01 → accept 03 | reject 02; 03 → assign 04 → progress 05 →
complete 06 (04 → 06 too); 13 (recall requested by the sender) → 15 accepted, or refused:
the copy returns to the status it had before the request while the sender sees 16.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils import timezone

from docflow.audit.models import AuditEvent
from docflow.audit.services import event_record
from docflow.core.errors import InvalidState, NotFound, NotPermitted
from docflow.core.services import service
from docflow.documents.models import OutgoingDocument, OutgoingState, RegisterDirection
from docflow.documents.numbering import number_take, register_for
from docflow.notifications.services import Notice, notifications_create, notifications_done
from docflow.routing.deadlines import handling_due_date_default
from docflow.routing.models import (
    HANDLING_STATUSES,
    Assignment,
    AssignmentRole,
    HandlingNote,
    IncomingDocument,
    Status,
)
from docflow.routing.issue_notifications import KIND_DELIVERED, KIND_RECALL
from docflow.routing.reminders import KIND_DUE_TOMORROW, KIND_OVERDUE
from docflow.routing.selectors import handling_settings
from docflow.routing.stamping import stamp_work_record
from docflow.routing.status import INCOMING_OBJECT, delivery_due_date_report, status_report
from docflow.tenancy.models import Membership, Role, User

ASSIGNED_KIND = "incoming_assigned"
REGISTRATION_FIELDS = ("register", "incoming_year", "incoming_number", "received_at", "received_by")
TO_ASSIGN_KIND = "incoming_to_assign"
# What the lead handler is asked to do, done when handling completes (or the copy is recalled).
HANDLING_KINDS = (ASSIGNED_KIND, KIND_DUE_TOMORROW, KIND_OVERDUE, "incoming_opinion")
ROLE_TITLES = {
    AssignmentRole.LEAD: "Chủ trì xử lý",
    AssignmentRole.COORDINATOR: "Phối hợp xử lý",
    AssignmentRole.INFORMED: "Để biết",
}


@service(scope="membership")
def incoming_accept(*, membership: Membership, incoming_id: UUID) -> IncomingDocument:
    """01 → 03: registered in the agency's incoming register (the secret one for secret
    documents) with the next number of the year, gap-free; received now by the clerk."""
    incoming = _locked(membership, incoming_id, allowed=(Status.DELIVERED,))
    _require_role(membership, Role.CLERK, "Chỉ văn thư được tiếp nhận văn bản đến.")
    incoming_number_take(incoming=incoming, membership=membership, received_at=timezone.now())
    before = _set_status(incoming, Status.ACCEPTED)
    _save(incoming, *REGISTRATION_FIELDS)
    event = status_report(
        incoming=incoming, action="incoming.accept", state_before=before,
        actor_id=membership.user_id,
        data={"incoming_number": incoming.incoming_number, "register": incoming.register.name},
    )
    incoming_registered_notify(incoming=incoming, event=event)
    return incoming


def incoming_number_take(
    *, incoming: IncomingDocument, membership: Membership, received_at
) -> None:
    """Inside a handling transaction: the copy takes the next number of this year in the right
    incoming register (the secret one above normal secrecy), received by the clerk."""
    register = register_for(
        agency=membership.agency, direction=RegisterDirection.INCOMING,
        doc_type=incoming.doc_type, secrecy=incoming.secrecy,
    )
    year = timezone.localdate().year
    incoming.register = register
    incoming.incoming_year = year
    incoming.incoming_number = number_take(register=register, year=year)
    incoming.received_at = received_at
    incoming.received_by = membership.user


def incoming_registered_notify(*, incoming: IncomingDocument, event) -> None:
    """After registration: the leaders are asked to assign it, its PDFs get the ĐẾN stamp."""
    leaders = Membership.objects.filter(is_active=True, is_leader=True).values_list("user_id", flat=True)
    _done(incoming, KIND_DELIVERED)
    _notify(incoming, event, leaders, kind=TO_ASSIGN_KIND, title="Văn bản đến chờ phân công")
    stamp_work_record(incoming=incoming, reason="accept")


@service(scope="membership")
def incoming_reject(*, membership: Membership, incoming_id: UUID, reason: str) -> IncomingDocument:
    """01 → 02 with a reason, which the sender receives."""
    incoming = _locked(membership, incoming_id, allowed=(Status.DELIVERED,))
    _require_role(membership, Role.CLERK, "Chỉ văn thư được từ chối văn bản đến.")
    reason = _required_text(reason, "reason", "Nhập lý do từ chối.")
    incoming.rejected_reason = reason
    before = _set_status(incoming, Status.REJECTED)
    _save(incoming, "rejected_reason")
    status_report(
        incoming=incoming, action="incoming.reject", state_before=before,
        actor_id=membership.user_id, note=reason, data={"reason": reason},
    )
    _done(incoming, KIND_DELIVERED)
    return incoming


@service(scope="membership")
def incoming_assign(
    *,
    membership: Membership,
    incoming_id: UUID,
    lead: str,
    coordinators: Sequence[str] = (),
    informed: Sequence[str] = (),
    due_date: date | None = None,
    instruction: str = "",
) -> IncomingDocument:
    """03 → 04 (or a new assignment of a copy at 04/05, status unchanged): one lead, any
    co-ordinators and people informed, all active members of the agency, each in one part.
    The previous assignments stay in history, inactive. ``due_date`` defaults per urgency
    from the agency's settings (never after the sender's own due date) and is not in the past."""
    incoming = _locked(
        membership, incoming_id, allowed=(Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS)
    )
    _require_role(membership, Role.LEADER, "Chỉ lãnh đạo được phân công xử lý.")
    parts = {"lead": [lead], "coordinators": list(coordinators), "informed": list(informed)}
    users = _members_by_username(parts, allow_repeat=False)
    today = timezone.localdate()
    if due_date is None:
        due_date = handling_due_date_default(
            settings=handling_settings(agency_id=membership.agency_id), urgency=incoming.urgency,
            sender_due_date=incoming.sender_due_date, today=today,
        )
    elif due_date < today:
        raise ValidationError({"due_date": ["Hạn xử lý không được ở trong quá khứ."]})
    Assignment.objects.filter(incoming=incoming, is_active=True).update(is_active=False)
    roles = {"lead": AssignmentRole.LEAD, "coordinators": AssignmentRole.COORDINATOR,
             "informed": AssignmentRole.INFORMED}
    made = Assignment.objects.bulk_create([
        Assignment(
            agency_id=incoming.agency_id, incoming=incoming, user=users[name], role=roles[part],
            assigned_by=membership.user, instruction=instruction, due_date=due_date,
        )
        for part, names in parts.items() for name in names
    ])
    incoming.lead = users[lead]
    incoming.due_date = due_date
    before = _set_status(incoming, Status.ASSIGNED, unless=HANDLING_STATUSES)
    _save(incoming, "lead", "due_date")
    event = _step(
        incoming, membership, before, action="incoming.assign",
        data={
            "lead": lead, "coordinators": parts["coordinators"], "informed": parts["informed"],
            "due_date": due_date.isoformat(), "instruction": instruction,
        },
    )
    _done(incoming, TO_ASSIGN_KIND)
    if before == incoming.status_code:  # reassigned at 04/05: the sender still sees the new due date
        delivery_due_date_report(incoming=incoming)
    for assignment in made:
        _notify(
            incoming, event, [assignment.user_id], kind=ASSIGNED_KIND,
            title=ROLE_TITLES[assignment.role], email=assignment.role != AssignmentRole.INFORMED,
        )
    stamp_work_record(incoming=incoming, reason=str(event.id))  # "Chuyển:" names the lead
    return incoming


@service(scope="membership")
def incoming_forward(
    *, membership: Membership, incoming_id: UUID, to: str, note: str = ""
) -> IncomingDocument:
    """The lead hands the lead to another active member (04/05, status unchanged); the
    previous lead assignment stays in history, inactive."""
    incoming = _locked(membership, incoming_id, allowed=HANDLING_STATUSES)
    _require_lead(membership, incoming)
    new_lead = _members_by_username({"to": [to]})[to]
    if new_lead.pk == incoming.lead_id:
        raise ValidationError({"to": ["Người nhận đang chủ trì xử lý văn bản này."]})
    active = Assignment.objects.filter(incoming=incoming, is_active=True)
    previous = active.filter(role=AssignmentRole.LEAD).first()
    active.filter(role=AssignmentRole.LEAD).update(is_active=False)
    active.filter(user=new_lead).update(is_active=False)  # one part per person
    Assignment.objects.create(
        agency_id=incoming.agency_id, incoming=incoming, user=new_lead,
        role=AssignmentRole.LEAD, assigned_by=membership.user,
        instruction=note or (previous.instruction if previous else ""), due_date=incoming.due_date,
    )
    text = note.strip() or f"Chuyển xử lý cho {new_lead.get_full_name()}."
    _note(incoming, membership, HandlingNote.Kind.FORWARD, text)
    incoming.lead = new_lead
    _save(incoming, "lead")
    event = _step(incoming, membership, incoming.status_code, action="incoming.forward",
                  data={"to": to, "note": text})
    _done(incoming, *HANDLING_KINDS, recipient_ids=[previous.user_id] if previous else [])
    _notify(incoming, event, [new_lead.pk], kind=ASSIGNED_KIND, title="Được chuyển xử lý")
    return incoming


@service(scope="membership")
def incoming_progress(*, membership: Membership, incoming_id: UUID, note: str) -> IncomingDocument:
    """The lead reports progress: 04 → 05, or another note at 05."""
    incoming = _locked(membership, incoming_id, allowed=HANDLING_STATUSES)
    _require_lead(membership, incoming)
    text = _required_text(note, "note", "Nhập nội dung báo cáo tiến độ.")
    _note(incoming, membership, HandlingNote.Kind.PROGRESS, text)
    before = _set_status(incoming, Status.IN_PROGRESS)
    _save(incoming)
    _step(incoming, membership, before, action="incoming.progress", data={"note": text})
    return incoming


@service(scope="membership")
def incoming_opinion(*, membership: Membership, incoming_id: UUID, note: str) -> HandlingNote:
    """A co-ordinator adds an opinion (04/05); the lead is told."""
    incoming = _locked(membership, incoming_id, allowed=HANDLING_STATUSES)
    if not Assignment.objects.filter(
        incoming=incoming, user_id=membership.user_id, role=AssignmentRole.COORDINATOR,
        is_active=True,
    ).exists():
        raise NotPermitted("Chỉ người phối hợp được cho ý kiến.")
    text = _required_text(note, "note", "Nhập ý kiến phối hợp.")
    opinion = _note(incoming, membership, HandlingNote.Kind.OPINION, text)
    event = _step(incoming, membership, incoming.status_code, action="incoming.opinion",
                  data={"note": text})
    _notify(incoming, event, [incoming.lead_id], kind="incoming_opinion", title="Ý kiến phối hợp")
    return opinion


@service(scope="membership")
def incoming_complete(
    *, membership: Membership, incoming_id: UUID, note: str, reply_outgoing_id: UUID | None = None
) -> IncomingDocument:
    """The lead closes handling (04/05 → 06) with a note and, optionally, the issued outgoing
    document of this agency that answers it; the sender sees 06 (and the reply's notation)."""
    incoming = _locked(membership, incoming_id, allowed=HANDLING_STATUSES)
    _require_lead(membership, incoming)
    text = _required_text(note, "note", "Nhập kết quả xử lý.")
    reply = None
    if reply_outgoing_id is not None:
        reply = OutgoingDocument.objects.filter(
            id=reply_outgoing_id, state=OutgoingState.ISSUED
        ).first()
        if reply is None:
            raise ValidationError(
                {"reply_outgoing_id": ["Văn bản trả lời phải là văn bản đi đã phát hành của cơ quan."]}
            )
    _note(incoming, membership, HandlingNote.Kind.COMPLETE, text)
    incoming.completed_at = timezone.now()
    incoming.completion_note = text
    incoming.reply_outgoing = reply
    before = _set_status(incoming, Status.COMPLETED)
    _save(incoming, "completed_at", "completion_note", "reply_outgoing")
    data: dict[str, Any] = {"note": text}
    sender_note = ""
    if reply is not None:
        data.update(reply_outgoing_id=str(reply.id), reply_notation=reply.notation)
        sender_note = f"Đã trả lời bằng văn bản số {reply.notation}."
    event = _step(incoming, membership, before, action="incoming.complete", data=data,
                  note=sender_note)
    assigner = (
        AuditEvent.objects.filter(
            object_type=INCOMING_OBJECT, object_id=incoming.id, action="incoming.assign"
        ).order_by("-created_at", "-id").values_list("actor_id", flat=True).first()
    )
    _done(incoming, *HANDLING_KINDS)
    _notify(incoming, event, [assigner], kind="incoming_completed", title="Đã hoàn thành xử lý",
            skip=membership.user_id)
    return incoming


@service(scope="membership")
def incoming_recall_decide(
    *, membership: Membership, incoming_id: UUID, accept: bool, reason: str = ""
) -> IncomingDocument:
    """The clerk answers the sender's recall request (13).

    Accepted: 15 at both ends; the copy leaves the work lists and stays in the history.
    Refused: the sender sees 16, while the copy goes back to the status it had before the
    request (``status_before_recall``) so its handling continues; later steps are reported
    as usual and replace 16 at the sender, the history keeping both.
    """
    incoming = _locked(membership, incoming_id, allowed=(Status.RECALL_REQUESTED,))
    _require_role(membership, Role.CLERK, "Chỉ văn thư được trả lời yêu cầu thu hồi.")
    reason = reason.strip()
    if accept:
        before = _set_status(incoming, Status.RECALL_ACCEPTED)
        reported, action = Status.RECALL_ACCEPTED, "incoming.recall_accept"
    else:
        before = _set_status(incoming, incoming.status_before_recall or Status.DELIVERED)
        reported, action = Status.RECALL_REFUSED, "incoming.recall_refuse"
    incoming.status_before_recall = ""
    _save(incoming, "status_before_recall")
    status_report(
        incoming=incoming, action=action, state_before=before, actor_id=membership.user_id,
        reported_status=reported, note=reason, data={"reason": reason} if reason else {},
    )
    # Withdrawn: nothing is left to do with the copy; refused: only the request is answered.
    _done(incoming, KIND_RECALL, *((KIND_DELIVERED, TO_ASSIGN_KIND, *HANDLING_KINDS) if accept else ()))
    return incoming


def _locked(membership: Membership, incoming_id: UUID, *, allowed: Sequence[str]) -> IncomingDocument:
    incoming = IncomingDocument.objects.select_for_update().filter(id=incoming_id).first()
    if incoming is None:
        raise NotFound("Không tìm thấy văn bản đến.")
    incoming.agency = membership.agency  # the same row, already loaded
    if incoming.status_code not in allowed:
        raise InvalidState(
            f"Văn bản đang ở trạng thái “{Status(incoming.status_code).label}”.",
            state=incoming.status,
        )
    return incoming


def _require_role(membership: Membership, role: str, message: str) -> None:
    if not membership.has_role(role):
        raise NotPermitted(message)


def _require_lead(membership: Membership, incoming: IncomingDocument) -> None:
    if incoming.lead_id != membership.user_id:
        raise NotPermitted("Chỉ người chủ trì được thực hiện việc này.")


def _required_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    return value


def _members_by_username(parts: dict[str, list[str]], *, allow_repeat: bool = True) -> dict[str, User]:
    """Active members of the scoped agency named in ``parts`` (field → usernames), by username;
    400 naming the field of an unknown name, or of a name given in two parts."""
    names = [name for names in parts.values() for name in names]
    found = {
        m.user.username: m.user
        for m in Membership.objects.filter(
            is_active=True, user__is_active=True, user__username__in=names
        ).select_related("user")
    }
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for field, field_names in parts.items():
        for name in field_names:
            if name not in found:
                errors.setdefault(field, []).append(f"“{name}” không phải thành viên của cơ quan.")
            elif name in seen and not allow_repeat:
                errors.setdefault(field, []).append(f"“{name}” đã được phân công ở vai trò khác.")
            seen.add(name)
    if errors:
        raise ValidationError(errors)
    return found


def _set_status(incoming: IncomingDocument, status: str, *, unless: Sequence[str] = ()) -> str:
    """Move to ``status`` (kept when already in one of ``unless``); returns the status before."""
    before = incoming.status_code
    if before not in unless:
        incoming.status_code = status
    return before


def _save(incoming: IncomingDocument, *fields: str) -> None:
    """Validate the changed fields and save them with the status."""
    changed = {"status_code", *fields}
    # A related row the service set from a row it read (the register, the clerk) exists: not
    # looked up again by validation.
    others = [f.name for f in incoming._meta.concrete_fields
              if f.name not in changed or (f.is_relation and f.is_cached(incoming)
                                           and f.get_cached_value(incoming) is not None)]
    incoming.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    incoming.save(update_fields=[*changed, "updated_at"])


def _step(incoming: IncomingDocument, membership: Membership, before: str, *, action: str,
          data: dict[str, Any], note: str = ""):
    """The step's audit event; reported to the sender too when the status changed."""
    if before != incoming.status_code:
        return status_report(incoming=incoming, action=action, state_before=before,
                             actor_id=membership.user_id, note=note, data=data)
    return event_record(
        agency_id=incoming.agency_id, action=action, object_type=INCOMING_OBJECT,
        object_id=incoming.id, actor_id=membership.user_id, state_before=before,
        state_after=incoming.status_code, data=data,
    )


def _note(incoming: IncomingDocument, membership: Membership, kind: str, text: str) -> HandlingNote:
    note = HandlingNote(agency_id=incoming.agency_id, incoming=incoming,
                        author=membership.user, kind=kind, text=text)
    note.full_clean(exclude=["agency", "incoming", "author"])  # set here, not input
    note.save()
    return note


def _notify(incoming: IncomingDocument, event, user_ids, *, kind: str, title: str,
            email: bool = False, skip: int | None = None) -> None:
    """One notification per person for this event (deduplicated by event and person), all
    made in one batch whatever their number."""
    notifications_create(notices=[
        Notice(
            agency_id=incoming.agency_id, user_id=user_id, kind=kind,
            title=f"{title}: {incoming.notation} {incoming.subject}"[:300],
            body=f"{incoming.sender_name}", object_type=INCOMING_OBJECT, object_id=incoming.id,
            dedup_key=f"{kind}:{event.id}:{user_id}", email=email,
        )
        for user_id in dict.fromkeys(u for u in user_ids if u is not None and u != skip)
    ])


def _done(incoming: IncomingDocument, *kinds: str, recipient_ids=None) -> None:
    """The work those notifications about the copy asked for is done, whoever did it."""
    notifications_done(agency_id=incoming.agency_id, object_type=INCOMING_OBJECT,
                       object_id=incoming.id, kinds=kinds, recipient_ids=recipient_ids)
