"""With Redis and a real Celery worker process: work enqueued on commit runs, a rollback's never.

Runs in the PostgreSQL pass (.ci/run); needs CELERY_BROKER_URL pointing at Redis.
"""

from __future__ import annotations

import time

import pytest
from django.core import mail

from docflow.core.scoping import cross_agency
from docflow.core.services import service_transaction
from docflow.notifications.models import Notification
from docflow.notifications.services import notification_create
from docflow.outbox.models import OutboxTask
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_task_enqueued_on_commit_runs_in_the_worker(celery_worker_process):
    member = MembershipFactory(staff=True)
    with service_transaction():
        rolled_back = None
        try:
            with service_transaction():
                rolled_back = notification_create(
                    agency_id=member.agency_id, recipient_id=member.user_id, kind="test",
                    title="Bị hủy", dedup_key="rolled-back",
                )
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    assert rolled_back is not None
    with service_transaction():
        kept = notification_create(
            agency_id=member.agency_id, recipient_id=member.user_id, kind="test",
            title="Văn bản mới", dedup_key="committed",
        )

    def emailed():
        with cross_agency("system"):
            return Notification.objects.filter(id=kept.id, emailed_at__isnull=False).exists()

    assert wait_for(emailed), celery_worker_process.log()
    # It ran in the worker process (console email there), not eagerly in this one.
    assert mail.outbox == []
    assert "notify.notification_email" in celery_worker_process.log()
    assert OutboxTask.objects.get(dedup_key=f"email:{kept.id}").done_at is not None
    with cross_agency("system"):
        assert not Notification.objects.filter(dedup_key="rolled-back").exists()
    assert not OutboxTask.objects.filter(dedup_key=f"email:{rolled_back.id}").exists()
    assert f"email:{rolled_back.id}" not in celery_worker_process.log()
    assert str(rolled_back.id) not in celery_worker_process.log()
