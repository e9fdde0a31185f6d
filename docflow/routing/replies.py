"""Replying to an incoming document (trả lời): a draft addressed to its sender, linked to it.

The draft is an ordinary draft of our agency (``documents.drafting.document_create``) that
remembers the copy it answers; it goes through approval and issue like any other. When it is
issued, the sender's copy learns which of its documents it answers (``issuing``), and completing
our copy offers it first as the reply.
"""

from __future__ import annotations

from uuid import UUID

from django.utils.translation import gettext as _

from docflow.audit.services import event_record
from docflow.core.errors import InvalidState, NotFound, NotPermitted
from docflow.documents.drafting import DRAFTING_ROLES, document_create
from docflow.documents.models import OutgoingDocument, OutgoingState
from docflow.documents.types import DocType, document_type
from docflow.routing.models import IncomingDocument, Status
from docflow.routing.status import INCOMING_OBJECT
from docflow.tenancy.models import Agency, Membership, Unit
from docflow.core.services import service

REPLYABLE = (Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.COMPLETED)
SUBJECT_PREFIXES = ("v/v", "về việc")


@service
def incoming_reply_draft(*, actor: Membership, incoming_id: UUID | str) -> OutgoingDocument:
    """Open a công văn draft that answers a registered copy of the actor's agency: addressed to
    its sender (the agency when it is in the directory, else the sender's name as a paper
    place), in the actor's own unit, its subject and opening line taken from the copy.
    Drafting roles only (403); a copy not registered, rejected or recalled is 409."""
    if not actor.has_role(*DRAFTING_ROLES):
        raise NotPermitted(_("Chỉ chuyên viên, văn thư hoặc lãnh đạo được soạn văn bản trả lời."))
    copy = IncomingDocument.objects.filter(pk=incoming_id).first()
    if copy is None:
        raise NotFound(_("Không tìm thấy văn bản đến."))
    if copy.status_code not in REPLYABLE:
        raise InvalidState(_("Chỉ trả lời được văn bản đến đã vào sổ."), state=copy.status_code)
    sender = Agency.objects.filter(code=copy.sender_code, is_active=True).first()
    draft = document_create(
        actor=actor, doc_type=DocType.CONG_VAN, subject=_reply_subject(copy),
        body=_opening(copy, actor.agency), urgency=copy.urgency, unit=_unit_symbol(actor),
        recipients=[sender.code] if sender else [],
        external_places=[] if sender else [copy.sender_name],
        reply_to_incoming_id=copy.pk,
    )
    event_record(
        agency_id=actor.agency_id, action="incoming.reply_drafted", object_type=INCOMING_OBJECT,
        object_id=copy.pk, state_before=copy.status_code,
        state_after=copy.status_code, data={"outgoing_id": str(draft.pk)},
    )
    return draft


def replies_of(*, incoming_id: UUID | str) -> list[OutgoingDocument]:
    """Our documents written as replies to this copy, issued ones first (one query)."""
    return sorted(
        OutgoingDocument.objects.filter(reply_to_incoming_id=incoming_id).only(
            "id", "state", "notation", "subject", "created_at"),
        key=lambda d: (d.state != OutgoingState.ISSUED, d.created_at),
    )


def _unit_symbol(actor: Membership) -> str | None:
    """None, so the draft takes the drafter's own unit as every draft does (document_create);
    for a drafter without one, the agency's office (a công văn needs a unit in its notation),
    which the drafter can change on the draft."""
    if actor.unit_id and actor.unit.is_active:
        return None
    units = Unit.objects.filter(is_active=True).order_by("name")
    office = units.filter(symbol="VP").first() or units.first()
    return office.symbol if office else None


def _reply_subject(copy: IncomingDocument) -> str:
    subject = copy.subject.strip()
    for prefix in SUBJECT_PREFIXES:
        if subject.casefold().startswith(prefix):
            subject = subject[len(prefix):].lstrip(" :.-")
            break
    return subject[:500] or copy.subject[:500]


def _opening(copy: IncomingDocument, agency: Agency) -> str:
    kind = document_type(copy.doc_type).name
    when = f" ngày {copy.issued_on:%d/%m/%Y}" if copy.issued_on else ""
    number = f" số {copy.notation}" if copy.notation else ""
    return (
        f"Thực hiện {kind}{number}{when} của {copy.sender_name} về việc {_reply_subject(copy)}, "
        f"{agency.name} báo cáo như sau:\n\n"
    )
