"""Deadline reminders from beat: the lead handler hears the day before a copy is due; once it is
late, the lead handler and the agency's leaders hear every day; once per copy, person and day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery import current_app
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from docflow.core.scoping import cross_agency
from docflow.notifications.models import Notification
from docflow.outbox.models import OutboxTask
from docflow.routing import handling
from docflow.routing.models import IncomingDocument
from docflow.routing.reminders import (
    KIND_DUE_TOMORROW,
    KIND_OVERDUE,
    agency_deadline_remind,
    deadline_reminders_dispatch,
)
from tests.factories import AgencyFactory, MembershipFactory
from tests.routing.conftest import office
from tests.routing.factories import sent_copy
from workers.celery import app

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def handled_copy(commune, sender, *, due_in: int, lead=None):
    """A copy being handled by ``lead`` (the commune's staff), due ``due_in`` days from today."""
    copy = sent_copy(sender=sender, recipient=commune.agency)
    handling.incoming_accept(membership=commune.clerk, incoming_id=copy.id)
    handling.incoming_assign(membership=commune.leader, incoming_id=copy.id,
                             lead=(lead or commune.staff).user.username)
    with cross_agency("system"):  # arrange a deadline relative to today (the rules forbid the past)
        IncomingDocument.objects.filter(pk=copy.pk).update(due_date=TODAY + timedelta(days=due_in))
    return copy


def reminders(**filters) -> list[tuple[str, int]]:
    with cross_agency("system"):
        return sorted(
            Notification.objects.filter(kind__in=(KIND_DUE_TOMORROW, KIND_OVERDUE), **filters)
            .values_list("kind", "recipient_id")
        )


@pytest.fixture
def sender(db):
    return AgencyFactory(name="Ủy ban nhân dân huyện Bắc Yên")


@pytest.fixture
def commune(agency_a):
    return office(agency_a)


def test_the_lead_handler_hears_the_day_before_and_only_once(commune, sender):
    copy = handled_copy(commune, sender, due_in=1)
    handled_copy(commune, sender, due_in=5)  # not due yet: nothing

    assert agency_deadline_remind(agency_id=commune.agency.pk, day=TODAY) == 1
    assert agency_deadline_remind(agency_id=commune.agency.pk, day=TODAY) == 0  # the same day again
    assert reminders() == [(KIND_DUE_TOMORROW, commune.staff.user_id)]
    with cross_agency("system"):
        notice = Notification.objects.get(kind=KIND_DUE_TOMORROW)
    assert notice.title.startswith(f"Đến hạn xử lý ngày mai: {copy.notation}")
    assert f"Hạn xử lý: {TODAY + timedelta(days=1):%d/%m/%Y}" in notice.body
    assert (notice.object_type, notice.object_id) == ("incoming_document", copy.id)
    # On the due day itself it is still in time: nothing new.
    assert agency_deadline_remind(agency_id=commune.agency.pk, day=TODAY + timedelta(days=1)) == 0


def test_an_overdue_copy_reaches_the_lead_and_every_leader_each_day(commune, sender):
    second_leader = MembershipFactory(agency=commune.agency, leader=True)
    MembershipFactory(agency=commune.agency, leader=True, is_active=False)  # gone: not told
    handled_copy(commune, sender, due_in=-2)
    done = handled_copy(commune, sender, due_in=-3)
    handling.incoming_complete(membership=commune.staff, incoming_id=done.id, note="Đã báo cáo.")

    assert agency_deadline_remind(agency_id=commune.agency.pk, day=TODAY) == 3
    told = sorted([commune.staff.user_id, commune.leader.user_id, second_leader.user_id])
    assert reminders() == [(KIND_OVERDUE, user) for user in told]
    with cross_agency("system"):
        assert Notification.objects.filter(kind=KIND_OVERDUE).first().title.startswith("Quá hạn xử lý 2 ngày")
    assert agency_deadline_remind(agency_id=commune.agency.pk, day=TODAY) == 0
    assert agency_deadline_remind(agency_id=commune.agency.pk, day=TODAY + timedelta(days=1)) == 3
    assert len(reminders()) == 6  # one per person per day


def test_a_leader_leading_a_late_copy_is_told_once(commune, sender):
    handled_copy(commune, sender, due_in=-1, lead=commune.leader)
    assert agency_deadline_remind(agency_id=commune.agency.pk, day=TODAY) == 1


def test_the_daily_run_records_one_task_per_agency_once_a_day(commune, sender, agency_b,
                                                             django_capture_on_commit_callbacks):
    other = office(agency_b)
    handled_copy(commune, sender, due_in=1)
    handled_copy(other, sender, due_in=-1)
    quiet = office(AgencyFactory())
    handled_copy(quiet, sender, due_in=9)

    with django_capture_on_commit_callbacks(execute=True):
        assert deadline_reminders_dispatch(day=TODAY) == 2
        assert deadline_reminders_dispatch(day=TODAY) == 2  # beat's catch-up run: nothing new
    assert OutboxTask.objects.filter(task_name="notify.agency_deadline_reminders").count() == 2
    assert reminders(agency=commune.agency) == [(KIND_DUE_TOMORROW, commune.staff.user_id)]
    assert reminders(agency=other.agency) == sorted(
        [(KIND_OVERDUE, other.staff.user_id), (KIND_OVERDUE, other.leader.user_id)]
    )
    assert reminders(agency=quiet.agency) == []
    # The beat task itself, run twice, changes nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert current_app.tasks["notify.deadline_reminders"].apply().get() == 2
    assert len(reminders()) == 3
    assert OutboxTask.objects.filter(task_name="notify.agency_deadline_reminders").count() == 2


def test_reminders_cost_the_same_queries_for_2_and_20_late_copies(sender):
    def cost(count: int) -> int:
        commune = office(AgencyFactory())
        for _ in range(count):
            handled_copy(commune, sender, due_in=-1)
        with CaptureQueriesContext(connection) as queries:
            assert agency_deadline_remind(agency_id=commune.agency.pk, day=TODAY) == 2 * count
        return len(queries)

    assert cost(2) == cost(20)


def test_beat_runs_the_reminders_every_morning_in_vietnam_time():
    entry = app.conf.beat_schedule["deadline-reminders"]
    assert entry["task"] == "notify.deadline_reminders"
    assert 7 in entry["schedule"].hour and 0 in entry["schedule"].minute
    assert app.conf.timezone == "Asia/Ho_Chi_Minh"
