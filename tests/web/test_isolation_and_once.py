"""Another agency's document answers 404 on every page; a form sent twice acts once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from docflow.documents.models import OutgoingDocument
from docflow.documents.services import document_approve, document_submit
from docflow.routing.models import IncomingDocument
from docflow.core.scoping import agency_scope
from tests.factories import MembershipFactory
from tests.web.conftest import Office, web_client

pytestmark = pytest.mark.django_db

INCOMING_POSTS = ["incoming-accept", "incoming-reject", "incoming-assign", "incoming-progress",
                  "incoming-opinion", "incoming-forward", "incoming-complete", "incoming-recall"]
OUTGOING_GETS = ["outgoing-detail", "outgoing-edit", "outgoing-tracking", "outgoing-pdf", "outgoing-issue"]
OUTGOING_POSTS = ["outgoing-submit", "outgoing-approve", "outgoing-return", "outgoing-attach",
                  "outgoing-recall", "outgoing-issue"]


@pytest.fixture
def two_offices():
    return Office(), Office()


def test_another_agencys_incoming_document_is_not_found(two_offices):
    ours, theirs = two_offices
    theirs.issued()
    with agency_scope(theirs.communes[0]):
        incoming = IncomingDocument.objects.get()
    for member in (ours.commune_clerks[0], ours.commune_leaders[0]):
        client = web_client(member)
        assert client.get(reverse("web:incoming-detail", args=[incoming.pk])).status_code == 404
        for name in INCOMING_POSTS:
            assert client.post(reverse(f"web:{name}", args=[incoming.pk]), {}).status_code == 404, name
        with agency_scope(theirs.communes[0]):
            attachment_ids = list(incoming.attachments.values_list("pk", flat=True))
        for attachment_id in attachment_ids:
            url = reverse("web:incoming-file", args=[incoming.pk, attachment_id])
            assert client.get(url).status_code == 404


def test_another_agencys_outgoing_document_is_not_found(two_offices):
    ours, theirs = two_offices
    issued, draft = theirs.issued(), theirs.draft()
    for member in (ours.staff, ours.leader, ours.clerk):
        client = web_client(member)
        for document in (issued, draft):
            for name in OUTGOING_GETS:
                assert client.get(reverse(f"web:{name}", args=[document.pk])).status_code == 404, name
            for name in OUTGOING_POSTS:
                assert client.post(reverse(f"web:{name}", args=[document.pk]), {}).status_code == 404, name


def test_the_issue_form_sent_twice_issues_once_and_both_answers_show_the_document():
    office = Office()
    document = office.draft()
    document_submit(actor=office.staff, document_id=document.pk)
    document_approve(actor=office.leader, document_id=document.pk)
    client = web_client(office.clerk)
    url = reverse("web:outgoing-issue", args=[document.pk])
    key = client.get(url).context["form"]["once"].value()
    first = client.post(url, {"once": key})
    second = client.post(url, {"once": key})
    detail = reverse("web:outgoing-detail", args=[document.pk])
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == detail
    with agency_scope(office.district):
        assert OutgoingDocument.objects.get(pk=document.pk).number == 1


def test_a_refused_form_shows_vietnamese_errors_beside_its_fields_and_keeps_the_key_usable():
    office = Office()
    client = web_client(office.staff)
    url = reverse("web:outgoing-compose")
    key = client.get(url).context["form"]["once"].value()
    response = client.post(url, {"once": key, "doc_type": "cong_van", "subject": "", "urgency": "normal",
                                 "secrecy": "confidential", "recipients": [office.communes[0].code]})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_subject_error"' in body and "Ô này không được để trống." in body
    response = client.post(url, {"once": key, "doc_type": "cong_van", "subject": "Về việc họp",
                                 "urgency": "normal", "secrecy": "confidential",
                                 "recipients": [office.communes[0].code]})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="recipients_error"' in body and "Văn bản mật không được gửi điện tử" in body
    response = client.post(url, {"once": key, "doc_type": "cong_van", "subject": "Về việc họp",
                                 "urgency": "normal", "secrecy": "normal", "unit": "VP",
                                 "recipients": [office.communes[0].code]})
    assert response.status_code == 302
    with agency_scope(office.district):
        assert OutgoingDocument.objects.filter(subject="Về việc họp").count() == 1


def test_a_group_of_communes_expands_to_its_members_without_our_own_agency():
    office = Office(communes=3)
    commune = office.communes[0]
    client = web_client(MembershipFactory(agency=commune, staff=True))
    url = reverse("web:outgoing-compose")
    key = client.get(url).context["form"]["once"].value()
    response = client.post(url, {"once": key, "doc_type": "bao_cao", "subject": "Báo cáo tháng",
                                 "urgency": "normal", "secrecy": "normal",
                                 "recipients": [f"@children:{office.district.code}", office.district.code]})
    assert response.status_code == 302, response.content.decode()[:2000]
    with agency_scope(commune):
        document = OutgoingDocument.objects.get()
    assert sorted(document.recipient_codes) == sorted([office.district.code, *(c.code for c in office.communes[1:])])
