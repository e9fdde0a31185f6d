"""Which handling forms a page offers this person on an incoming copy.

Presentation only: the services in ``routing.handling`` decide, and refuse what is not allowed
whatever the page showed. This keeps the page from offering a step that would be refused.
"""

from __future__ import annotations

from docflow.documents.drafting import DRAFTING_ROLES
from docflow.routing.models import HANDLING_STATUSES, AssignmentRole, IncomingDocument, Status
from docflow.routing.replies import REPLYABLE
from docflow.tenancy.models import Membership

ASSIGNABLE = (Status.ACCEPTED, *HANDLING_STATUSES)


def offered_actions(*, incoming: IncomingDocument, member: Membership) -> set[str]:
    status = incoming.status_code
    actions = set()
    if member.is_clerk and status == Status.DELIVERED:
        actions |= {"accept", "reject"}
    if member.is_clerk and status == Status.RECALL_REQUESTED:
        actions.add("recall")
    if member.is_leader and status in ASSIGNABLE:
        actions.add("assign")
    if status in REPLYABLE and member.has_role(*DRAFTING_ROLES):
        actions.add("reply")
    if status in HANDLING_STATUSES:
        if incoming.lead_id == member.user_id:
            actions |= {"progress", "complete", "forward"}
        coordinating = any(
            a.is_active and a.role == AssignmentRole.COORDINATOR and a.user_id == member.user_id
            for a in incoming.assignments.all()
        )
        if coordinating:
            actions.add("opinion")
    return actions
