"""Every transition of an outgoing document leaves an audit event with the states it joined."""

from __future__ import annotations

import pytest

from docflow.audit.models import AuditEvent
from docflow.core.scoping import cross_agency
from docflow.documents.approval import document_return, document_submit
from docflow.documents.attachments import attachment_add
from docflow.documents.drafting import document_update
from docflow.routing.deliveries import document_recall_request
from tests.documents.story import approved, draft, pdf_bytes, sending_office
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_the_whole_story_is_in_the_audit_log(settings, tmp_path):
    from docflow.routing.issuing import document_issue

    settings.MEDIA_ROOT = tmp_path
    office = sending_office()
    commune = AgencyFactory()
    doc = draft(office, recipients=[commune.code])
    attachment_add(actor=office.staff, document_id=doc.pk, name="a.pdf", chunks=[pdf_bytes()])
    document_submit(actor=office.staff, document_id=doc.pk)
    document_return(actor=office.leader, document_id=doc.pk, comment="Sửa trích yếu")
    document_update(actor=office.staff, document_id=doc.pk, changes={"subject": "Về việc sửa đổi"})
    approved(office, doc)
    document_issue(actor=office.clerk, document_id=doc.pk)
    document_recall_request(actor=office.clerk, document_id=doc.pk, reason="Ban hành sai")
    with cross_agency("system"):
        events = list(AuditEvent.objects.filter(agency=office.agency, object_id=doc.pk).order_by("created_at", "id"))
        theirs = list(AuditEvent.objects.filter(agency=commune).values_list("action", flat=True))
    assert [(e.action, e.state_before, e.state_after) for e in events] == [
        ("outgoing.created", "", "draft"),
        ("outgoing.attachment_added", "draft", "draft"),
        ("outgoing.submitted", "draft", "pending_approval"),
        ("outgoing.returned", "pending_approval", "draft"),
        ("outgoing.updated", "draft", "draft"),
        ("outgoing.submitted", "draft", "pending_approval"),
        ("outgoing.approved", "pending_approval", "approved"),
        ("outgoing.issued", "approved", "issued"),
        ("outgoing.recall_requested", "issued", "issued"),
    ]
    assert {e.actor_id for e in events[3:4]} == {office.leader.user_id}
    assert events[3].data["comment"] == "Sửa trích yếu"
    assert events[7].data["notation"] == "01/QĐ-UBND"
    assert theirs == ["incoming.delivered", "incoming.recall_requested"]
