"""An external system's retry racing its first attempt: one document, the same answer twice."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from docflow.exchange import inbound
from docflow.exchange.models import InboundDocument
from docflow.routing.models import IncomingDocument
from docflow.core.scoping import cross_agency
from tests.exchange.conftest import envelope
from tests.exchange.factories import SigningAPIClient


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_retry_sent_while_the_first_runs_waits_and_replays(communes, external, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("two connections waiting on one unique index need PostgreSQL (the PostgreSQL pass)")
    real_deliver = inbound._deliver

    def slow_deliver(*args, **kwargs):
        time.sleep(0.3)  # the first holds its Idempotency-Key row while the retry arrives
        return real_deliver(*args, **kwargs)

    monkeypatch.setattr(inbound, "_deliver", slow_deliver)
    body = envelope(external.agency.code, [c.agency.code for c in communes])
    start, answers = threading.Barrier(2), []

    def send():
        api = SigningAPIClient(key=external.key, secret=external.secret)
        start.wait()
        try:
            answers.append(api.post("/api/v1/exchange/documents/", body, format="json",
                                    HTTP_IDEMPOTENCY_KEY="race-1"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    with cross_agency("system"):
        assert InboundDocument.objects.count() == 1
        assert IncomingDocument.objects.count() == 2
