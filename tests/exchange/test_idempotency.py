"""Retries never duplicate: the same Idempotency-Key returns the first answer."""

from __future__ import annotations

import pytest

from docflow.exchange.models import InboundDocument
from docflow.routing.models import IncomingDocument
from docflow.core.scoping import cross_agency
from tests.exchange.conftest import envelope

pytestmark = pytest.mark.django_db
URL = "/api/v1/exchange/documents/"


def test_a_retry_returns_the_first_answer_and_another_body_is_409(communes, external):
    body = envelope(external.agency.code, [communes[0].agency.code])
    first = external.api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="snv-1")
    again = external.api.post(URL, dict(reversed(list(body.items()))), format="json", HTTP_IDEMPOTENCY_KEY="snv-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    other = external.api.post(URL, {**body, "subject": "Khác"}, format="json", HTTP_IDEMPOTENCY_KEY="snv-1")
    assert other.status_code == 409 and other.json()["state"] == "idempotency_key_reused"
    with cross_agency("system"):
        assert InboundDocument.objects.count() == 1 and IncomingDocument.objects.count() == 1


def test_a_refused_request_keeps_no_key(communes, external):
    body = envelope(external.agency.code, ["999.99.99.Z99"])
    assert external.api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    fixed = {**body, "recipients": [communes[0].agency.code]}
    assert external.api.post(URL, fixed, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201


def test_keys_belong_to_one_client(communes, external):
    from tests.exchange.factories import SigningAPIClient, issued_key

    other = issued_key()
    api = SigningAPIClient(key=other.key, secret=other.signing_secret)
    mine = envelope(external.agency.code, [communes[0].agency.code])
    theirs = envelope(other.client.external_agency.code, [communes[0].agency.code])
    assert external.api.post(URL, mine, format="json", HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    assert api.post(URL, theirs, format="json", HTTP_IDEMPOTENCY_KEY="same").status_code == 201


def test_a_thousand_posts_each_retried_create_exactly_a_thousand_documents(communes, external):
    recipient = communes[0].agency.code
    ids = set()
    for n in range(1000):
        body = envelope(external.agency.code, [recipient], number=n + 1, notation=f"{n + 1:02d}/SNV-VP",
                        content="", due_date=None)
        first = external.api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=f"doc-{n}")
        retry = external.api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=f"doc-{n}")
        assert first.status_code == retry.status_code == 201
        assert retry.json()["id"] == first.json()["id"]
        ids.add(first.json()["id"])
    assert len(ids) == 1000
    with cross_agency("system"):
        assert InboundDocument.objects.count() == 1000
        assert IncomingDocument.objects.filter(agency=communes[0].agency).count() == 1000
