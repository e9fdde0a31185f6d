"""What our agencies issue to an external agency waits in its outbox: pulled, or pushed signed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from docflow.documents.attachments import attachment_add
from docflow.documents.pdf import official_pdf_filename
from docflow.exchange.edxml import edxml_envelope
from docflow.exchange.models import WebhookDelivery
from docflow.notifications.models import Notification
from docflow.routing.deliveries import document_recall_request
from docflow.core.scoping import cross_agency
from tests.documents.story import approved, draft, pdf_bytes, sending_office
from tests.exchange.factories import issued_key
from tests.factories import AgencyFactory, MembershipFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/exchange/documents/"


def issue_to(office, *codes, attachments=(), subject="Về việc phối hợp rà soát biên chế"):
    from docflow.routing.issuing import document_issue

    document = draft(office, doc_type="cong_van", subject=subject, recipients=list(codes))
    for name in attachments:
        attachment_add(actor=office.staff, document_id=document.pk, name=name, chunks=[pdf_bytes()])
    approved(office, document)
    return document_issue(actor=office.clerk, document_id=document.pk)


def test_issued_document_is_pulled_with_its_files_and_edxml(external):
    office = sending_office(symbol="UBND")
    commune = AgencyFactory()
    document = issue_to(office, external.agency.code, commune.code, attachments=["phu-luc.pdf"])
    page = external.api.get(URL).json()
    assert len(page["results"]) == 1 and page["since"]
    item = page["results"][0]
    assert item["id"] == str(document.id) and item["notation"] == document.notation
    assert item["sender_code"] == office.agency.code and item["status_code"] == "01"
    assert item["recipients"] == [external.agency.code, commune.code]
    assert item["signer"]["full_name"] == "Lò Văn Minh"
    [attachment] = item["attachments"]
    file = external.api.get(attachment["url"])
    assert file.status_code == 200 and b"".join(file.streaming_content) == pdf_bytes()
    assert external.api.get(item["pdf_url"]).status_code in (200, 202)
    raw = external.api.get(item["edxml_url"])
    assert raw.status_code == 200 and raw["Content-Type"].startswith("application/xml")
    parsed, files = edxml_envelope(raw.content)
    assert parsed["notation"] == document.notation and parsed["sender_code"] == office.agency.code
    # The axis form carries the official signed PDF first, then the attachments.
    assert files[0][0] == official_pdf_filename(document)
    assert files[1:] == [("phu-luc.pdf", "application/pdf", pdf_bytes())]
    assert external.api.get(URL, {"since": page["since"]}).json()["results"] == []
    assert external.api.get(f"{URL}{document.id}/").json()["status_code"] == "01"


def test_another_external_agency_sees_nothing_of_it(external):
    office = sending_office()
    document = issue_to(office, external.agency.code, attachments=["a.pdf"])
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Api-Key {issued_key().key}")
    assert other.get(URL).json()["results"] == []
    attachment_id = external.api.get(URL).json()["results"][0]["attachments"][0]["id"]
    for path in ("", "edxml/", "pdf/", f"attachments/{attachment_id}/"):
        assert other.get(f"{URL}{document.id}/{path}").status_code == 404, path
    assert external.api.get(f"{URL}{document.id}/attachments/{document.id}/").status_code == 404


def test_pull_costs_the_same_queries_for_2_and_12_documents(external):
    office = sending_office()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert external.api.get(URL).status_code == 200
        return len(captured)

    external.api.get(URL)  # the key's first use of the minute is recorded: not part of a pull
    for _ in range(2):
        issue_to(office, external.agency.code, attachments=["a.pdf"])
    few = queries()
    for _ in range(10):
        issue_to(office, external.agency.code, attachments=["a.pdf"])
    assert queries() == few


def test_issuing_pushes_a_signed_webhook(external, external_server, django_capture_on_commit_callbacks):
    office = sending_office()
    with django_capture_on_commit_callbacks(execute=True):
        document = issue_to(office, external.agency.code)
    [message] = [m for m in external_server.accepted if m["event"] == "document"]
    assert message["document"]["id"] == str(document.id) and external_server.refused == []
    with cross_agency("system"):
        log = WebhookDelivery.objects.get(event="document")
    assert (log.agency_id, log.ok, log.attempt, log.response_status) == (office.agency.pk, True, 1, 204)


def test_refused_webhook_is_retried_with_the_same_id_then_given_up(
    external, external_server, settings, django_capture_on_commit_callbacks
):
    settings.DOCFLOW_EXCHANGE_WEBHOOK_RETRIES = 2
    office = sending_office()
    external_server.fail_next = 2
    with django_capture_on_commit_callbacks(execute=True):
        issue_to(office, external.agency.code)
    with cross_agency("system"):
        attempts = list(WebhookDelivery.objects.order_by("attempt").values_list("attempt", "ok", "response_status"))
        assert attempts == [(1, False, 503), (2, False, 503), (3, True, 204)]
        assert len(set(WebhookDelivery.objects.values_list("message_id", flat=True))) == 1
    external_server.fail_next = 99
    with django_capture_on_commit_callbacks(execute=True):
        issue_to(office, external.agency.code, subject="Về việc thứ hai")
    with cross_agency("system"):
        assert WebhookDelivery.objects.filter(ok=False).count() == 5  # 2 earlier + 3 given up
    assert len(external.api.get(URL).json()["results"]) == 2  # still waiting to be pulled


def test_status_from_the_external_recipient_reaches_the_sender(external, client_for):
    office = sending_office()
    document = issue_to(office, external.agency.code)
    status_url = "/api/v1/exchange/status/"

    def report(code, key, **extra):
        body = {"document_id": str(document.id), "status_code": code, "description": "Đã nhận",
                "staff": "Lò Thị Hoa", "timestamp": "2026-03-06T08:00:00+07:00", **extra}
        return external.api.post(status_url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)

    accepted = report("03", "s-1")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert report("03", "s-1").json() == accepted.json()
    assert report("06", "s-1").status_code == 409
    assert report("06", "s-2").status_code == 200
    rows = client_for(office.staff).get(f"/api/v1/outgoing/{document.id}/deliveries/").json()["results"]
    assert [(r["agency_code"], r["status_code"]) for r in rows] == [(external.agency.code, "06")]
    with cross_agency("system"):
        # Both reports of the hour gathered into one notification (per document, person, hour).
        [told] = Notification.objects.filter(recipient=office.staff.user, kind="delivery_status")
        assert told.count == 2
    assert report("01", "s-3").status_code == 400
    assert report("15", "s-4").status_code == 409  # no recall was asked
    assert report("07", "s-5").status_code == 400
    missing = report("03", "s-6", document_id="00000000-0000-7000-8000-000000000000")
    assert missing.status_code == 404


def test_recall_is_seen_and_answered_by_the_external_recipient(external):
    office = sending_office()
    document = issue_to(office, external.agency.code)
    document_recall_request(actor=office.clerk, document_id=document.id, reason="Sai số liệu")
    assert external.api.get(f"{URL}{document.id}/").json()["status_code"] == "13"
    body = {"document_id": str(document.id), "status_code": "15", "timestamp": "2026-03-06T08:00:00Z"}
    assert external.api.post("/api/v1/exchange/status/", body, format="json",
                             HTTP_IDEMPOTENCY_KEY="r-1").status_code == 200
    again = {**body, "status_code": "03"}
    assert external.api.post("/api/v1/exchange/status/", again, format="json",
                             HTTP_IDEMPOTENCY_KEY="r-2").status_code == 409


def test_status_for_a_document_sent_to_another_agency_is_404(external):
    office = sending_office()
    elsewhere = issue_to(office, AgencyFactory().code)
    body = {"document_id": str(elsewhere.id), "status_code": "03", "timestamp": "2026-03-06T08:00:00Z"}
    answer = external.api.post("/api/v1/exchange/status/", body, format="json", HTTP_IDEMPOTENCY_KEY="x")
    assert answer.status_code == 404


def test_only_the_agency_admin_reads_its_webhook_log(external, external_server, client_for,
                                                     django_capture_on_commit_callbacks):
    office = sending_office()
    with django_capture_on_commit_callbacks(execute=True):
        issue_to(office, external.agency.code)
    admin = MembershipFactory(agency=office.agency, admin=True)
    rows = client_for(admin).get("/api/v1/exchange/webhook-deliveries/").json()["results"]
    assert [(r["event"], r["ok"], r["agency_code"]) for r in rows] == [("document", True, external.agency.code)]
    assert client_for(office.clerk).get("/api/v1/exchange/webhook-deliveries/").status_code == 403
    stranger = MembershipFactory(agency=AgencyFactory(), admin=True)
    assert client_for(stranger).get("/api/v1/exchange/webhook-deliveries/").json()["results"] == []


def test_status_pull_costs_the_same_queries_for_2_and_12_statuses(external):
    from docflow.routing.handling import incoming_accept
    from tests.routing.factories import IncomingDocumentFactory

    commune = AgencyFactory()
    clerk = MembershipFactory(agency=commune, clerk=True)

    def accept_new(count: int) -> None:
        for _ in range(count):
            copy = IncomingDocumentFactory(
                agency=commune, sender_agency=external.agency, sender_code=external.agency.code,
                sender_name=external.agency.name,
            )
            incoming_accept(membership=clerk, incoming_id=copy.id)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = external.api.get("/api/v1/exchange/status/").json()
        assert all(m["staff"] == clerk.user.full_name for m in page["results"])
        return len(captured)

    external.api.get("/api/v1/exchange/status/")  # the key's first use of the minute is recorded
    accept_new(2)
    few = queries()
    accept_new(10)
    assert queries() == few


def test_pull_serves_only_settled_rows(external, settings):
    from datetime import timedelta

    from django.utils import timezone

    from docflow.routing.models import Delivery

    settings.DOCFLOW_EXCHANGE_FEED_SETTLE_SECONDS = 5
    office = sending_office()
    document = issue_to(office, external.agency.code)
    assert external.api.get(URL).json()["results"] == []  # just issued: maybe not all committed
    with cross_agency("system"):
        Delivery.objects.filter(document=document).update(created_at=timezone.now() - timedelta(seconds=6))
    assert [d["id"] for d in external.api.get(URL).json()["results"]] == [str(document.id)]
