"""The outgoing work lists of one member, built from the documents package's own selectors.

Which documents wait for a member's approval is the documents package's own
``approval_queue``; this module only picks the documents for the pages (issue queue, "Việc của
tôi", dashboard counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from docflow.documents.models import OutgoingDocument, OutgoingState
from docflow.documents.selectors import approval_queue, documents_list
from docflow.routing.selectors import incoming_list
from docflow.tenancy.models import Membership

QUEUE_LIMIT = 200
MY_WORK = 10


@dataclass(frozen=True)
class WorkItem:
    """One row of "Việc của tôi": what to do, on which document, by when."""

    task: str
    notation: str
    subject: str
    due: date | None
    url: str


def my_work(*, member: Membership) -> list[WorkItem]:
    """What waits for this member by role, the most pressing kinds first: a clerk's copies to
    register and documents to issue, a leader's copies to assign and documents to approve,
    and everyone's copies to handle (a query per kind, ``MY_WORK`` rows at most)."""
    user_id = member.user_id
    rows: list[WorkItem] = []

    def incoming(work_list: str, task: str) -> None:
        for d in incoming_list(user_id=user_id, work_list=work_list)[:MY_WORK]:
            rows.append(WorkItem(task, d.notation, d.subject, d.due_date, reverse("web:incoming-detail", args=[d.pk])))

    def outgoing(documents, task: str, url_name: str) -> None:
        for d in documents[:MY_WORK]:
            rows.append(WorkItem(task, d.notation, d.subject, d.due_date, reverse(url_name, args=[d.pk])))

    if member.is_clerk:
        incoming("to_accept", _("Tiếp nhận"))
    if member.is_leader:
        incoming("to_approve", _("Phân công"))
    if member.has_role("leader") or member.unit_id:
        outgoing(approval_queue(member=member), _("Duyệt"), "web:outgoing-detail")
    if member.is_clerk:
        outgoing(issue_queue(), _("Phát hành"), "web:outgoing-issue")
    incoming("to_handle", _("Xử lý"))
    return rows[:MY_WORK]


def issue_queue() -> list[OutgoingDocument]:
    """Signed documents waiting for the clerk to number and issue them, oldest first."""
    return list(documents_list(state=OutgoingState.APPROVED).order_by("signed_at", "id")[:QUEUE_LIMIT])


def outgoing_counts(*, member: Membership) -> dict[str, int]:
    counts = {}
    if member.has_role("leader") or member.unit_id:
        counts["to_approve"] = approval_queue(member=member).count()
    if member.has_role("clerk"):
        counts["to_issue"] = documents_list(state=OutgoingState.APPROVED).count()
    counts["my_drafts"] = documents_list(state=OutgoingState.DRAFT).filter(drafter_id=member.user_id).count()
    return counts
