"""Two retries of one create racing each other make one document (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument
from tests.conftest import api_client_for
from tests.documents.story import sending_office

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_retries_with_one_key_create_once_and_answer_alike():
    if connection.vendor != "postgresql":
        pytest.fail("concurrent transactions need PostgreSQL: run scripts/test.sh postgres")
    office = sending_office()
    body = {"doc_type": "thong_bao", "subject": "Thông báo lịch trực"}
    answers, barrier = [], threading.Barrier(4)

    def retry():
        try:
            client = api_client_for(office.staff)
            barrier.wait()
            response = client.post("/api/v1/outgoing/", body, format="json", HTTP_IDEMPOTENCY_KEY="mot-lan")
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(answers) == 4 and {code for code, _ in answers} == {201}
    assert len({doc_id for _, doc_id in answers}) == 1
    with cross_agency("system"):
        assert OutgoingDocument.objects.filter(agency=office.agency).count() == 1
