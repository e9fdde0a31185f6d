"""Which steps a page offers this person on an outgoing document.

Presentation only: the services in ``documents`` and ``routing`` decide and refuse what is not
allowed. Who may approve a step is the documents package's own ``may_approve_step``.
"""

from __future__ import annotations

from docflow.documents.models import OutgoingDocument, OutgoingState
from docflow.documents.selectors import may_approve_step
from docflow.tenancy.models import Membership


def offered_actions(*, document: OutgoingDocument, member: Membership) -> set[str]:
    if document.agency_id != member.agency_id:  # a predecessor's document: read only
        return set()
    state = document.state
    drafter = document.drafter_id == member.user_id
    actions = set()
    if state == OutgoingState.DRAFT and drafter:
        actions |= {"edit", "submit", "attach", "delete"}
    if state == OutgoingState.APPROVED and member.is_clerk:
        actions |= {"issue", "attach"}
    if state == OutgoingState.PENDING_APPROVAL and _approver(document, member):
        actions |= {"approve", "return"}
    if state == OutgoingState.ISSUED and member.has_role("clerk", "leader") and not document.recall_requested_at:
        actions.add("recall")
    return actions


def _approver(document: OutgoingDocument, member: Membership) -> bool:
    chain = document.approval_chain
    if not chain or document.current_step >= len(chain):
        return False
    last = document.current_step == len(chain) - 1
    return may_approve_step(member=member, document=document, step=chain[document.current_step], last=last)
