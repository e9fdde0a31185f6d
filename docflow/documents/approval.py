"""The approval chain (trình ký): submit, approve step by step, return; the last approver signs.

Each transition locks the document row, checks the actor's role (403) and the state (409),
changes the row, writes its audit event and notifies the people who act next, all in one
transaction. The chain is copied into the document at submit, so reconfiguring the agency's
steps never moves a document already under way.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from docflow.audit.services import event_record
from docflow.core.errors import InvalidState, NotPermitted
from docflow.core.services import service
from docflow.documents.models import (
    AUDIT_OBJECT,
    ApprovalRole,
    ApprovalStep,
    OutgoingDocument,
    OutgoingState,
)
from docflow.documents.selectors import (
    approval_chain_of,
    document_locked,
    may_approve_step,
    step_approvers,
)
from docflow.documents.signatures import approved_pdf_sign
from docflow.documents.signing.verification import verification_work
from docflow.notifications.services import notification_create, notifications_done
from docflow.outbox.services import outbox_enqueue_many
from docflow.tenancy.models import Membership
from docflow.tenancy.selectors import members_with_role

MAX_STEPS = 10


def document_for_approval(document_id: UUID | str) -> OutgoingDocument:
    return document_locked(document_id=document_id, related=("unit", "agency", "agency__parent"))


def _record(actor: Membership, document: OutgoingDocument, action: str, before: str, **data):
    return event_record(
        agency_id=actor.agency_id, action=action, object_type=AUDIT_OBJECT, object_id=document.pk,
        state_before=before, state_after=document.state, data=data,
    )


def _notify(members, *, document: OutgoingDocument, kind: str, title: str, event_id) -> None:
    """A few people (the next approvers, the drafter, the clerks): created inline."""
    for user_id in dict.fromkeys(m.user_id if isinstance(m, Membership) else m for m in members):
        notification_create(
            agency_id=document.agency_id, recipient_id=user_id, kind=kind, title=title,
            body=document.subject, object_type=AUDIT_OBJECT, object_id=document.pk,
            dedup_key=f"{kind}:{event_id}:{user_id}",
        )


def _done(document: OutgoingDocument, *kinds: str) -> None:
    """The work those notifications asked for is done, whoever of the agency did it."""
    notifications_done(agency_id=document.agency_id, object_type=AUDIT_OBJECT, object_id=document.pk,
                       kinds=kinds)


def pending_step_of(actor: Membership, document: OutgoingDocument) -> tuple[dict, bool]:
    chain = document.approval_chain
    if document.state == OutgoingState.PENDING_APPROVAL and chain:
        step = chain[document.current_step]
        last = document.current_step == len(chain) - 1
        if may_approve_step(member=actor, document=document, step=step, last=last):
            return step, last
    if not actor.has_role("leader") and not _holds_any_unit_head_step(actor, document):
        raise NotPermitted(_("Bạn không có quyền duyệt văn bản này."))
    if document.state != OutgoingState.PENDING_APPROVAL:
        raise InvalidState(_("Văn bản không ở trạng thái chờ duyệt."), state=document.state)
    raise NotPermitted(_("Bước duyệt hiện tại không thuộc thẩm quyền của bạn."))


def _holds_any_unit_head_step(actor: Membership, document: OutgoingDocument) -> bool:
    steps = document.approval_chain or approval_chain_of(agency_id=document.agency_id)
    return any(
        may_approve_step(member=actor, document=document, step=s, last=False)
        for s in steps if s["role"] == ApprovalRole.UNIT_HEAD
    )


@service
def document_submit(*, actor: Membership, document_id: UUID | str) -> OutgoingDocument:
    """Draft → pending approval, by its drafter; the agency's chain is copied into the document
    and the approvers of the first step are notified."""
    document = document_for_approval(document_id)
    if document.drafter_id != actor.user_id:
        raise NotPermitted(_("Chỉ người soạn thảo được trình ký."))
    if document.state != OutgoingState.DRAFT:
        raise InvalidState(_("Chỉ trình ký được dự thảo."), state=document.state)
    chain = approval_chain_of(agency_id=actor.agency_id)
    if any(s["role"] == ApprovalRole.UNIT_HEAD for s in chain) and document.unit_id is None:
        raise ValidationError({"unit": [_("Quy trình duyệt cần đơn vị soạn thảo.")]})
    before = document.state
    document.state, document.approval_chain, document.current_step = (
        OutgoingState.PENDING_APPROVAL, chain, 0,
    )
    document.save(update_fields=["state", "approval_chain", "current_step", "updated_at"])
    event = _record(actor, document, "outgoing.submitted", before, step=chain[0]["label"])
    _done(document, "outgoing.returned")
    _notify(step_approvers(document=document), document=document, kind="outgoing.to_approve",
            title=_("Văn bản chờ duyệt: %(s)s") % {"s": document.subject[:200]}, event_id=event.pk)
    return document


@service
def document_approve(*, actor: Membership, document_id: UUID | str) -> OutgoingDocument:
    """Approve the step the document waits at. At the last step the approver signs: the
    document becomes ``approved`` with ``signed_by``/``signed_at`` (and the signer's position
    from their membership when the draft named none); clerks are told it is ready to issue."""
    document = document_for_approval(document_id)
    step, last = pending_step_of(actor, document)
    before = document.state
    _done(document, "outgoing.to_approve")  # before the next step's approvers are told
    if not last:
        document.current_step += 1
        document.save(update_fields=["current_step", "updated_at"])
        event = _record(actor, document, "outgoing.step_approved", before, step=step["label"])
        _notify(step_approvers(document=document), document=document, kind="outgoing.to_approve",
                title=_("Văn bản chờ duyệt: %(s)s") % {"s": document.subject[:200]}, event_id=event.pk)
        return document
    approver_fill(document, actor)
    return approval_complete(actor=actor, document=document, step=step, before=before,
                             approved_pdf_sha256=approved_pdf_sign(document=document, actor=actor))


def approver_fill(document: OutgoingDocument, actor: Membership) -> None:
    """Who signs, as printed: the approver, and their position when the draft named none."""
    document.signed_by, document.signed_at = actor.user, timezone.now()
    if document.signer_id is None:
        document.signer = actor.user
    if not document.signer_position:
        document.signer_position = actor.position


def approval_complete(*, actor: Membership, document: OutgoingDocument, step: dict, before: str,
                      approved_pdf_sha256: str) -> OutgoingDocument:
    """The last step's approval, once the approver's signature is on the PDF (or none is kept)."""
    document.state = OutgoingState.APPROVED
    document.approved_pdf_sha256 = approved_pdf_sha256
    document.save(update_fields=[
        "state", "signed_by", "signed_at", "signer", "signer_position", "approved_pdf_sha256",
        "updated_at",
    ])
    event = _record(actor, document, "outgoing.approved", before, step=step["label"])
    if document.approved_pdf_sha256:  # the sender's page shows the leader's signature checked
        outbox_enqueue_many(tasks=verification_work([document.approved_pdf_sha256]))
    clerks = list(members_with_role(agency=actor.agency, role="clerk"))
    _notify([document.drafter_id, *clerks], document=document, kind="outgoing.approved",
            title=_("Văn bản đã ký duyệt, chờ phát hành: %(s)s") % {"s": document.subject[:200]},
            event_id=event.pk)
    return document


@service
def document_return(*, actor: Membership, document_id: UUID | str, comment: str) -> OutgoingDocument:
    """Return a pending document to its drafter with a comment (required): back to draft,
    the chain starts again at its first step on the next submit."""
    document = document_for_approval(document_id)
    pending_step_of(actor, document)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": [_("Cần ghi ý kiến khi trả lại.")]})
    before = document.state
    document.state, document.current_step, document.return_comment = OutgoingState.DRAFT, 0, comment
    document.save(update_fields=["state", "current_step", "return_comment", "updated_at"])
    event = _record(actor, document, "outgoing.returned", before, comment=comment)
    _done(document, "outgoing.to_approve")
    _notify([document.drafter_id], document=document, kind="outgoing.returned",
            title=_("Văn bản bị trả lại: %(s)s") % {"s": document.subject[:200]}, event_id=event.pk)
    return document


@service
def approval_chain_set(*, actor: Membership, steps: list[dict]) -> list[ApprovalStep]:
    """Replace the agency's approval chain (agency admin). Each step is ``{label, role,
    positions?}``; one to ten steps, the last one a leader (who signs)."""
    if not actor.has_role("agency_admin"):
        raise NotPermitted(_("Chỉ quản trị đơn vị được cấu hình quy trình duyệt."))
    if not 1 <= len(steps) <= MAX_STEPS:
        raise ValidationError({"steps": [_("Quy trình có từ 1 đến 10 bước.")]})
    if steps[-1].get("role") != ApprovalRole.LEADER:
        raise ValidationError({"steps": [_("Bước cuối phải là lãnh đạo ký.")]})
    rows = []
    for order, raw in enumerate(steps, start=1):
        row = ApprovalStep(
            agency=actor.agency, order=order, label=(raw.get("label") or "").strip(),
            role=raw.get("role", ""), positions=[str(p).strip() for p in raw.get("positions", [])],
        )
        try:
            row.full_clean(exclude=["agency"], validate_constraints=False)
        except ValidationError as exc:
            raise ValidationError({"steps": [f"{order}: {m}" for m in exc.messages]}) from None
        rows.append(row)
    ApprovalStep.objects.filter(agency=actor.agency).delete()
    created = ApprovalStep.objects.bulk_create(rows)
    event_record(
        agency_id=actor.agency_id, action="approval_chain.set", object_type="agency",
        object_id=actor.agency.uuid, data={"steps": [r.as_chain_entry() for r in rows]},
    )
    return created
