"""The demo's agencies, units and people (tenancy's part of seed_demo); seeding twice changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from docflow.audit.models import AuditEvent
from docflow.core.scoping import cross_agency
from docflow.tenancy.demo import demo_agencies, demo_people_seed
from docflow.tenancy.models import Agency, Membership, Unit, User


def counts():
    with cross_agency("system"):
        return {
            m.__name__: m.objects.count() for m in (Agency, Unit, User, Membership, AuditEvent)
        }


@pytest.mark.django_db
def test_demo_people_seeded_twice_give_the_same_counts():
    demo_people_seed(password="demo12345")
    first = counts()
    demo_people_seed(password="demo12345")
    assert counts() == first
    # Sơn La, two districts, 16 Bắc Yên communes and township, 5 Phù Yên ones.
    assert first["Agency"] == 1 + 2 + 16 + 5


@pytest.mark.django_db
def test_demo_users_follow_the_naming_rule():
    demo_people_seed(password="demo12345")
    expected = ["sonla_clerk", "bacyen_leader", "bacyen_staff", "phiengban_clerk", "songpe_leader",
                "thitranbacyen_clerk", "taxua_staff", "hangdong_leader", "phuyen_clerk", "quanghuy_clerk", "bacyen_admin", "taxua_admin",
                "bacyen_staff2"]
    assert set(expected) <= set(User.objects.values_list("username", flat=True))
    assert authenticate(username="bacyen_clerk", password="demo12345") is not None
    with cross_agency("system"):
        bacyen = Agency.objects.get(code="000.00.31.H52")
        assert bacyen.level == "district"
        assert set(Unit.objects.filter(agency=bacyen).values_list("symbol", flat=True)) == {"VP", "NV", "TCKH"}
        staff = Membership.objects.select_related("unit", "agency", "user").filter(is_staff_member=True)
        assert staff.count() == 24 + 2  # one each, and a second specialist in each district
        assert all(m.unit and m.unit.agency_id == m.agency_id for m in staff)
        assert {m.unit.symbol for m in staff if m.user.username.endswith("_staff")} == {"VP"}
        leader = Membership.objects.get(user__username="bacyen_leader")
        assert leader.roles == ["leader"]
        commune = Agency.objects.get(code="000.02.31.H52")
        assert commune.parent_id == bacyen.pk and commune.name.endswith("Phiêng Ban")


@pytest.mark.django_db
def test_every_demo_agency_has_an_agency_admin():
    demo_people_seed(password="demo12345")
    with cross_agency("system"):
        admins = Membership.objects.filter(is_agency_admin=True).select_related("agency", "user")
        by_code = {m.agency.code: m for m in admins}
    for demo in demo_agencies():
        admin = by_code[demo.code]
        assert admin.user.username == f"{demo.slug}_admin" and admin.roles == ["agency_admin"]
    assert authenticate(username="bacyen_admin", password="demo12345") is not None


@pytest.mark.django_db
def test_demo_password_is_the_one_given():
    demo_people_seed(password="another-pass-42")
    assert authenticate(username="songpe_clerk", password="another-pass-42") is not None
    assert authenticate(username="songpe_clerk", password="demo12345") is None
