"""An ``Idempotency-Key`` in front of a service: the record and the service's writes commit together."""

from __future__ import annotations

import pytest

from docflow.api.models import IdempotencyRecord
from docflow.core.scoping import cross_agency
from docflow.routing.models import IncomingDocument
from tests.api.test_incoming_intake import BODY, URL
from tests.routing.conftest import commune  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_registration_sent_twice_with_one_key_registers_once_through_the_durable_service(client_for, commune):
    clerk = client_for(commune.clerk)
    first = clerk.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="vao-so-1")
    again = clerk.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="vao-so-1")
    assert first.status_code == again.status_code == 201, first.content
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert first.json()["incoming_number"] == 1
    with cross_agency("system"):
        assert IncomingDocument.objects.filter(agency=commune.agency).count() == 1
        assert IdempotencyRecord.objects.filter(agency=commune.agency, key="vao-so-1").count() == 1


def test_an_answer_other_than_success_keeps_no_record_and_the_key_can_be_sent_again(client_for, commune):
    clerk = client_for(commune.clerk)
    clerk.post(URL, BODY, format="json")
    duplicate = clerk.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="vao-so-2")
    assert duplicate.status_code == 409 and duplicate.json()["state"]
    with cross_agency("system"):
        assert not IdempotencyRecord.objects.filter(key="vao-so-2").exists()
    done = clerk.post(URL, {**BODY, "duplicate_reason": "Bản gốc đến sau bản fax"}, format="json",
                      HTTP_IDEMPOTENCY_KEY="vao-so-2")
    assert done.status_code == 201 and "Idempotent-Replayed" not in done
    assert done.json()["incoming_number"] == 2
