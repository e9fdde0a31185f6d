"""Recovery in minutes, side effects once: each finding of issue #19's chaos run, reproduced.

Work whose message Redis lost, or whose worker died, is sent again within two minutes (not after
the visibility timeout); a row is marked sent only once the broker took it; a copy of a message
whose work is done does nothing; retries span a real outage; an e-mail is recorded right after
the server took it, and a repeat carries the same Message-ID; a webhook the receiver took is not
posted again.
"""

from __future__ import annotations

import random
import smtplib
from datetime import timedelta

import pytest
from celery import Task, current_app
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from docflow.core.scoping import cross_agency
from docflow.exchange.models import WebhookDelivery
from docflow.notifications.models import Notification
from docflow.notifications.services import notification_create, notification_email_send
from docflow.outbox.models import OutboxTask
from docflow.outbox.services import (
    SEND_ORDER_SLACK, Backlog, outbox_claim, outbox_lease_renew, outbox_send, outbox_sweep,
)
from tests.documents.story import sending_office
from tests.exchange.conftest import external, external_server  # noqa: F401 (fixtures)
from tests.exchange.test_outbound import issue_to
from tests.factories import MembershipFactory
from workers.base import DocflowTask, retry_countdown

pytestmark = pytest.mark.django_db

lost = []  # messages "published" to a broker that then lost them


@pytest.fixture
def broker_that_loses_messages(monkeypatch, settings):
    lost.clear()
    monkeypatch.setattr(current_app, "send_task", lambda name, kwargs, queue, **options: lost.append(kwargs))
    settings.CELERY_TASK_ALWAYS_EAGER = False


def purge_row() -> OutboxTask:
    return OutboxTask.objects.create(task_name="outbox.purge", kwargs={})


def queues_hold(monkeypatch, waiting: int | None, oldest_sent_at=None) -> None:
    """The broker's answer: ``waiting`` messages in every queue, the oldest sent at
    ``oldest_sent_at`` (None: it carries no send time); ``waiting`` None: the broker cannot say."""
    backlog = None if waiting is None else Backlog(waiting=waiting, oldest_sent_at=oldest_sent_at)
    monkeypatch.setattr("docflow.outbox.services.queue_backlog",
                        lambda *, queues: dict.fromkeys(queues, backlog))


def test_work_whose_message_redis_lost_is_sent_again_within_two_minutes(broker_that_loses_messages, monkeypatch):
    queues_hold(monkeypatch, 0)  # the broker restarted empty
    row = purge_row()
    assert outbox_send(outbox_id=row.id)
    assert len(lost) == 1
    now = timezone.now()
    assert outbox_sweep(now=now + timedelta(seconds=30)) == 0  # may still be on its way
    assert outbox_sweep(now=now + timedelta(seconds=90)) == 1
    assert outbox_sweep(now=now + timedelta(seconds=30)) == 0  # just sent again
    # That copy lost too (a worker killed with it): its queue is empty, so a minute again.
    assert outbox_sweep(now=now + timedelta(seconds=75)) == 1
    assert OutboxTask.objects.get().send_count == 3 and len(lost) == 3


def test_work_waiting_its_turn_behind_a_backlog_is_never_copied(broker_that_loses_messages, monkeypatch):
    row = purge_row()
    before = timezone.now() - timedelta(seconds=1)
    queues_hold(monkeypatch, 500, oldest_sent_at=before)  # a backlog that began before the row
    assert outbox_send(outbox_id=row.id)
    now = timezone.now()
    for minutes in (2, 10, 60):
        assert outbox_sweep(now=now + timedelta(minutes=minutes)) == 0
    assert len(lost) == 1


def test_work_the_queue_moved_past_is_sent_again_once(broker_that_loses_messages, monkeypatch):
    row = purge_row()
    assert outbox_send(outbox_id=row.id)
    sent_at = OutboxTask.objects.get().sent_at
    # The oldest message still waiting was sent after this row (beyond the send-order slack):
    # the queue moved past the row, whose worker died before it took the lease.
    queues_hold(monkeypatch, 500, oldest_sent_at=sent_at + SEND_ORDER_SLACK + timedelta(seconds=1))
    assert outbox_sweep(now=sent_at + timedelta(seconds=30)) == 0  # not before the redrive time
    assert outbox_sweep(now=sent_at + timedelta(seconds=90)) == 1
    # The copy joined the end of the queue, behind messages still waiting: it waits its turn.
    copy_sent_at = OutboxTask.objects.get().sent_at
    queues_hold(monkeypatch, 500, oldest_sent_at=copy_sent_at - timedelta(seconds=1))
    assert outbox_sweep(now=sent_at + timedelta(minutes=30)) == 0
    assert len(lost) == 2


def test_work_sent_just_before_the_oldest_waiting_message_may_still_wait(broker_that_loses_messages, monkeypatch):
    row = purge_row()
    assert outbox_send(outbox_id=row.id)
    sent_at = OutboxTask.objects.get().sent_at
    queues_hold(monkeypatch, 500, oldest_sent_at=sent_at + SEND_ORDER_SLACK / 2)  # two publishers raced
    assert outbox_sweep(now=sent_at + timedelta(minutes=10)) == 0


def test_a_sweep_of_a_long_backlog_costs_two_queries_and_a_lost_row_two_more(
        broker_that_loses_messages, monkeypatch, django_assert_num_queries):
    rows = [purge_row() for _ in range(30)]
    for row in rows:
        assert outbox_send(outbox_id=row.id)
    oldest = OutboxTask.objects.order_by("sent_at").first().sent_at
    queues_hold(monkeypatch, 500, oldest_sent_at=oldest)
    later = timezone.now() + timedelta(minutes=10)
    with django_assert_num_queries(2):  # the queues with rows to look at, the rows lost: none
        assert outbox_sweep(now=later) == 0
    lost_ones = rows[:3]
    OutboxTask.objects.filter(id__in=[r.id for r in lost_ones]).update(sent_at=oldest - timedelta(minutes=1))
    with django_assert_num_queries(2 + 2 * len(lost_ones)):  # each re-send: its row, then its mark
        assert outbox_sweep(now=later) == 3


@pytest.mark.parametrize("oldest_known", [False, None], ids=["message without send time", "broker cannot say"])
def test_work_of_a_queue_the_broker_cannot_date_is_copied_ever_less_often(broker_that_loses_messages,
                                                                        monkeypatch, oldest_known):
    queues_hold(monkeypatch, 500 if oldest_known is False else None)
    row = purge_row()
    assert outbox_send(outbox_id=row.id)
    now = timezone.now()
    assert outbox_sweep(now=now + timedelta(seconds=90)) == 1
    assert outbox_sweep(now=now + timedelta(seconds=100)) == 0  # the next copy after 120 s
    assert outbox_sweep(now=now + timedelta(seconds=130)) == 1
    assert outbox_sweep(now=now + timedelta(seconds=230)) == 0  # then 240 s
    assert outbox_sweep(now=now + timedelta(seconds=250)) == 1
    assert len(lost) == 4


def test_a_process_dying_while_publishing_leaves_its_row_unsent(monkeypatch, settings):
    queues_hold(monkeypatch, 0)
    def dies(name, kwargs, queue, **options):
        raise SystemExit("the web process was killed while publishing")

    monkeypatch.setattr(current_app, "send_task", dies)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    row = purge_row()
    with pytest.raises(SystemExit):
        outbox_send(outbox_id=row.id)
    row.refresh_from_db()
    assert (row.sent_at, row.send_count) == (None, 0)  # not "sent" without a message
    monkeypatch.setattr(current_app, "send_task", lambda name, kwargs, queue, **options: None)
    assert outbox_sweep(now=timezone.now() + timedelta(seconds=90)) == 1


def test_work_whose_worker_holds_the_lease_waits_and_a_dead_workers_is_sent_again(broker_that_loses_messages,
                                                                                  monkeypatch):
    queues_hold(monkeypatch, 0)
    row = purge_row()
    assert outbox_send(outbox_id=row.id)
    assert outbox_claim(outbox_id=row.id, owner="task-1", seconds=60)
    assert not outbox_claim(outbox_id=row.id, owner="task-2", seconds=60)  # a copy: does nothing
    assert outbox_claim(outbox_id=row.id, owner="task-1", seconds=60)  # its own redelivery
    now = timezone.now()
    assert outbox_sweep(now=now + timedelta(seconds=50)) == 0  # running, renewed by its worker
    assert outbox_lease_renew(leases=[(str(row.id), "task-1"), (str(row.id), "task-2")], seconds=60) == 1
    # Its worker was killed whole: nobody renews, the lease lapses, the sweeper sends it again.
    assert outbox_sweep(now=now + timedelta(seconds=90)) == 1
    assert len(lost) == 2


def test_a_copy_of_a_message_whose_work_is_done_does_nothing(monkeypatch):
    runs = []
    monkeypatch.setattr("workers.tasks.outbox_purge", lambda: runs.append(1) or 0)
    row = purge_row()
    task = current_app.tasks["outbox.purge"]
    task.apply(kwargs={"outbox_id": str(row.id)}, throw=True)
    task.apply(kwargs={"outbox_id": str(row.id)}, throw=True)  # redelivered after its worker died
    assert runs == [1]
    row.refresh_from_db()
    assert row.done_at is not None and row.lease_until is None


def test_a_copy_arriving_while_another_worker_runs_the_work_does_nothing(monkeypatch):
    runs = []
    monkeypatch.setattr("workers.tasks.outbox_purge", lambda: runs.append(1) or 0)
    row = purge_row()
    assert outbox_claim(outbox_id=row.id, owner="the-first-copy", seconds=60)
    current_app.tasks["outbox.purge"].apply(kwargs={"outbox_id": str(row.id)}, throw=True)
    assert runs == []
    row.refresh_from_db()
    assert row.done_at is None  # the first copy finishes it


def test_retries_span_a_database_outage_of_a_quarter_hour(monkeypatch):
    monkeypatch.setattr(random, "uniform", lambda low, high: low)  # the unluckiest jitter
    shortest = [retry_countdown(n) for n in range(DocflowTask.max_retries)]
    assert sum(shortest) >= 15 * 60
    assert shortest[0] >= 2 and max(shortest) <= 300
    monkeypatch.setattr(random, "uniform", lambda low, high: high)
    assert sum(retry_countdown(n) for n in range(DocflowTask.max_retries)) <= 40 * 60


def test_a_task_that_meets_a_dead_database_retries_after_the_capped_backoff(monkeypatch):
    from django.db import OperationalError

    def database_away():
        raise OperationalError("could not connect to server")

    class Retried(Exception):
        pass

    waits = []

    def celery_retry(self, *args, countdown=None, **kwargs):
        waits.append(countdown)
        raise Retried

    monkeypatch.setattr("workers.tasks.outbox_purge", database_away)
    monkeypatch.setattr(random, "uniform", lambda low, high: low)
    monkeypatch.setattr(Task, "retry", celery_retry)
    task = current_app.tasks["outbox.purge"]
    for retries in (0, 3, 9):
        with pytest.raises(Retried):
            task.apply(retries=retries, throw=True)
    assert waits == [2.5, 20.0, 150.0]  # half of 5 s × 2^n, capped at 300 s; never 0


def notification_of(member) -> Notification:
    return notification_create(
        agency_id=member.agency_id, recipient_id=member.user_id, kind="test",
        title="Có văn bản đến", body="Văn bản số 05/QĐ-UBND", dedup_key="k1",
    )


class DiesAfterSending(EmailBackend):
    """The SMTP server accepts the message; the worker is killed before anything else happens."""

    def send_messages(self, messages):
        super().send_messages(messages)
        raise SystemExit("killed right after the SMTP server took the message")


class DiesBeforeSending(EmailBackend):
    """The worker is killed before the SMTP server accepted the message."""

    def send_messages(self, messages):
        raise SystemExit("killed before the SMTP server took the message")


class Refuses(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("the SMTP server went away")


class RecordsWhatTheDatabaseSays(EmailBackend):
    """Notes, as the message leaves, whether the notification already counts as emailed."""

    watched = None
    seen: list = []

    def send_messages(self, messages):
        self.seen.append(emailed_at(self.watched))
        return super().send_messages(messages)


def message_id(notification) -> str:
    return f"<notification.{notification.id}@docflow>"


def emailed_at(notification):
    with cross_agency("system"):
        return Notification.objects.get(id=notification.id).emailed_at


def test_an_email_whose_worker_died_after_the_server_took_it_is_sent_again_with_the_same_id(settings):
    member = MembershipFactory(staff=True)
    notification = notification_of(member)  # its email task is not run: on_commit not executed
    settings.EMAIL_BACKEND = f"{__name__}.DiesAfterSending"
    with pytest.raises(SystemExit):
        notification_email_send(agency_id=member.agency_id, notification_id=notification.id)
    assert len(mail.outbox) == 1
    assert emailed_at(notification) is None  # died before the record
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Run again (its lease lapsed): sent again under the same Message-ID, so mail systems drop it.
    assert notification_email_send(agency_id=member.agency_id, notification_id=notification.id) is True
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [message_id(notification)] * 2
    assert emailed_at(notification) is not None


def test_an_email_whose_worker_died_before_the_server_took_it_is_sent_once(settings):
    member = MembershipFactory(staff=True)
    notification = notification_of(member)
    settings.EMAIL_BACKEND = f"{__name__}.DiesBeforeSending"
    with pytest.raises(SystemExit):
        notification_email_send(agency_id=member.agency_id, notification_id=notification.id)
    assert emailed_at(notification) is None  # nothing claimed that would lose it
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_email_send(agency_id=member.agency_id, notification_id=notification.id) is True
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [message_id(notification)]


def test_an_email_is_recorded_only_after_the_server_took_it_and_a_finished_one_is_not_sent_again(settings):
    member = MembershipFactory(staff=True)
    notification = notification_of(member)
    RecordsWhatTheDatabaseSays.watched, RecordsWhatTheDatabaseSays.seen = notification, []
    settings.EMAIL_BACKEND = f"{__name__}.RecordsWhatTheDatabaseSays"
    assert notification_email_send(agency_id=member.agency_id, notification_id=notification.id) is True
    assert RecordsWhatTheDatabaseSays.seen == [None]  # not yet counted as emailed while it left
    recorded = emailed_at(notification)
    assert recorded is not None
    # Finished: a copy of the task (a redelivery, the sweeper) sends nothing and records nothing new.
    assert notification_email_send(agency_id=member.agency_id, notification_id=notification.id) is False
    assert len(mail.outbox) == 1 and emailed_at(notification) == recorded


def test_an_email_the_server_refused_is_not_recorded_and_is_sent_on_retry(settings):
    member = MembershipFactory(staff=True)
    notification = notification_of(member)
    settings.EMAIL_BACKEND = f"{__name__}.Refuses"
    with pytest.raises(smtplib.SMTPException):
        notification_email_send(agency_id=member.agency_id, notification_id=notification.id)
    with cross_agency("system"):
        assert Notification.objects.get(id=notification.id).emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_email_send(agency_id=member.agency_id, notification_id=notification.id) is True
    assert len(mail.outbox) == 1


def test_a_webhook_the_receiver_took_is_not_posted_again(external, external_server,  # noqa: F811
                                                        django_capture_on_commit_callbacks):
    office = sending_office()
    with django_capture_on_commit_callbacks(execute=True):
        document = issue_to(office, external.agency.code)
    assert len(external_server.raw) == 1
    # The push task delivered again (its worker died before acknowledging it).
    pushed = current_app.tasks["exchange.document_push"].apply(kwargs={
        "agency_id": office.agency.pk, "document_id": str(document.pk),
        "external_agency_id": external.agency.pk,
    }, throw=True).get()
    assert pushed is True
    assert len(external_server.raw) == 1 and external_server.refused == []
    with cross_agency("system"):
        assert WebhookDelivery.objects.filter(ok=True).count() == 1


def test_a_task_that_cannot_reach_the_database_to_take_its_lease_retries(monkeypatch):
    from django.db import OperationalError

    class Retried(Exception):
        pass

    def database_away(**kwargs):
        raise OperationalError("the database is restarting")

    def celery_retry(self, *args, countdown=None, **kwargs):
        raise Retried(countdown)

    monkeypatch.setattr("workers.base.outbox_claim", database_away)
    monkeypatch.setattr(Task, "retry", celery_retry)
    monkeypatch.setattr(random, "uniform", lambda low, high: low)
    row = purge_row()
    with pytest.raises(Retried) as retried:
        current_app.tasks["outbox.purge"].apply(kwargs={"outbox_id": str(row.id)}, throw=True)
    assert retried.value.args == (2.5,)
