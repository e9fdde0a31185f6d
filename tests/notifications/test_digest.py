"""A person who chose the daily digest for a kind gets no email at once but, at 17:00, one
Vietnamese email of the day's notifications of that kind whose work is still undone — once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from docflow.core.scoping import cross_agency
from docflow.notifications.digests import agency_digests_send, digests_dispatch
from docflow.notifications.models import NotificationDigest
from docflow.notifications.services import notification_create, notification_preference_set, notifications_done
from docflow.outbox.models import OutboxTask
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 1)
DOCUMENT = "0190a0c8-0000-7000-8000-00000000000{}"


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def notify(member, n: int, *, kind="outgoing.to_approve", when=None):
    with time_machine.travel(when or at(9), tick=False):
        return notification_create(
            agency_id=member.agency_id, recipient_id=member.user_id, kind=kind,
            title=f"Văn bản chờ duyệt: Kế hoạch số {n}", body="Về việc chuyển đổi số",
            object_type="outgoing_document", object_id=DOCUMENT.format(n), dedup_key=f"d:{member.pk}:{n}:{kind}",
        )


def digest_for(member, kind="outgoing.to_approve"):
    notification_preference_set(agency_id=member.agency_id, user_id=member.user_id, kind=kind,
                                in_app=True, email=True, digest=True)


def test_the_digest_lists_the_days_undone_notifications_of_digest_kinds_once(agency_a, django_capture_on_commit_callbacks):
    leader = MembershipFactory(agency=agency_a, leader=True, user__full_name="Lò Văn Minh")
    digest_for(leader)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = notify(leader, 1)
        handled = notify(leader, 2)
        notify(leader, 3, when=at(16, 30, DAY - timedelta(days=1)))  # yesterday's digest had it
        notify(leader, 4, when=at(18, 0, DAY - timedelta(days=1)))  # after yesterday's digest
        notify(leader, 5, kind="outgoing.returned")  # not a digest kind: emailed at once
        with cross_agency("system"):
            notifications_done(agency_id=agency_a.pk, object_type="outgoing_document",
                               object_id=handled.object_id, kinds=["outgoing.to_approve"])
    assert [m.subject for m in mail.outbox] == ["[Docflow] Văn bản chờ duyệt: Kế hoạch số 5"]
    mail.outbox.clear()

    with time_machine.travel(at(17, 0), tick=False):
        assert agency_digests_send(agency_id=agency_a.pk, day=DAY) == 1
        assert agency_digests_send(agency_id=agency_a.pk, day=DAY) == 0  # run twice: sent once

    [message] = mail.outbox
    assert message.subject == "[Docflow] Tổng hợp 2 thông báo ngày 01/12/2026"
    assert message.to == [leader.user.email]
    text = message.body
    assert text.startswith("Kính gửi Lò Văn Minh,")
    assert "Kế hoạch số 1" in text and "Kế hoạch số 4" in text
    assert "Kế hoạch số 2" not in text and "Kế hoạch số 3" not in text and "Kế hoạch số 5" not in text
    assert f"{settings.DOCFLOW_SITE_URL}/thong-bao/{waiting.pk}/" in text
    [(html, _mimetype)] = message.alternatives
    assert '<html lang="vi">' in html and f'href="{settings.DOCFLOW_SITE_URL}/thong-bao/{waiting.pk}/"' in html
    with cross_agency("system"):
        assert NotificationDigest.objects.get().count == 2


def test_the_beat_records_one_task_per_agency_and_day_and_the_worker_sends_it(agency_a, agency_b, django_capture_on_commit_callbacks):
    first, second = MembershipFactory(agency=agency_a, leader=True), MembershipFactory(agency=agency_a, staff=True)
    MembershipFactory(agency=agency_b, leader=True)  # no digest chosen in this agency
    for member in (first, second):
        digest_for(member)
        notify(member, 1)
    with time_machine.travel(at(17, 0), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert digests_dispatch() == 1
        assert digests_dispatch() == 1  # the 19:00 catch-up records nothing new
    assert OutboxTask.objects.filter(task_name="notify.agency_digests").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.user.email, second.user.email])


def test_a_digest_chosen_in_one_agency_keeps_the_other_agencys_notifications_out(agency_a, agency_b):
    member = MembershipFactory(agency=agency_a, leader=True)
    there = MembershipFactory(agency=agency_b, user=member.user, leader=True)
    digest_for(member)
    digest_for(there, kind="incoming_overdue")
    notify(member, 1)
    notify(there, 2)  # a to_approve there: that agency sends it at once
    mail.outbox.clear()
    with time_machine.travel(at(17, 0), tick=False):
        assert agency_digests_send(agency_id=agency_a.pk, day=DAY) == 1
        assert agency_digests_send(agency_id=agency_b.pk, day=DAY) == 0
    [message] = mail.outbox
    assert "Kế hoạch số 1" in message.body and "Kế hoạch số 2" not in message.body


def test_nothing_undone_sends_nothing(agency_a):
    member = MembershipFactory(agency=agency_a, leader=True)
    digest_for(member)
    with time_machine.travel(at(17, 0), tick=False):
        assert agency_digests_send(agency_id=agency_a.pk, day=DAY) == 0
    assert mail.outbox == []
    with cross_agency("system"):
        assert not NotificationDigest.objects.exists()
