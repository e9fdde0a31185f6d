"""An agency admin adds and edits the agency's people; a shared person's account stays theirs."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from docflow.audit.models import AuditEvent
from docflow.core.errors import NotPermitted
from docflow.core.scoping import cross_agency
from docflow.tenancy.models import Membership, User
from docflow.tenancy import services
from docflow.tenancy.services import member_upsert
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _upsert(actor, agency, username="lo.van.hung", **changes):
    data = {"full_name": "Lò Văn Hùng", "roles": ["staff"], "position": "Chuyên viên",
            "email": "hung@phiengban.test", "password": "Mua-Lua-Tay-Bac-88"} | changes
    return member_upsert(actor=actor, agency=agency, username=username, **data)


def test_agency_admin_adds_a_person_with_a_password_that_passes_the_validators(agency_a):
    admin = MembershipFactory(agency=agency_a, admin=True)
    member = _upsert(admin, agency_a)
    assert member.user.check_password("Mua-Lua-Tay-Bac-88")
    assert member.roles == ["staff"]
    with cross_agency("system"):
        event = AuditEvent.objects.get(action="membership.saved", object_id=member.uuid)
    assert event.actor_id == admin.user_id and event.agency_id == agency_a.pk


@pytest.mark.parametrize("password", ["12345678", "abc", "lo.van.hung"])
def test_weak_initial_passwords_are_refused_naming_the_field(agency_a, password):
    admin = MembershipFactory(agency=agency_a, admin=True)
    with pytest.raises(ValidationError) as caught:
        _upsert(admin, agency_a, password=password)
    assert list(caught.value.message_dict) == ["password"]
    assert not User.objects.filter(username="lo.van.hung").exists()


def test_a_new_person_needs_an_initial_password_from_an_admin(agency_a):
    admin = MembershipFactory(agency=agency_a, admin=True)
    with pytest.raises(ValidationError) as caught:
        _upsert(admin, agency_a, password=None)
    assert "password" in caught.value.message_dict


@pytest.mark.parametrize("role", ["clerk", "leader", "staff"])
def test_members_without_the_admin_role_cannot_add_people(agency_a, role):
    actor = MembershipFactory(agency=agency_a, **{role: True})
    with pytest.raises(NotPermitted):
        _upsert(actor, agency_a)
    assert not User.objects.filter(username="lo.van.hung").exists()


def test_an_admin_cannot_add_people_to_another_agency(agency_a, agency_b):
    admin_b = MembershipFactory(agency=agency_b, admin=True)
    with pytest.raises(NotPermitted):
        _upsert(admin_b, agency_a)


def test_admin_edits_name_and_email_of_a_person_only_in_their_agency(agency_a):
    admin = MembershipFactory(agency=agency_a, admin=True)
    person = MembershipFactory(agency=agency_a, staff=True, user__full_name="Lò Văn Hung")
    _upsert(admin, agency_a, username=person.user.username, full_name="Lò Văn Hùng",
            email="moi@phiengban.test", password=None)
    person.user.refresh_from_db()
    assert (person.user.full_name, person.user.email) == ("Lò Văn Hùng", "moi@phiengban.test")


def test_second_agency_admin_never_changes_a_shared_persons_name_or_email(agency_a, agency_b):
    home = MembershipFactory(agency=agency_a, leader=True, user__full_name="Nguyễn Thị Thu",
                             user__email="thu@phiengban.test")
    MembershipFactory(agency=agency_b, staff=True, user=home.user)
    admin_b = MembershipFactory(agency=agency_b, admin=True)
    member = _upsert(admin_b, agency_b, username=home.user.username, full_name="Kẻ Mạo Danh",
                     email="attacker@songpe.test", roles=["staff", "clerk"], position="Văn thư")
    home.user.refresh_from_db()
    assert (home.user.full_name, home.user.email) == ("Nguyễn Thị Thu", "thu@phiengban.test")
    assert home.user.check_password("secret-pass-123")  # an existing person's password is never set
    assert sorted(member.roles) == ["clerk", "staff"] and member.position == "Văn thư"
    with cross_agency("system"):
        assert Membership.objects.get(pk=home.pk).roles == ["leader"]


def test_a_system_administrator_added_to_an_agency_keeps_their_account(agency_a):
    admin = MembershipFactory(agency=agency_a, admin=True)
    root = User.objects.create_superuser("root", "root@docflow.test", "Khong-Doan-Duoc-9")
    _upsert(admin, agency_a, username="root", full_name="Đã Đổi", email="x@phiengban.test")
    root.refresh_from_db()
    assert (root.full_name, root.email) == ("", "root@docflow.test")


def test_membership_reads_as_person_agency_and_roles(agency_a):
    member = MembershipFactory(agency=agency_a, clerk=True, user__full_name="Nguyễn Thị Thu")
    assert str(member) == "Nguyễn Thị Thu — UBND xã Phiêng Ban (văn thư)"


def test_an_admin_cannot_take_another_agencys_person_into_their_agency_by_username(agency_a, agency_b):
    home = MembershipFactory(agency=agency_a, leader=True, user__username="tran.thi.mai")
    admin_b = MembershipFactory(agency=agency_b, admin=True)
    with pytest.raises(ValidationError) as caught:
        _upsert(admin_b, agency_b, username="tran.thi.mai", password="Mua-Lua-Tay-Bac-88")
    assert list(caught.value.message_dict) == ["username"]
    with cross_agency("system"):
        assert list(Membership.objects.filter(user=home.user).values_list("agency_id", flat=True)) == [agency_a.pk]


def _race(admins, username):
    """Each admin creates ``username`` in their own agency at the same moment, in a thread."""
    barrier, answers = threading.Barrier(len(admins)), {}

    def create(admin):
        try:
            barrier.wait()
            answers[admin.agency_id] = _upsert(admin, admin.agency, username=username).agency_id
        except ValidationError as exc:
            answers[admin.agency_id] = exc.message_dict
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create, args=(admin,)) for admin in admins]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return answers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_creating_one_username_at_once_end_with_one_person_in_one_agency(
    agency_a, agency_b, monkeypatch,
):
    if connection.vendor != "postgresql":
        pytest.fail("concurrent transactions need PostgreSQL: run scripts/test.sh postgres")
    admins = [MembershipFactory(agency=agency_a, admin=True), MembershipFactory(agency=agency_b, admin=True)]
    # Both have looked the username up and found nobody before either INSERTs: the unique index decides.
    both_checked, real_check = threading.Barrier(2), services.password_check

    def checked_together(**kwargs):
        real_check(**kwargs)
        both_checked.wait(timeout=20)

    monkeypatch.setattr(services, "password_check", checked_together)
    answers = _race(admins, "nguyen.van.an")
    won = [agency for agency, answer in answers.items() if answer == agency]
    lost = [answer for answer in answers.values() if isinstance(answer, dict)]
    assert len(won) == 1 and lost == [{"username": ["Tên đăng nhập này đã có người dùng."]}], answers
    user = User.objects.get(username="nguyen.van.an")
    with cross_agency("system"):
        assert list(Membership.objects.filter(user=user).values_list("agency_id", flat=True)) == won
