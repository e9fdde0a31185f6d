"""What the sender and the recipients see of the signatures, through the API."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.documents.story import approved, draft, issued, pdf_bytes, sending_office
from tests.factories import AgencyFactory, MembershipFactory

OUTGOING = "/api/v1/outgoing/"
INCOMING = "/api/v1/incoming/"


def _issue_with_keys(pki, django_capture_on_commit_callbacks, recipient, **fields):
    office = sending_office(name="Ủy ban nhân dân huyện Bắc Yên")
    pki.keys_for(office)
    with django_capture_on_commit_callbacks(execute=True):
        document = issued(office, recipients=[recipient.code], **fields)
    return office, document


def test_recipient_sees_both_signatures_on_the_main_file(pki, client_for, django_capture_on_commit_callbacks):
    commune = AgencyFactory()
    clerk = MembershipFactory(agency=commune, clerk=True)
    _office, document = _issue_with_keys(pki, django_capture_on_commit_callbacks, commune)
    client = client_for(clerk)
    copy = client.get(INCOMING, {"list": "to_accept"}).json()["results"][0]

    detail = client.get(f"{INCOMING}{copy['id']}/").json()

    main = [a for a in detail["attachments"] if a["is_main"]][0]
    assert [(s["kind"], s["valid"], s["trusted"]) for s in main["signatures"]] == [
        ("personal", True, True), ("agency", True, True),
    ]
    assert main["signatures"][1]["signer"] == "Ủy ban nhân dân huyện Bắc Yên"


def test_sender_sees_the_signatures_of_what_was_issued(pki, client_for, django_capture_on_commit_callbacks):
    office, document = _issue_with_keys(pki, django_capture_on_commit_callbacks, AgencyFactory())

    body = client_for(office.clerk).get(f"{OUTGOING}{document.pk}/").json()

    assert [s["kind"] for s in body["signatures"]] == ["personal", "agency"]
    assert all(s["valid"] and s["trusted"] for s in body["signatures"])


def test_incoming_detail_costs_the_same_queries_for_one_or_three_verified_files(
    pki, client_for, django_capture_on_commit_callbacks,
):
    from docflow.documents.attachments import attachment_add

    commune = AgencyFactory()
    clerk = MembershipFactory(agency=commune, clerk=True)
    office = sending_office()
    pki.keys_for(office)
    counts = []
    for extra in (0, 2):
        document = draft(office, recipients=[commune.code])
        for i in range(extra):
            attachment_add(actor=office.staff, document_id=document.pk, name=f"phu-luc-{i}.pdf",
                           chunks=[pdf_bytes(f"Phu luc {i}")])
        with django_capture_on_commit_callbacks(execute=True):
            issued(office, document)
        client = client_for(clerk)
        copy = [r for r in client.get(INCOMING).json()["results"] if r["subject"] == document.subject][0]
        with CaptureQueriesContext(connection) as queries:
            body = client.get(f"{INCOMING}{copy['id']}/").json()
        assert len(body["attachments"]) == 1 + extra
        assert all(a["signatures"] for a in body["attachments"])
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_outgoing_list_costs_the_same_queries_for_two_or_five_signed_documents(pki, client_for):
    office = sending_office()
    pki.keys_for(office)
    client = client_for(office.clerk)
    counts = []
    for total in (2, 5):
        while len(client.get(OUTGOING).json()["results"]) < total:
            approved(office)
        with CaptureQueriesContext(connection) as queries:
            rows = client.get(OUTGOING).json()["results"]
        assert len(rows) == total
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_pdf_attachment_carries_the_agency_signature_only(pki, client_for, django_capture_on_commit_callbacks):
    from docflow.documents.attachments import attachment_add

    commune = AgencyFactory()
    clerk = MembershipFactory(agency=commune, clerk=True)
    office = sending_office()
    pki.keys_for(office)
    document = draft(office, recipients=[commune.code])
    attachment_add(actor=office.staff, document_id=document.pk, name="phu-luc.pdf", chunks=[pdf_bytes()])
    with django_capture_on_commit_callbacks(execute=True):
        issued(office, document)
    client = client_for(clerk)
    copy = client.get(INCOMING).json()["results"][0]

    attachment = [a for a in client.get(f"{INCOMING}{copy['id']}/").json()["attachments"] if not a["is_main"]][0]

    assert [(s["kind"], s["valid"], s["trusted"]) for s in attachment["signatures"]] == [("agency", True, True)]
