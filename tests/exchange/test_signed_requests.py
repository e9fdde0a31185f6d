"""Requests an external system signs must verify: replayed, stale, tampered or wrongly signed
ones are refused (401) and change nothing."""

from __future__ import annotations

import io
import json
import time

import pytest
from rest_framework.test import APIClient

from docflow.exchange.signing import signed_headers
from docflow.routing.models import IncomingDocument
from docflow.core.scoping import cross_agency
from tests.exchange.conftest import envelope

pytestmark = pytest.mark.django_db
URL = "/api/v1/exchange/documents/"


def meta(headers: dict[str, str]) -> dict[str, str]:
    return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}


def send(external, body: bytes, headers: dict[str, str], key: str = "sig-1"):
    return external.api.generic("POST", URL, body, content_type="application/json",
                                HTTP_IDEMPOTENCY_KEY=key, **meta(headers))


def copies() -> int:
    with cross_agency("system"):
        return IncomingDocument.objects.count()


@pytest.fixture
def body(communes, external) -> bytes:
    return json.dumps(envelope(external.agency.code, [communes[0].agency.code])).encode()


def test_a_signed_request_is_accepted_once_and_its_replay_refused(external, body):
    headers = signed_headers(secret=external.secret, body=body)
    assert send(external, body, headers).status_code == 201
    replay = send(external, body, headers)
    assert replay.status_code == 401 and "lặp lại" in replay.json()["detail"]
    retry = signed_headers(secret=external.secret, body=body)  # a retry signs with a new id
    assert send(external, body, retry)["Idempotent-Replayed"] == "true"
    assert copies() == 1


def test_a_stale_request_is_refused(external, body):
    headers = signed_headers(secret=external.secret, body=body, now=time.time() - 301)
    assert send(external, body, headers).status_code == 401 and copies() == 0


def test_a_tampered_body_is_refused(external, body):
    headers = signed_headers(secret=external.secret, body=body)
    tampered = body.replace(b"12/SNV-VP", b"99/SNV-VP")
    assert send(external, tampered, headers).status_code == 401 and copies() == 0


def test_a_request_signed_with_another_secret_is_refused(external, body):
    headers = signed_headers(secret="whsec_not-the-agency-secret", body=body)
    assert send(external, body, headers).status_code == 401 and copies() == 0


def test_incomplete_signature_headers_are_refused(external, body):
    headers = signed_headers(secret=external.secret, body=body)
    del headers["X-Docflow-Signature"]
    assert send(external, body, headers).status_code == 401 and copies() == 0


def test_signed_pull_is_accepted(external):
    headers = signed_headers(secret=external.secret, body=b"")
    assert external.api.get(URL, **meta(headers)).status_code == 200
    assert external.api.get(URL, **meta(headers)).status_code == 401


# Signing required for writes (issue #19) -------------------------------------------------------

def test_an_unsigned_write_with_a_valid_key_is_refused_and_changes_nothing(external, body):
    answer = send(external, body, {"X-Docflow-Signature": ""})  # no signature headers at all
    assert answer.status_code == 401 and "phải được ký" in answer.json()["detail"]
    plain = APIClient()
    plain.credentials(HTTP_AUTHORIZATION=f"Api-Key {external.key}")
    status_body = json.dumps({"document_id": "x", "status_code": "03"}).encode()
    for url, data in ((URL, body), ("/api/v1/exchange/status/", status_body)):
        answer = plain.generic("POST", url, data, content_type="application/json", HTTP_IDEMPOTENCY_KEY="u-1")
        assert answer.status_code == 401, url
    assert copies() == 0


def test_reads_need_no_signature(external):
    plain = APIClient()
    plain.credentials(HTTP_AUTHORIZATION=f"Api-Key {external.key}")
    assert plain.get(URL).status_code == 200


def test_only_the_operator_lets_a_legacy_system_write_unsigned_and_it_is_audited(communes, external, body):
    from django.core.management import call_command

    from docflow.audit.models import AuditEvent
    from docflow.exchange.models import ExchangeClient

    plain = APIClient()
    plain.credentials(HTTP_AUTHORIZATION=f"Api-Key {external.key}")
    unsigned = lambda key: plain.generic(  # noqa: E731
        "POST", URL, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert unsigned("legacy-0").status_code == 401
    call_command("exchange_client_unsigned", code=external.agency.code, allow=True, stdout=io.StringIO())
    assert unsigned("legacy-1").status_code == 201
    with cross_agency("system"):
        assert ExchangeClient.objects.get(external_agency=external.agency).allow_unsigned
        assert AuditEvent.objects.filter(action="exchange_client.unsigned_allowed").count() == 1
    call_command("exchange_client_unsigned", code=external.agency.code, refuse=True, stdout=io.StringIO())
    assert unsigned("legacy-2").status_code == 401 and copies() == 1


def test_the_legacy_switch_shows_on_the_admin_list(admin_client, external):
    from docflow.exchange.clients import exchange_client_unsigned_set

    exchange_client_unsigned_set(code=external.agency.code, allow=True)
    page = admin_client.get("/admin/exchange/exchangeclient/")
    assert page.status_code == 200 and b"allow_unsigned" in page.content


def test_a_noisy_client_is_slowed_alone_and_the_count_is_shared(settings, communes, external):
    from django.core.cache import caches

    from tests.exchange.factories import SigningAPIClient, issued_key

    settings.DOCFLOW_EXCHANGE_RATE = "3/min"
    caches["exchange"].clear()
    answers = [external.api.get(URL).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert SigningAPIClient(key=external.key, secret=external.secret).get(URL).status_code == 429  # another process
    other = issued_key()
    assert SigningAPIClient(key=other.key, secret=other.signing_secret).get(URL).status_code == 200
