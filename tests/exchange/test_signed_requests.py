"""Requests an external system signs must verify: replayed, stale, tampered or wrongly signed
ones are refused (401) and change nothing."""

from __future__ import annotations

import json
import time

import pytest

from docflow.exchange.signing import signed_headers
from docflow.routing.models import IncomingDocument
from docflow.core.scoping import scopes_disabled
from tests.exchange.conftest import envelope

pytestmark = pytest.mark.django_db
URL = "/api/v1/exchange/documents/"


def meta(headers: dict[str, str]) -> dict[str, str]:
    return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}


def send(external, body: bytes, headers: dict[str, str], key: str = "sig-1"):
    return external.api.generic("POST", URL, body, content_type="application/json",
                                HTTP_IDEMPOTENCY_KEY=key, **meta(headers))


def copies() -> int:
    with scopes_disabled():
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
