"""With a real Celery worker: a refused webhook is retried later with the same message id."""

from __future__ import annotations

import pytest

from docflow.core.scoping import cross_agency
from docflow.exchange.models import WebhookDelivery
from tests.exchange.test_outbound import issue_to
from tests.documents.story import sending_office
from tests.workers.test_real_worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_retries_a_refused_push_with_backoff(celery_worker_process, external, external_server):
    external_server.fail_next = 1
    office = sending_office()
    document = issue_to(office, external.agency.code)

    def attempts():
        with cross_agency("system"):
            return list(WebhookDelivery.objects.order_by("attempt").values_list("attempt", "ok", "message_id"))

    assert wait_for(lambda: len(attempts()) == 2, timeout=60), celery_worker_process.log()
    (first, failed, first_id), (second, ok, second_id) = attempts()
    assert (first, failed, second, ok) == (1, False, 2, True) and first_id == second_id
    [message] = [m for m in external_server.accepted if m["event"] == "document"]
    assert message["document"]["id"] == str(document.id) and external_server.refused == []
