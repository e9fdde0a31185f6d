"""What an external system sends us: JSON, multipart or edXML; every refusal names its field."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import override_settings

from docflow.exchange.models import InboundDocument
from docflow.routing.models import IncomingDocument
from docflow.core.scoping import cross_agency
from tests.exchange.conftest import envelope, small_pdf
from tests.exchange.factories import ExternalAgencyFactory
from tests.exchange.test_edxml import package

pytestmark = pytest.mark.django_db
URL = "/api/v1/exchange/documents/"


def post(external, body, key="k-1", **extra):
    return external.api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key, **extra)


def copies() -> int:
    with cross_agency("system"):
        return IncomingDocument.objects.count()


def test_idempotency_key_is_required_and_named(communes, external):
    answer = external.api.post(URL, envelope(external.agency.code, [communes[0].agency.code]), format="json")
    assert answer.status_code == 400 and "Idempotency-Key" in answer.json()
    assert copies() == 0


def test_sender_code_must_be_the_keys_agency(communes, external):
    other = ExternalAgencyFactory()
    answer = post(external, envelope(other.code, [communes[0].agency.code]))
    assert answer.status_code == 403 and copies() == 0


def test_unknown_recipient_codes_are_all_listed_and_nothing_is_delivered(communes, external):
    elsewhere = ExternalAgencyFactory()  # outside Docflow: not one of our agencies
    body = envelope(external.agency.code, [communes[0].agency.code, "999.99.99.Z99", elsewhere.code])
    answer = post(external, body)
    assert answer.status_code == 400
    message = " ".join(answer.json()["recipients"])
    assert "999.99.99.Z99" in message and elsewhere.code in message
    assert communes[0].agency.code not in message
    assert copies() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"issued_at": "05/03/2026x"}, "issued_at"),
        ({"doc_type": "thu_tin"}, "doc_type"),
        ({"subject": "x" * 501}, "subject"),
        ({"subject": ""}, "subject"),
        ({"urgency": "asap"}, "urgency"),
        ({"secrecy": "secret"}, "secrecy"),
        ({"signer": None}, "signer"),
        ({"signer": {"position": "Giám đốc"}}, "signer"),
        ({"recipients": []}, "recipients"),
        ({"recipients": ["not-a-code"]}, "recipients"),
        ({"number": "mười hai"}, "number"),
        ({"reply_to": {"sender_code": "000.00.31.H52"}}, "reply_to"),
        ({"attachments": [{"name": "a.pdf", "content_base64": "@@not base64@@"}]}, "attachments"),
        ({"sender_code": None}, "sender_code"),
    ],
)
def test_each_malformed_field_is_named(communes, external, change, field):
    answer = post(external, {**envelope(external.agency.code, [communes[0].agency.code]), **change})
    assert answer.status_code == 400 and field in answer.json(), answer.json()
    assert copies() == 0


def test_body_that_is_not_a_json_object_is_refused(external):
    answer = external.api.post(URL, "[1, 2]", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert answer.status_code == 400
    answer = external.api.post(URL, "{not json", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert answer.status_code == 400


def test_attachment_refused_by_the_content_checks_is_named(communes, external):
    bad = base64.b64encode(b"MZ\x90\x00 this is a program").decode()
    body = envelope(external.agency.code, [communes[0].agency.code],
                    attachments=[{"name": "setup.exe", "content_base64": bad}])
    answer = post(external, body)
    assert answer.status_code == 400 and "setup.exe" in answer.json()["attachments"][0]
    assert copies() == 0


def test_multipart_envelope_with_file_parts(communes, external):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = envelope(external.agency.code, [communes[0].agency.code])
    answer = external.api.post(URL, {
        "envelope": json.dumps(body),
        "file": SimpleUploadedFile("phu-luc.pdf", small_pdf(), content_type="application/pdf"),
    }, format="multipart", HTTP_IDEMPOTENCY_KEY="m-1")
    assert answer.status_code == 201, answer.json()
    with cross_agency("system"):
        copy = IncomingDocument.objects.get()
        assert [a.name for a in copy.attachments.all()] == ["phu-luc.pdf"]


def test_multipart_without_envelope_names_it(external):
    answer = external.api.post(URL, {"other": "x"}, format="multipart", HTTP_IDEMPOTENCY_KEY="m-2")
    assert answer.status_code == 400 and "envelope" in answer.json()


def test_edxml_message_becomes_the_same_incoming_copies(communes, external):
    raw = package(recipients=[c.agency.code for c in communes]).replace(b"000.00.00.G12", external.agency.code.encode())
    raw = raw.replace(b"%PDF-1.4 test", b"")  # replaced below by a real PDF
    pdf = base64.b64encode(small_pdf()).decode().encode()
    raw = raw.replace(base64.b64encode(b"%PDF-1.4 test"), pdf)
    answer = external.api.post(URL, raw, content_type="application/xml", HTTP_IDEMPOTENCY_KEY="x-1")
    assert answer.status_code == 201, answer.json()
    with cross_agency("system"):
        rows = list(IncomingDocument.objects.order_by("agency_id"))
        assert {r.agency_id for r in rows} == {c.agency.pk for c in communes}
        assert {(r.notation, r.urgency, r.issued_on.isoformat()) for r in rows} == {("12/SNV-VP", "urgent", "2026-03-05")}
        assert InboundDocument.objects.get().fmt == "edxml"


def test_edxml_errors_name_the_message_header_element(communes, external):
    raw = package(recipients=[communes[0].agency.code]).replace(b"000.00.00.G12", external.agency.code.encode())
    raw = raw.replace(b"<CodeNotation>12/SNV-VP</CodeNotation>", b"<CodeNotation></CodeNotation>")
    answer = external.api.post(URL, raw, content_type="application/xml", HTTP_IDEMPOTENCY_KEY="x-2")
    assert answer.status_code == 400 and "MessageHeader/Code/CodeNotation" in answer.json()


@pytest.mark.parametrize("attack", [
    b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><edXMLEnvelope>&c;</edXMLEnvelope>',
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><edXMLEnvelope>&x;</edXMLEnvelope>',
    b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><edXMLEnvelope/>',
], ids=["billion-laughs", "external-entity", "external-dtd"])
def test_hostile_xml_is_refused_with_400(external, attack):
    answer = external.api.post(URL, attack, content_type="application/xml", HTTP_IDEMPOTENCY_KEY="x-3")
    assert answer.status_code == 400 and "edXML" in answer.json()


def test_unsupported_content_type_is_415(external):
    answer = external.api.post(URL, "a=b", content_type="text/plain", HTTP_IDEMPOTENCY_KEY="t")
    assert answer.status_code == 415


@override_settings(DOCFLOW_EXCHANGE_MAX_BODY_BYTES=2048)
def test_oversized_body_is_refused_before_it_is_read(communes, external, monkeypatch):
    from django.core.handlers.wsgi import WSGIRequest

    reads = []
    original = WSGIRequest.read
    monkeypatch.setattr(WSGIRequest, "read", lambda self, *a: reads.append(a) or original(self, *a))
    body = envelope(external.agency.code, [communes[0].agency.code], content="x" * 5000)
    answer = post(external, body)
    assert answer.status_code == 413 and reads == []
    assert copies() == 0


def test_requests_without_a_valid_key_are_refused(communes, external):
    from rest_framework.test import APIClient

    body = envelope(external.agency.code, [communes[0].agency.code])
    anonymous = APIClient()
    assert anonymous.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="a").status_code == 401
    anonymous.credentials(HTTP_AUTHORIZATION="Api-Key dfx_000000000000.wrong")
    assert anonymous.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="a").status_code == 401
    assert anonymous.get(URL).status_code == 401
    assert copies() == 0


def test_a_user_token_is_not_an_exchange_key(communes, client_for):
    answer = client_for(communes[0].clerk).get(URL)
    assert answer.status_code == 401


def test_delivery_to_2_or_20_agencies_costs_the_same_queries(external):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.exchange.conftest import commune

    agencies = [commune(f"Xã {n}").agency.code for n in range(20)]

    def queries(codes, key) -> int:
        # Two documents (the same identifier twice would be one document).
        body = envelope(external.agency.code, codes, notation=f"12/SNV-{key.upper()}", attachments=[
            {"name": "cv.pdf", "content_base64": base64.b64encode(small_pdf()).decode()}])
        with CaptureQueriesContext(connection) as captured:
            assert post(external, body, key=key).status_code == 201
        return len(captured)

    external.api.get(URL)  # the key's first use of the minute is recorded: not part of a POST
    assert queries(agencies[:2], "q-2") == queries(agencies, "q-20")


def test_clerks_are_notified_once_however_often_the_task_runs(communes, external):
    from docflow.exchange.inbound import inbound_notify
    from docflow.notifications.models import Notification

    answer = post(external, envelope(external.agency.code, [c.agency.code for c in communes]))
    inbound_id = answer.json()["id"]
    assert inbound_notify(inbound_id=inbound_id) == 2  # one clerk in each commune
    assert inbound_notify(inbound_id=inbound_id) == 0
    with cross_agency("system"):
        assert set(Notification.objects.values_list("recipient_id", flat=True)) == {
            c.clerk.user_id for c in communes}


def test_a_copy_received_through_the_exchange_shows_its_history_and_its_main_file_first(communes, external, client_for):
    body = envelope(external.agency.code, [communes[0].agency.code])
    body["attachments"] = [
        {"name": "van-ban.pdf", "content_base64": base64.b64encode(small_pdf("Phu luc")).decode()},
    ]
    assert post(external, body).status_code == 201
    with cross_agency("system"):
        copy = IncomingDocument.objects.get(agency=communes[0].agency)
    detail = client_for(communes[0].clerk).get(f"/api/v1/incoming/{copy.pk}/").json()
    assert [e["action"] for e in detail["history"]] == ["incoming.delivered"]
    assert [a["is_main"] for a in detail["attachments"]] == [True]


@pytest.mark.parametrize("name, data", [
    ("cong-van.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20 + b"IEND\xaeB`\x82" + b"%PDF-1.7\n%%EOF\n"),
    ("cong-van.html", small_pdf()),
])
def test_an_inbound_polyglot_or_wrong_name_is_refused_like_an_upload(communes, external, name, data):
    body = envelope(external.agency.code, [communes[0].agency.code],
                    attachments=[{"name": name, "content_base64": base64.b64encode(data).decode()}])
    answer = post(external, body)
    assert answer.status_code == 400 and name in answer.json()["attachments"][0]
    assert copies() == 0
