"""The duplicate guard under concurrency: the same DocumentId sent twice at once, under two
Idempotency-Keys, is one document; the second answer says so."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from docflow.core.scoping import cross_agency
from docflow.exchange import inbound
from docflow.exchange.models import InboundDocument
from docflow.routing.models import IncomingDocument
from tests.exchange.factories import ExternalAgencyFactory, SigningAPIClient, issued_key
from tests.exchange.test_edxml_axis import PHIENG_BAN, SENDER, SONG_PE, fixture
from tests.factories import AgencyFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submissions_of_one_document_id_at_once_make_one_document(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("two connections racing on one unique index need PostgreSQL (the PostgreSQL pass)")
    sender = ExternalAgencyFactory(code=SENDER)
    issued = issued_key(agency=sender)
    AgencyFactory(code=PHIENG_BAN)
    AgencyFactory(code=SONG_PE)
    real_received = inbound._received
    # Both pass the first look before either has written: the unique index decides.
    monkeypatch.setattr(inbound, "_received", lambda *a: (time.sleep(0.2), real_received(*a))[1])
    raw, start, answers = fixture("new_document.edxml"), threading.Barrier(2), []

    def send(n: int):
        api = SigningAPIClient(key=issued.key, secret=issued.signing_secret)
        start.wait()
        try:
            answers.append(api.post("/api/v1/exchange/documents/", raw, content_type="application/xml",
                                    HTTP_IDEMPOTENCY_KEY=f"race-{n}"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(a.status_code for a in answers) == [200, 201], [a.content[:200] for a in answers]
    assert sorted(a.json()["duplicate"] for a in answers) == [False, True]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    with cross_agency("system"):
        assert InboundDocument.objects.count() == 1 and IncomingDocument.objects.count() == 2
