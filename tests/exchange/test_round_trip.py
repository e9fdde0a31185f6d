"""An external system pushes a document to two of our communes; one accepts and completes it;
the external system sees 03 and 06 both by pull and by signed webhooks."""

from __future__ import annotations

import base64

import pytest

from docflow.exchange.models import WebhookDelivery
from docflow.notifications.models import Notification
from docflow.routing.models import IncomingAttachment, IncomingDocument
from docflow.core.scoping import agency_scope, cross_agency
from tests.conftest import api_client_for
from tests.exchange.conftest import envelope, small_pdf

pytestmark = pytest.mark.django_db(transaction=True)


def test_external_push_reaches_two_communes_and_statuses_come_back_by_pull_and_webhook(
    communes, external, external_server
):
    phieng_ban, song_pe = communes
    pdf = small_pdf()
    body = envelope(
        external.agency.code, [phieng_ban.agency.code, song_pe.agency.code],
        attachments=[{"name": "cv-12.pdf", "content_base64": base64.b64encode(pdf).decode()}],
    )
    sent = external.api.post("/api/v1/exchange/documents/", body, format="json", HTTP_IDEMPOTENCY_KEY="snv-12")
    assert sent.status_code == 201, sent.json()
    copies = {c["agency_code"]: c for c in sent.json()["recipients"]}
    assert set(copies) == {phieng_ban.agency.code, song_pe.agency.code}
    assert {c["status_code"] for c in copies.values()} == {"01"}

    with agency_scope(song_pe.agency):
        copy = IncomingDocument.objects.get()
        assert (copy.sender_code, copy.notation, copy.urgency) == (external.agency.code, "12/SNV-VP", "urgent")
        assert copy.status_code == "01" and copy.signer_name == "Cầm Văn Xuân"
        assert IncomingAttachment.objects.get().size == len(pdf)

    incoming_id = copies[phieng_ban.agency.code]["incoming_id"]
    with cross_agency("system"):
        notice = Notification.objects.get(recipient=phieng_ban.clerk.user)
    assert notice.kind == "incoming_delivered" and str(notice.object_id) == incoming_id
    clerk, leader = api_client_for(phieng_ban.clerk), api_client_for(phieng_ban.leader)
    lead = api_client_for(phieng_ban.staff)
    assert clerk.post(f"/api/v1/incoming/{incoming_id}/accept/").status_code == 200
    assigned = leader.post(f"/api/v1/incoming/{incoming_id}/assign/",
                           {"lead": phieng_ban.staff.user.username}, format="json")
    assert assigned.status_code == 200, assigned.json()
    done = lead.post(f"/api/v1/incoming/{incoming_id}/complete/", {"note": "Đã rà soát xong."}, format="json")
    assert done.status_code == 200, done.json()

    pulled = external.api.get("/api/v1/exchange/status/")
    assert pulled.status_code == 200
    messages = pulled.json()["results"]
    assert [m["status_code"] for m in messages] == ["03", "04", "06"]
    assert {m["recipient_code"] for m in messages} == {phieng_ban.agency.code}
    assert {m["document_id"] for m in messages} == {sent.json()["id"]}
    assert messages[0]["staff"] == phieng_ban.clerk.user.full_name

    # The next poll from the returned cursor has nothing new.
    since = pulled.json()["since"]
    assert external.api.get("/api/v1/exchange/status/", {"since": since}).json()["results"] == []

    assert external_server.statuses() == [(phieng_ban.agency.code, c) for c in ("03", "04", "06")]
    assert external_server.refused == []
    with cross_agency("system"):
        log = list(WebhookDelivery.objects.filter(event="status").order_by("created_at"))
    assert [row.ok for row in log] == [True, True, True]
    assert {row.agency_id for row in log} == {phieng_ban.agency.pk}
