"""A person changes their own password; an agency admin issues a one-time reset link."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from docflow.audit.models import AuditEvent
from docflow.core.errors import InvalidState, NotFound, NotPermitted
from docflow.core.scoping import cross_agency
from docflow.tenancy.passwords import password_change, password_reset_complete, password_reset_issue
from docflow.tenancy.models import User
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
NEW = "Song-Pe-Mua-Lua-2026"


def _link_parts(url: str) -> tuple[str, str]:
    uidb64, token = url.rstrip("/").split("/")[-2:]
    return uidb64, token


def test_person_changes_own_password_after_giving_the_current_one(agency_a):
    member = MembershipFactory(agency=agency_a, staff=True)
    password_change(membership=member, old_password="secret-pass-123", new_password=NEW)
    member.user.refresh_from_db()
    assert member.user.check_password(NEW)
    with cross_agency("system"):
        assert AuditEvent.objects.filter(action="user.password_changed", actor=member.user).count() == 1


@pytest.mark.parametrize("old,new,field", [
    ("wrong-one", NEW, "old_password"), ("secret-pass-123", "12345678", "new_password"),
    ("secret-pass-123", "short", "new_password"),
])
def test_password_change_refuses_wrong_current_or_weak_new(agency_a, old, new, field):
    member = MembershipFactory(agency=agency_a, staff=True)
    with pytest.raises(ValidationError) as caught:
        password_change(membership=member, old_password=old, new_password=new)
    assert field in caught.value.message_dict
    member.user.refresh_from_db()
    assert member.user.check_password("secret-pass-123")


def test_reset_link_is_shown_emailed_on_commit_and_works_once(agency_a, mailoutbox, django_capture_on_commit_callbacks):
    admin = MembershipFactory(agency=agency_a, admin=True)
    person = MembershipFactory(agency=agency_a, clerk=True, user__email="thu@phiengban.test")
    with django_capture_on_commit_callbacks(execute=True):
        link = password_reset_issue(actor=admin, membership_id=person.uuid)
    assert link.url.startswith("http") and link.emailed_to == "thu@phiengban.test"
    assert len(mailoutbox) == 1 and link.url in mailoutbox[0].body and mailoutbox[0].to == ["thu@phiengban.test"]
    uidb64, token = _link_parts(link.url)
    password_reset_complete(uidb64=uidb64, token=token, new_password=NEW)
    assert User.objects.get(pk=person.user_id).check_password(NEW)
    with pytest.raises(InvalidState):
        password_reset_complete(uidb64=uidb64, token=token, new_password="Another-Good-One-77")
    with cross_agency("system"):
        assert AuditEvent.objects.filter(action="membership.password_reset_issued", actor=admin.user).count() == 1
        assert AuditEvent.objects.filter(action="user.password_reset", actor=person.user).count() == 1


def test_a_person_without_email_gets_no_mail_but_the_admin_sees_the_link(agency_a, mailoutbox, django_capture_on_commit_callbacks):
    admin = MembershipFactory(agency=agency_a, admin=True)
    person = MembershipFactory(agency=agency_a, staff=True, user__email="")
    with django_capture_on_commit_callbacks(execute=True):
        link = password_reset_issue(actor=admin, membership_id=person.uuid)
    assert link.url and link.emailed_to == "" and mailoutbox == []


def test_reset_refuses_the_12345678_password(agency_a):
    admin = MembershipFactory(agency=agency_a, admin=True)
    person = MembershipFactory(agency=agency_a, staff=True)
    uidb64, token = _link_parts(password_reset_issue(actor=admin, membership_id=person.uuid).url)
    with pytest.raises(ValidationError) as caught:
        password_reset_complete(uidb64=uidb64, token=token, new_password="12345678")
    assert "new_password" in caught.value.message_dict


@pytest.mark.parametrize("role", ["clerk", "leader", "staff"])
def test_only_agency_admins_issue_reset_links(agency_a, role):
    actor = MembershipFactory(agency=agency_a, **{role: True})
    person = MembershipFactory(agency=agency_a, staff=True)
    with pytest.raises(NotPermitted):
        password_reset_issue(actor=actor, membership_id=person.uuid)


def test_another_agencys_member_is_not_found(agency_a, agency_b):
    admin_b = MembershipFactory(agency=agency_b, admin=True)
    person = MembershipFactory(agency=agency_a, staff=True)
    with pytest.raises(NotFound):
        password_reset_issue(actor=admin_b, membership_id=person.uuid)


def test_a_shared_person_gets_the_link_only_in_their_own_mailbox(agency_a, agency_b, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    person = MembershipFactory(agency=agency_a, staff=True, user__email="lan@phiengban.test")
    shared = MembershipFactory(agency=agency_b, staff=True, user=person.user)
    admin_b = MembershipFactory(agency=agency_b, admin=True)
    with django_capture_on_commit_callbacks(execute=True):
        link = password_reset_issue(actor=admin_b, membership_id=shared.uuid)
    assert link.url == "" and mailoutbox[0].to == ["lan@phiengban.test"]


def test_a_shared_person_without_email_cannot_be_reset_by_one_agency(agency_a, agency_b):
    person = MembershipFactory(agency=agency_a, staff=True, user__email="")
    shared = MembershipFactory(agency=agency_b, staff=True, user=person.user)
    admin_b = MembershipFactory(agency=agency_b, admin=True)
    with pytest.raises(NotPermitted):
        password_reset_issue(actor=admin_b, membership_id=shared.uuid)


def test_a_system_administrators_password_is_not_an_agency_admins_to_reset(agency_a):
    admin = MembershipFactory(agency=agency_a, admin=True)
    root = MembershipFactory(agency=agency_a, staff=True, user__is_superuser=True, user__is_staff=True)
    with pytest.raises(NotPermitted):
        password_reset_issue(actor=admin, membership_id=root.uuid)


def test_a_link_dies_when_the_person_changes_their_password_meanwhile(agency_a):
    admin = MembershipFactory(agency=agency_a, admin=True)
    person = MembershipFactory(agency=agency_a, staff=True)
    uidb64, token = _link_parts(password_reset_issue(actor=admin, membership_id=person.uuid).url)
    password_change(membership=person, old_password="secret-pass-123", new_password=NEW)
    with pytest.raises(InvalidState):
        password_reset_complete(uidb64=uidb64, token=token, new_password="Another-Good-One-77")
