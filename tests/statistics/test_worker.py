"""With Redis and a real Celery worker process: a report asked for through the API is rendered
by the worker, and the API answers 202 until it is ready, then the PDF.

Runs in the PostgreSQL pass; needs CELERY_BROKER_URL pointing at Redis.
"""

from __future__ import annotations

import pytest

from tests.factories import AgencyFactory, MembershipFactory
from tests.workers.test_real_worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

URL = "/api/v1/statistics/reports/"


def test_a_report_asked_through_the_api_is_rendered_by_the_worker(celery_worker_process, client_for):
    leader = MembershipFactory(agency=AgencyFactory(), leader=True)
    client = client_for(leader)
    asked = client.post(URL, {"from": "2026-03-01", "to": "2026-03-31"}, format="json")
    assert asked.status_code == 202
    report_url = f"{URL}{asked.json()['id']}/"
    assert wait_for(lambda: client.get(report_url).json()["state"] == "ready"), celery_worker_process.log()
    pdf = client.get(report_url + "pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert "pdf.statistics_report" in celery_worker_process.log()
