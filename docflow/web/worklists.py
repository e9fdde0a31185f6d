"""The outgoing work lists of one member, built from the documents package's own selectors.

Which step a member may approve is decided by ``documents.selectors.may_approve_step``; this
module only picks the documents for the pages (approval queue, issue queue, dashboard counts).
"""

from __future__ import annotations

from docflow.documents.models import OutgoingDocument, OutgoingState
from docflow.documents.selectors import documents_list, may_approve_step
from docflow.tenancy.models import Membership

QUEUE_LIMIT = 200


def approval_queue(*, member: Membership) -> list[OutgoingDocument]:
    """Documents waiting at a step this member may approve, oldest first (one query)."""
    if not member.has_role("leader") and not member.unit_id:
        return []
    pending = documents_list(state=OutgoingState.PENDING_APPROVAL).order_by("updated_at", "id")
    queue = []
    for document in pending[:QUEUE_LIMIT]:
        chain = document.approval_chain
        if not chain or document.current_step >= len(chain):
            continue
        last = document.current_step == len(chain) - 1
        if may_approve_step(member=member, document=document, step=chain[document.current_step], last=last):
            queue.append(document)
    return queue


def issue_queue() -> list[OutgoingDocument]:
    """Signed documents waiting for the clerk to number and issue them, oldest first."""
    return list(documents_list(state=OutgoingState.APPROVED).order_by("signed_at", "id")[:QUEUE_LIMIT])


def outgoing_counts(*, member: Membership) -> dict[str, int]:
    counts = {}
    if member.has_role("leader") or member.unit_id:
        counts["to_approve"] = len(approval_queue(member=member))
    if member.has_role("clerk"):
        counts["to_issue"] = documents_list(state=OutgoingState.APPROVED).count()
    counts["my_drafts"] = documents_list(state=OutgoingState.DRAFT).filter(drafter_id=member.user_id).count()
    return counts
