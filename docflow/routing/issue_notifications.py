"""Telling people about an issue or a recall, in bulk, after the fact.

Run by the outbox tasks that ``document_issue`` and ``document_recall_request`` record: every
recipient agency's clerks hear of the new incoming document (or of the recall request), and the
drafter hears that their document went out. A few statements whatever the number of agencies:
one read of the copies, one of the clerks, then ``notifications_create`` (one read of the
notifications already there, one of preferences, one INSERT, one INSERT of email work). Safe to
run twice: the sending document's row is locked for the run, and every notification has a
dedup key.
"""

from __future__ import annotations

from uuid import UUID

from django.utils.translation import gettext as _

from docflow.documents.models import AUDIT_OBJECT, OutgoingDocument
from docflow.notifications.services import Notice, notifications_create
from docflow.routing.models import IncomingDocument, Status
from docflow.routing.status import INCOMING_OBJECT
from docflow.tenancy.models import Membership
from docflow.core.services import service_transaction

KIND_DELIVERED = "incoming_delivered"
KIND_RECALL = "incoming_recall"
KIND_ISSUED = "outgoing.issued"


def document_issued_notify(*, agency_id: int, document_id: UUID | str) -> int:
    """Notify the clerks of every recipient agency and the drafter; returns how many were made."""
    with service_transaction():
        document = _locked(agency_id, document_id)
        if document is None:
            return 0
        # A copy accepted or rejected before this ran has nothing new for its clerks.
        copies = IncomingDocument.objects.cross_agency("delivery").filter(
            source_document_id=document.pk, status_code=Status.DELIVERED
        )
        title = _("Văn bản đến mới: %(n)s") % {"n": document.notation}
        notices = _clerk_notices(copies, document, KIND_DELIVERED, title, "new")
        notices.append(Notice(
            agency_id=document.agency_id, user_id=document.drafter_id, kind=KIND_ISSUED,
            title=_("Văn bản đã phát hành: %(n)s") % {"n": document.notation},
            body=document.subject, object_type=AUDIT_OBJECT, object_id=document.pk,
            dedup_key=f"{KIND_ISSUED}:{document.pk}",
        ))
        return len(notifications_create(notices=notices))


def document_recall_notify(*, agency_id: int, document_id: UUID | str) -> int:
    """Notify the clerks of every recipient agency asked to agree to a recall."""
    with service_transaction():
        document = _locked(agency_id, document_id)
        if document is None:
            return 0
        copies = IncomingDocument.objects.cross_agency("delivery").filter(
            source_document_id=document.pk, status_code=Status.RECALL_REQUESTED
        )
        title = _("Yêu cầu thu hồi văn bản %(n)s") % {"n": document.notation}
        return len(notifications_create(notices=_clerk_notices(copies, document, KIND_RECALL, title, "recall")))


def _locked(agency_id: int, document_id) -> OutgoingDocument | None:
    # Serializes two runs of the same task (a re-sent outbox row): the second sees the first's rows.
    return (
        OutgoingDocument.objects.with_scope(agency=agency_id).select_for_update(of=("self",))
        .select_related("agency").filter(pk=document_id).first()
    )


def _clerk_notices(copies, document: OutgoingDocument, kind: str, title: str, tag: str) -> list[Notice]:
    copy_of = dict(copies.values_list("agency_id", "id"))
    clerks = Membership.objects.cross_agency("delivery").filter(
        agency_id__in=list(copy_of), is_clerk=True, is_active=True
    ).values_list("agency_id", "user_id")
    body = f"{document.agency.name}: {document.subject}"
    return [
        Notice(
            agency_id=agency, user_id=user, kind=kind, title=title, body=body,
            object_type=INCOMING_OBJECT, object_id=copy_of[agency],
            dedup_key=f"{kind}:{tag}:{copy_of[agency]}:{user}",
        )
        for agency, user in clerks
    ]
