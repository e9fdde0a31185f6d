"""Work recorded with the transaction: it runs after commit, never after a rollback, and a lost
send is re-driven by the sweeper."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery import current_app
from django.core import mail
from django.db import transaction
from django.utils import timezone

from docflow.core.scoping import cross_agency
from docflow.core.services import service_transaction
from docflow.notifications.models import Notification
from docflow.notifications.services import notification_create
from docflow.outbox.models import OutboxTask
from docflow.outbox.services import MAX_SENDS, outbox_enqueue_many, outbox_sweep
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def notify(member, key="k1"):
    return notification_create(
        agency_id=member.agency_id, recipient_id=member.user_id, kind="test",
        title="Có văn bản đến", body="Văn bản số 05/QĐ-UBND", object_type="incoming_document",
        object_id="0190a0c8-0000-7000-8000-000000000001", dedup_key=key,
    )


def test_email_is_sent_after_commit_once(django_capture_on_commit_callbacks):
    member = MembershipFactory(staff=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with service_transaction():  # the service's transaction
            notify(member)
            assert mail.outbox == []  # nothing leaves before commit
    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [[member.user.email]]
    assert "Có văn bản đến" in mail.outbox[0].subject
    row = OutboxTask.objects.get()
    assert row.done_at is not None and row.send_count == 1


def test_rolled_back_work_never_runs(django_capture_on_commit_callbacks):
    member = MembershipFactory(staff=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError, match="after recording work"):
            with service_transaction():
                notify(member)
                raise RuntimeError("the service failed after recording work")
    assert callbacks == []
    assert not OutboxTask.objects.exists()
    with cross_agency("system"):
        assert not Notification.objects.exists()
    assert mail.outbox == []


def test_the_same_event_twice_notifies_once(django_capture_on_commit_callbacks):
    member = MembershipFactory(staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(member) is not None
        assert notify(member) is None
    with cross_agency("system"):
        assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_running_the_email_task_twice_sends_once(django_capture_on_commit_callbacks):
    member = MembershipFactory(staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(member)
    task = current_app.tasks["notify.notification_email"]
    assert task.apply(kwargs={"agency_id": member.agency_id, "notification_id": str(notification.id)}).get() is False
    assert len(mail.outbox) == 1


def test_sweeper_resends_work_whose_send_was_lost(monkeypatch, settings, django_capture_on_commit_callbacks):
    member = MembershipFactory(staff=True)
    broker = {"down": True}

    def send_task(name, kwargs, queue, **options):
        if broker["down"]:
            raise ConnectionError("broker unreachable")
        # The broker is back: a worker picks the message up and runs it.
        current_app.tasks[name].apply(kwargs=kwargs, throw=True)

    monkeypatch.setattr(current_app, "send_task", send_task)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with django_capture_on_commit_callbacks(execute=True):
        notify(member)  # the request still succeeds while the broker is down
    row = OutboxTask.objects.get()
    assert row.sent_at is None and row.done_at is None and mail.outbox == []
    assert outbox_sweep() == 0  # too recent to re-drive
    broker["down"] = False
    assert outbox_sweep(now=timezone.now() + timedelta(minutes=5)) == 1
    row.refresh_from_db()
    assert row.done_at is not None
    assert len(mail.outbox) == 1
    assert outbox_sweep(now=timezone.now() + timedelta(days=1)) == 0


def test_a_dead_broker_costs_a_request_one_failed_send(monkeypatch, settings, django_capture_on_commit_callbacks):
    attempts = []

    def send_task(name, kwargs, queue, **options):
        attempts.append(name)
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(current_app, "send_task", send_task)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    work = [{"task_name": "outbox.purge", "kwargs": {}, "queue": "default"} for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            outbox_enqueue_many(tasks=work)
    assert len(attempts) == 1  # the other four were left to the sweeper at once
    assert list(OutboxTask.objects.values_list("sent_at", "send_count").distinct()) == [(None, 0)]

    monkeypatch.setattr(current_app, "send_task", lambda name, kwargs, queue, **options: attempts.append(name))
    assert outbox_sweep(now=timezone.now() + timedelta(minutes=5)) == 5
    assert OutboxTask.objects.filter(send_count=1, sent_at__isnull=False).count() == 5


def test_work_that_never_finishes_is_sent_at_most_max_sends_times(monkeypatch, settings):
    sent = []
    monkeypatch.setattr(current_app, "send_task", lambda name, kwargs, queue, **options: sent.append(name))
    settings.CELERY_TASK_ALWAYS_EAGER = False
    OutboxTask.objects.create(task_name="outbox.purge", kwargs={})
    later = timezone.now()
    for _ in range(MAX_SENDS + 3):
        later += timedelta(days=1)  # each time long past the visibility timeout
        outbox_sweep(now=later)
    assert len(sent) == MAX_SENDS
    assert OutboxTask.objects.get().send_count == MAX_SENDS


def test_fan_out_skips_work_already_recorded_under_its_dedup_key(django_capture_on_commit_callbacks):
    work = [{"task_name": "outbox.purge", "kwargs": {}, "queue": "default", "dedup_key": "daily:1"}]
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            outbox_enqueue_many(tasks=work)
        with transaction.atomic():
            outbox_enqueue_many(tasks=work + [{**work[0], "dedup_key": "daily:2"}])
    assert sorted(OutboxTask.objects.values_list("dedup_key", flat=True)) == ["daily:1", "daily:2"]
    assert OutboxTask.objects.filter(done_at__isnull=True).count() == 0
