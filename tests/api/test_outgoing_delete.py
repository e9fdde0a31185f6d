"""DELETE /api/v1/outgoing/{id}/: the drafter deletes a draft; anything else is refused."""

from __future__ import annotations

import pytest

from docflow.audit.models import AuditEvent
from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument
from docflow.documents.services import document_create, document_submit
from tests.documents.story import sending_office
from tests.factories import AttachmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def a_draft(office):
    return document_create(actor=office.staff, doc_type="cong_van", subject="Về việc họp", unit="VP",
                           external_places=["Thôn Bản Pe"])


def exists(document) -> bool:
    with cross_agency("system"):
        return OutgoingDocument.objects.filter(pk=document.pk).exists()


def test_the_drafter_deletes_a_draft_with_its_attachments_and_the_log_keeps_it(client_for):
    office = sending_office()
    document = a_draft(office)
    AttachmentFactory(document=document)
    response = client_for(office.staff).delete(f"/api/v1/outgoing/{document.pk}/")
    assert response.status_code == 204 and not exists(document)
    with cross_agency("system"):
        assert AuditEvent.objects.filter(object_id=document.pk, action="outgoing.deleted").count() == 1


def test_someone_else_of_the_agency_gets_403_and_a_submitted_draft_409(client_for):
    office = sending_office()
    document = a_draft(office)
    assert client_for(office.clerk).delete(f"/api/v1/outgoing/{document.pk}/").status_code == 403
    document_submit(actor=office.staff, document_id=document.pk)
    response = client_for(office.staff).delete(f"/api/v1/outgoing/{document.pk}/")
    assert response.status_code == 409 and response.json()["state"] == "pending_approval"
    assert exists(document)


def test_another_agencys_draft_answers_404(client_for):
    office = sending_office()
    document = a_draft(office)
    stranger = MembershipFactory(staff=True)
    assert client_for(stranger).delete(f"/api/v1/outgoing/{document.pk}/").status_code == 404
    assert exists(document)
