"""Another agency's documents do not exist for the caller: 404 on every endpoint."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from docflow.documents.attachments import attachment_add
from tests.documents.story import draft, issued, pdf_bytes, sending_office
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/outgoing/"


@pytest.fixture
def two_offices(agency_a, agency_b):
    return sending_office(agency_a), sending_office(agency_b)


def every_endpoint(doc_id, attachment_id):
    return [
        ("get", f"{URL}{doc_id}/", None),
        ("patch", f"{URL}{doc_id}/", {"subject": "Sửa"}),
        ("post", f"{URL}{doc_id}/submit/", None),
        ("post", f"{URL}{doc_id}/approve/", None),
        ("post", f"{URL}{doc_id}/return/", {"comment": "Trả"}),
        ("post", f"{URL}{doc_id}/issue/", None),
        ("post", f"{URL}{doc_id}/recall/", {"reason": "Thu hồi"}),
        ("get", f"{URL}{doc_id}/deliveries/", None),
        ("get", f"{URL}{doc_id}/pdf/", None),
        ("get", f"{URL}{doc_id}/attachments/{attachment_id}/", None),
        ("post", f"{URL}{doc_id}/attachments/", "upload"),
    ]


def call(client, method, path, data):
    if data == "upload":
        return client.post(path, {"file": SimpleUploadedFile("a.pdf", pdf_bytes())}, format="multipart")
    return getattr(client, method)(path, data, format="json") if data else getattr(client, method)(path)


@pytest.mark.parametrize("state", ["draft", "issued"])
def test_another_agencys_document_answers_404_on_every_endpoint(client_for, two_offices, state):
    mine, theirs = two_offices
    doc = draft(theirs) if state == "draft" else issued(theirs)
    attachment = attachment_add(actor=theirs.clerk, document_id=doc.pk, name="a.pdf",
                                chunks=[pdf_bytes("bí mật")]) if state == "draft" else None
    attachment_id = attachment.pk if attachment else uuid.uuid4()
    # Every role of my agency, even one who could act on such a document in their own agency.
    for member in (mine.staff, mine.leader, mine.clerk):
        client = client_for(member)
        for method, path, data in every_endpoint(doc.pk, attachment_id):
            response = call(client, method, path, data)
            assert response.status_code == 404, (member.roles, method, path, response.status_code)


def test_unknown_and_malformed_ids_answer_404(client_for, two_offices):
    mine, _ = two_offices
    client = client_for(mine.clerk)
    assert client.get(f"{URL}{uuid.uuid4()}/").status_code == 404
    assert client.get(f"{URL}not-a-uuid/").status_code == 404


def test_an_attachment_is_downloaded_only_through_a_document_of_the_callers_agency(client_for, two_offices):
    mine, theirs = two_offices
    their_doc = draft(theirs)
    secret = attachment_add(actor=theirs.staff, document_id=their_doc.pk, name="mat.pdf", chunks=[pdf_bytes("mật")])
    my_doc = draft(mine)
    client = client_for(mine.staff)
    # Their attachment id through my own document: not a row of mine either.
    assert client.get(f"{URL}{my_doc.pk}/attachments/{secret.pk}/").status_code == 404
    assert client.get(f"{URL}{their_doc.pk}/attachments/{secret.pk}/").status_code == 404
    own = client_for(theirs.staff).get(f"{URL}{their_doc.pk}/attachments/{secret.pk}/")
    assert own.status_code == 200 and b"".join(own.streaming_content) == pdf_bytes("mật")
    assert own["Content-Type"] == "application/pdf" and "mat.pdf" in own["Content-Disposition"]


def test_same_person_in_two_agencies_sees_each_agencys_documents_only_with_its_header(client_for, two_offices):
    mine, theirs = two_offices
    both = MembershipFactory(agency=mine.agency, staff=True)
    MembershipFactory(agency=theirs.agency, user=both.user, staff=True)
    doc = draft(theirs)
    assert client_for(both).get(f"{URL}{doc.pk}/").status_code == 404
    assert client_for(both, agency_header=theirs.agency.code).get(f"{URL}{doc.pk}/").status_code == 200
    listed = client_for(both).get(URL).json()["results"]
    assert all(row["id"] != str(doc.pk) for row in listed)
