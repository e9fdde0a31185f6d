"""Our webhooks verify at a receiver that follows docs/EXCHANGE.md, and only as sent: the same
message replayed, a stale one, a tampered body or another secret's signature are refused."""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest

from docflow.exchange.signing import signed_headers
from tests.documents.story import sending_office
from tests.exchange.test_outbound import issue_to

pytestmark = pytest.mark.django_db


def deliver(url: str, headers: dict, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_webhook_verifies_once_and_its_forgeries_do_not(external, external_server,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issue_to(sending_office(), external.agency.code)
    [(headers, body)] = external_server.raw
    assert len(external_server.accepted) == 1 and external_server.refused == []

    assert deliver(external_server.url, headers, body) == 409  # replayed as captured
    stale = signed_headers(secret=external.secret, body=body, now=time.time() - 301)
    assert deliver(external_server.url, stale, body) == 401
    tampered = body.replace(b'"status_code":"01"', b'"status_code":"06"')
    assert tampered != body
    assert deliver(external_server.url, {**headers, "X-Docflow-Id": "another"}, tampered) == 401
    forged = signed_headers(secret="whsec_guessed", body=body)
    assert deliver(external_server.url, forged, body) == 401
    assert len(external_server.accepted) == 1
    assert len(external_server.refused) == 4
