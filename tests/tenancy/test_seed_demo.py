"""The demo data: the agencies, units and users the README promises; seeding twice changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django_scopes import scopes_disabled

from docflow.audit.models import AuditEvent
from docflow.tenancy.models import Agency, Membership, Unit, User


def counts():
    with scopes_disabled():
        return {
            m.__name__: m.objects.count() for m in (Agency, Unit, User, Membership, AuditEvent)
        }


@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_counts(settings):
    settings.DOCFLOW_DEMO_PASSWORD = "demo12345"
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert counts() == first
    # Sơn La, two districts, 16 Bắc Yên communes and township, 5 Phù Yên ones.
    assert first["Agency"] == 1 + 2 + 16 + 5


@pytest.mark.django_db
def test_demo_users_follow_the_naming_rule(settings):
    settings.DOCFLOW_DEMO_PASSWORD = "demo12345"
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    expected = ["sonla_clerk", "bacyen_leader", "bacyen_staff", "phiengban_clerk", "songpe_leader",
                "thitranbacyen_clerk", "taxua_staff", "hangdong_leader", "phuyen_clerk", "quanghuy_clerk"]
    assert set(expected) <= set(User.objects.values_list("username", flat=True))
    assert authenticate(username="bacyen_clerk", password="demo12345") is not None
    with scopes_disabled():
        bacyen = Agency.objects.get(code="000.00.31.H52")
        assert bacyen.level == "district"
        assert set(Unit.objects.filter(agency=bacyen).values_list("symbol", flat=True)) == {"VP", "NV", "TCKH"}
        staff = Membership.objects.select_related("unit", "agency").filter(is_staff_member=True)
        assert staff.count() == 24
        assert all(m.unit and m.unit.symbol == "VP" and m.unit.agency_id == m.agency_id for m in staff)
        leader = Membership.objects.get(user__username="bacyen_leader")
        assert leader.roles == ["leader"]
        commune = Agency.objects.get(code="000.02.31.H52")
        assert commune.parent_id == bacyen.pk and commune.name.endswith("Phiêng Ban")


@pytest.mark.django_db
def test_demo_password_comes_from_the_environment(settings):
    settings.DOCFLOW_DEMO_PASSWORD = "another-pass-42"
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert authenticate(username="songpe_clerk", password="another-pass-42") is not None
    assert authenticate(username="songpe_clerk", password="demo12345") is None
