"""What happens after an issue or a recall commits: notifications in bulk, the official PDF,
and the recall request reaching every recipient's copy."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument, StoredFile
from docflow.documents.pdf import document_pdf_render
from docflow.notifications.models import Notification
from docflow.notifications.services import notification_preference_set
from docflow.outbox.models import OutboxTask
from docflow.routing.deliveries import deliveries_of_document, document_recall_request
from docflow.routing.models import Delivery, IncomingDocument
from docflow.routing.issue_notifications import document_issued_notify, document_recall_notify
from docflow.core.scoping import agency_scope
from tests.documents.story import issued, sending_office
from tests.factories import AgencyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def communes_with_clerks(count: int, clerks: int = 1):
    agencies = [AgencyFactory() for _ in range(count)]
    for agency in agencies:
        for _ in range(clerks):
            MembershipFactory(agency=agency, clerk=True)
        MembershipFactory(agency=agency, staff=True)  # not told: handling starts with the clerk
    return agencies


def test_recipient_clerks_and_the_drafter_are_notified_once():
    office = sending_office()
    communes = communes_with_clerks(3, clerks=2)
    doc = issued(office, recipients=[a.code for a in communes])
    assert document_issued_notify(agency_id=office.agency.pk, document_id=doc.pk) == 3 * 2 + 1
    assert document_issued_notify(agency_id=office.agency.pk, document_id=doc.pk) == 0  # run twice
    with cross_agency("system"):
        incoming = Notification.objects.filter(kind="incoming_delivered")
        assert incoming.count() == 6 and set(incoming.values_list("agency_id", flat=True)) == {a.pk for a in communes}
        copy = IncomingDocument.objects.get(agency=communes[0])
        about = incoming.filter(agency=communes[0]).first()
        assert (about.object_type, about.object_id) == ("incoming_document", copy.pk)
        assert Notification.objects.get(kind="outgoing.issued").recipient_id == office.staff.user_id
        told = {str(i) for i in Notification.objects.filter(
            kind__in=["incoming_delivered", "outgoing.issued"]).values_list("id", flat=True)}
    emails = OutboxTask.objects.filter(task_name="notify.notification_email")
    assert {e.kwargs["notification_id"] for e in emails} >= told and len(told) == 7


def test_notifying_10_or_60_agencies_costs_the_same_queries():
    office = sending_office()
    few = issued(office, recipients=[a.code for a in communes_with_clerks(10)])
    many = issued(office, recipients=[a.code for a in communes_with_clerks(60)])
    counts = []
    for doc in (few, many):
        with CaptureQueriesContext(connection) as ctx:
            document_issued_notify(agency_id=office.agency.pk, document_id=doc.pk)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_a_clerk_who_turned_the_kind_off_is_not_notified():
    office = sending_office()
    [commune] = communes_with_clerks(1)
    with cross_agency("system"):
        clerk = commune.memberships.get(is_clerk=True)
    notification_preference_set(agency_id=commune.pk, user_id=clerk.user_id, kind="incoming_delivered",
                                in_app=False, email=False)
    doc = issued(office, recipients=[commune.code])
    document_issued_notify(agency_id=office.agency.pk, document_id=doc.pk)
    with cross_agency("system"):
        assert not Notification.objects.filter(recipient=clerk.user).exists()


def test_official_pdf_is_rendered_once_and_stored_by_hash(client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    office = sending_office()
    doc = issued(office, recipients=[AgencyFactory().code], external_places=["Lưu: VT"])
    sha = doc.pdf_sha256  # made by the issue itself, so that every copy carries it
    assert sha and document_pdf_render(agency_id=office.agency.pk, document_id=doc.pk) == sha
    with cross_agency("system"):
        assert OutgoingDocument.objects.get(pk=doc.pk).pdf_sha256 == sha
        assert StoredFile.objects.get(sha256=sha).content_type == "application/pdf"
    response = client_for(office.staff).get(f"/api/v1/outgoing/{doc.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert 'filename="01-QD-UBND.pdf"' in response["Content-Disposition"]


def test_issue_commit_runs_the_pdf_and_notification_tasks(django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    office = sending_office()
    [commune] = communes_with_clerks(1)
    with django_capture_on_commit_callbacks(execute=True):
        doc = issued(office, recipients=[commune.code])
    with cross_agency("system"):
        assert OutgoingDocument.objects.get(pk=doc.pk).pdf_sha256
        assert Notification.objects.filter(agency=commune, kind="incoming_delivered").exists()
    assert not OutboxTask.objects.filter(done_at__isnull=True, task_name__startswith="pdf.").exists()


def test_recall_request_puts_every_recipient_at_13_keeping_their_status():
    office = sending_office()
    communes = communes_with_clerks(3)
    doc = issued(office, recipients=[a.code for a in communes])
    with cross_agency("system"):  # the first commune has already registered it (03), the last refused it (02)
        IncomingDocument.objects.filter(agency=communes[0]).update(status_code="03")
        IncomingDocument.objects.filter(agency=communes[2]).update(status_code="02")
        Delivery.objects.filter(recipient_agency=communes[2]).update(status_code="02")
    document_recall_request(actor=office.leader, document_id=doc.pk, reason="Sai thẩm quyền ban hành")
    with cross_agency("system"):
        copies = {c.agency_id: c for c in IncomingDocument.objects.filter(source_document_id=doc.pk)}
    first, second, refused = (copies[a.pk] for a in communes)
    assert (first.status_code, first.status_before_recall, first.recall_reason) == ("13", "03", "Sai thẩm quyền ban hành")
    assert (second.status_code, second.status_before_recall) == ("13", "01")
    assert (refused.status_code, refused.status_before_recall) == ("02", "")
    with agency_scope(office.agency):
        statuses = {d.recipient_code: d.status_code for d in deliveries_of_document(document_id=doc.pk)}
    assert statuses == {communes[0].code: "13", communes[1].code: "13", communes[2].code: "02"}
    assert document_recall_notify(agency_id=office.agency.pk, document_id=doc.pk) == 2
    with cross_agency("system"):
        assert Notification.objects.filter(kind="incoming_recall").count() == 2


def test_deliveries_endpoint_lists_each_recipient_with_fixed_queries(client_for):
    office = sending_office()
    doc = issued(office, recipients=[a.code for a in communes_with_clerks(12)])
    client = client_for(office.staff)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(f"/api/v1/outgoing/{doc.pk}/deliveries/?page_size=5").json()
    first_count = len(ctx.captured_queries)
    rows = page["results"]
    while page["next"]:
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(page["next"]).json()
        assert len(ctx.captured_queries) == first_count
        rows += page["results"]
    assert len(rows) == 12 and {r["status"] for r in rows} == {"delivered"}
    assert set(rows[0]) == {"agency_code", "agency_name", "status_code", "status", "updated_at"}
