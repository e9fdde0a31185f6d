"""Telling people about an issue or a recall, in bulk, after the fact.

Run by the outbox tasks that ``document_issue`` and ``document_recall_request`` record: every
recipient agency's clerks hear of the new incoming document (or of the recall request), and the
drafter hears that their document went out. A few statements whatever the number of agencies:
one read of the copies, one of the clerks, one of their preferences, one of the notifications
already there, one INSERT, one INSERT of email work. Safe to run twice: the sending document's
row is locked for the run, and every notification has a dedup key.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from docflow.core.ids import uuid7
from docflow.documents.models import WEB_LINK, OutgoingDocument
from docflow.notifications.models import Notification, NotificationPreference
from docflow.notifications.services import EMAIL_TASK
from docflow.outbox.services import outbox_enqueue_many
from docflow.routing.models import IncomingDocument, Status
from docflow.tenancy.models import Membership

INCOMING_LINK = "/van-ban-den/{id}/"
KIND_DELIVERED = "incoming_delivered"
KIND_RECALL = "incoming_recall"
KIND_ISSUED = "outgoing.issued"


@dataclass(frozen=True)
class Notice:
    agency_id: int
    user_id: int
    kind: str
    title: str
    body: str
    link: str
    dedup_key: str


def document_issued_notify(*, agency_id: int, document_id: UUID | str) -> int:
    """Notify the clerks of every recipient agency and the drafter; returns how many were made."""
    with transaction.atomic():
        document = _locked(agency_id, document_id)
        if document is None:
            return 0
        copies = IncomingDocument.objects.with_scopes_disabled().filter(source_document_id=document.pk)
        title = _("Văn bản đến mới: %(n)s") % {"n": document.notation}
        notices = _clerk_notices(copies, document, KIND_DELIVERED, title, "new")
        notices.append(Notice(
            agency_id=document.agency_id, user_id=document.drafter_id, kind=KIND_ISSUED,
            title=_("Văn bản đã phát hành: %(n)s") % {"n": document.notation},
            body=document.subject, link=WEB_LINK.format(id=document.pk),
            dedup_key=f"{KIND_ISSUED}:{document.pk}",
        ))
        return notices_create(notices=notices)


def document_recall_notify(*, agency_id: int, document_id: UUID | str) -> int:
    """Notify the clerks of every recipient agency asked to agree to a recall."""
    with transaction.atomic():
        document = _locked(agency_id, document_id)
        if document is None:
            return 0
        copies = IncomingDocument.objects.with_scopes_disabled().filter(
            source_document_id=document.pk, status_code=Status.RECALL_REQUESTED
        )
        title = _("Yêu cầu thu hồi văn bản %(n)s") % {"n": document.notation}
        return notices_create(notices=_clerk_notices(copies, document, KIND_RECALL, title, "recall"))


def _locked(agency_id: int, document_id) -> OutgoingDocument | None:
    # Serializes two runs of the same task (a re-sent outbox row): the second sees the first's rows.
    return (
        OutgoingDocument.objects.with_scope(agency=agency_id).select_for_update(of=("self",))
        .select_related("agency").filter(pk=document_id).first()
    )


def _clerk_notices(copies, document: OutgoingDocument, kind: str, title: str, tag: str) -> list[Notice]:
    copy_of = dict(copies.values_list("agency_id", "id"))
    clerks = Membership.objects.with_scopes_disabled().filter(
        agency_id__in=list(copy_of), is_clerk=True, is_active=True
    ).values_list("agency_id", "user_id")
    body = f"{document.agency.name}: {document.subject}"
    return [
        Notice(
            agency_id=agency, user_id=user, kind=kind, title=title, body=body,
            link=INCOMING_LINK.format(id=copy_of[agency]),
            dedup_key=f"{kind}:{tag}:{copy_of[agency]}:{user}",
        )
        for agency, user in clerks
    ]


def notices_create(*, notices: list[Notice]) -> int:
    """Create many notifications at once, each once per dedup key, honouring each person's
    preference for its kind (bell off: kept read; email off: no email; both off: none)."""
    if not notices:
        return 0
    existing = set(
        Notification.objects.with_scopes_disabled()
        .filter(dedup_key__in=[n.dedup_key for n in notices]).values_list("dedup_key", flat=True)
    )
    notices = [n for n in notices if n.dedup_key not in existing]
    preferences = {
        (p.agency_id, p.user_id, p.kind): p
        for p in NotificationPreference.objects.with_scopes_disabled().filter(
            user_id__in={n.user_id for n in notices}, kind__in={n.kind for n in notices}
        )
    }
    now, rows, emails = timezone.now(), [], []
    for n in notices:
        pref = preferences.get((n.agency_id, n.user_id, n.kind))
        in_app, email = (pref.in_app, pref.email) if pref else (True, True)
        if not in_app and not email:
            continue
        row = Notification(
            id=uuid7(), agency_id=n.agency_id, recipient_id=n.user_id, kind=n.kind,
            title=n.title[:300], body=n.body, link=n.link, dedup_key=n.dedup_key,
            read_at=None if in_app else now,
        )
        rows.append(row)
        if email:
            emails.append({
                "task_name": EMAIL_TASK, "queue": "notify", "dedup_key": f"email:{row.id}",
                "kwargs": {"agency_id": n.agency_id, "notification_id": str(row.id)},
            })
    Notification.objects.with_scopes_disabled().bulk_create(rows)
    if emails:
        outbox_enqueue_many(tasks=emails)
    return len(rows)
