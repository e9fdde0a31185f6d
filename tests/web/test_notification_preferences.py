"""A person's notification preferences decide what reaches the bell and the mailbox."""

from __future__ import annotations

import pytest
from django.core import mail

from docflow.notifications.models import Notification
from docflow.notifications.services import notification_create, notification_preference_set
from docflow.core.scoping import agency_scope
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _notify(member, key: str):
    return notification_create(
        agency_id=member.agency_id, recipient_id=member.user_id, kind="delivery_status",
        title="Xã Song Pe đã tiếp nhận", dedup_key=key,
    )


def test_without_a_preference_the_bell_and_the_email_both_get_it(agency_a):
    member = MembershipFactory(agency=agency_a, staff=True)
    notification = _notify(member, "k1")
    assert notification.read_at is None
    assert len(mail.outbox) == 1


def test_bell_off_keeps_the_notification_read_and_still_emails(agency_a):
    member = MembershipFactory(agency=agency_a, staff=True)
    notification_preference_set(
        agency_id=agency_a.pk, user_id=member.user_id, kind="delivery_status", in_app=False, email=True
    )
    notification = _notify(member, "k2")
    assert notification.read_at is not None
    assert len(mail.outbox) == 1


def test_email_off_sends_no_email(agency_a):
    member = MembershipFactory(agency=agency_a, staff=True)
    notification_preference_set(
        agency_id=agency_a.pk, user_id=member.user_id, kind="delivery_status", in_app=True, email=False
    )
    assert _notify(member, "k3").read_at is None
    assert mail.outbox == []


def test_both_off_creates_nothing(agency_a):
    member = MembershipFactory(agency=agency_a, staff=True)
    notification_preference_set(
        agency_id=agency_a.pk, user_id=member.user_id, kind="delivery_status", in_app=False, email=False
    )
    assert _notify(member, "k4") is None
    with agency_scope(agency_a):
        assert not Notification.objects.exists()


def test_a_preference_in_one_agency_does_not_change_another(agency_a, agency_b):
    member = MembershipFactory(agency=agency_a, staff=True)
    MembershipFactory(agency=agency_b, user=member.user, staff=True)
    notification_preference_set(
        agency_id=agency_a.pk, user_id=member.user_id, kind="delivery_status", in_app=False, email=False
    )
    created = notification_create(
        agency_id=agency_b.pk, recipient_id=member.user_id, kind="delivery_status",
        title="Thử", dedup_key="k5", email=False,
    )
    assert created is not None and created.read_at is None


def test_setting_a_preference_twice_keeps_one_row(agency_a):
    member = MembershipFactory(agency=agency_a, staff=True)
    first = notification_preference_set(
        agency_id=agency_a.pk, user_id=member.user_id, kind="delivery_status", in_app=False, email=True
    )
    second = notification_preference_set(
        agency_id=agency_a.pk, user_id=member.user_id, kind="delivery_status", in_app=True, email=False
    )
    assert first.pk == second.pk and (second.in_app, second.email) == (True, False)
