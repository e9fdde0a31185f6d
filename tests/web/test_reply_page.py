""""Trả lời" on an incoming page opens a draft to the sender; the API does the same; the
compose page offers the agency's own superiors among its quick picks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument
from docflow.documents.services import document_approve, document_submit
from docflow.routing.handling import incoming_accept
from docflow.routing.issuing import document_issue
from docflow.routing.replies import incoming_reply_draft
from docflow.routing.models import IncomingDocument
from tests.factories import MembershipFactory, UnitFactory
from tests.web.conftest import web_client

pytestmark = pytest.mark.django_db


def registered_copy(office):
    UnitFactory(agency=office.communes[0], symbol="VP", name="Văn phòng")
    sent = office.issued("Về việc báo cáo tình hình thu hoạch lúa")
    with cross_agency("system"):
        copy = IncomingDocument.objects.get(agency=office.communes[0], source_document_id=sent.pk)
    return incoming_accept(membership=office.commune_clerks[0], incoming_id=copy.pk)


def test_reply_from_the_incoming_page_opens_the_draft_addressed_to_the_sender(office):
    copy = registered_copy(office)
    staff = MembershipFactory(agency=office.communes[0], staff=True)
    client = web_client(staff)
    page = client.get(reverse("web:incoming-detail", args=[copy.pk]))
    assert "reply" in page.context["forms"] and "Trả lời" in page.content.decode()
    key = page.context["forms"]["reply"]["once"].value()
    response = client.post(reverse("web:incoming-reply", args=[copy.pk]), {"reply-once": key})
    with cross_agency("system"):
        draft = OutgoingDocument.objects.get(reply_to_incoming_id=copy.pk)
    assert response.status_code == 302 and response["Location"] == reverse("web:outgoing-edit", args=[draft.pk])
    assert draft.recipient_codes == [office.district.code]
    again = client.post(reverse("web:incoming-reply", args=[copy.pk]), {"reply-once": key})
    assert again.status_code == 302
    with cross_agency("system"):  # the one-time key: a double click opens one draft
        assert OutgoingDocument.objects.filter(reply_to_incoming_id=copy.pk).count() == 1


def test_reply_through_the_api_answers_201_with_the_draft_and_404_for_another_agency(office, client_for):
    copy = registered_copy(office)
    staff = MembershipFactory(agency=office.communes[0], staff=True)
    response = client_for(staff).post(f"/api/v1/incoming/{copy.pk}/reply/")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "draft" and body["recipients"] == [office.district.code]
    stranger = MembershipFactory(agency=office.communes[1], staff=True)
    assert client_for(stranger).post(f"/api/v1/incoming/{copy.pk}/reply/").status_code == 404


def test_the_commune_sees_its_district_among_the_quick_picks(office):
    staff = MembershipFactory(agency=office.communes[0], staff=True)
    groups = web_client(staff).get(reverse("web:outgoing-compose")).context["groups"]
    superiors = [g for g in groups if g.label == "Cấp trên"]
    assert superiors and [a.code for a in superiors[0].agencies] == [office.district.code]
    assert superiors[0].key == ""


def test_the_district_sees_which_of_its_documents_a_reply_answers(office, client_for):
    copy = registered_copy(office)
    staff = MembershipFactory(agency=office.communes[0], staff=True)
    draft = incoming_reply_draft(actor=staff, incoming_id=copy.pk)
    document_submit(actor=staff, document_id=draft.pk)
    document_approve(actor=office.commune_leaders[0], document_id=draft.pk)
    reply = document_issue(actor=office.commune_clerks[0], document_id=draft.pk)
    with cross_agency("system"):
        back = IncomingDocument.objects.get(agency=office.district, source_document_id=reply.pk)
    body = client_for(office.clerk).get(f"/api/v1/incoming/{back.pk}/").json()
    assert body["response_for_notation"] == copy.notation
    assert body["response_for_document_id"] == str(copy.source_document_id)
    page = web_client(office.clerk).get(reverse("web:incoming-detail", args=[back.pk])).content.decode()
    assert reverse("web:outgoing-detail", args=[copy.source_document_id]) in page
