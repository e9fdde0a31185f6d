"""The second factor on the web: the code after the password for a person with a confirmed
device, and enrolment first for a leader or admin of an agency that requires it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from docflow.tenancy.models import RecoveryCode
from tests.factories import AgencyFactory, MembershipFactory, TOTPDeviceFactory, totp_now
from tests.web.conftest import web_client

pytestmark = pytest.mark.django_db
PASSWORD = "secret-pass-123"


@pytest.fixture(autouse=True)
def _no_code_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def _password_step(client, username):
    return client.post(reverse("web:login"), {"username": username, "password": PASSWORD})


def _wrong(device):
    return "000000" if totp_now(device) != "000000" else "111111"


def test_a_person_with_a_device_is_not_signed_in_until_the_code(agency_a):
    leader = MembershipFactory(agency=agency_a, leader=True, user__username="minh")
    device = TOTPDeviceFactory(user=leader.user)
    client = Client()
    step = _password_step(client, "minh")
    assert step.status_code == 302 and step["Location"] == reverse("web:login-code")
    assert client.get(reverse("web:dashboard"))["Location"].startswith(reverse("web:login"))
    wrong = client.post(reverse("web:login-code"), {"code": _wrong(device)})
    assert wrong.status_code == 400 and "không đúng" in wrong.content.decode()
    assert client.post(reverse("web:login-code"), {"code": totp_now(device)})["Location"] == reverse("web:dashboard")
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_the_code_page_without_a_password_first_goes_back_to_login(db):
    assert Client().get(reverse("web:login-code"))["Location"] == reverse("web:login")


def test_wrong_codes_on_the_web_lock_out_like_wrong_passwords(agency_a):
    leader = MembershipFactory(agency=agency_a, leader=True, user__username="minh")
    device = TOTPDeviceFactory(user=leader.user)
    client = Client()
    _password_step(client, "minh")
    answers = [client.post(reverse("web:login-code"), {"code": _wrong(device)}).status_code for _ in range(5)]
    assert answers == [400] * 4 + [429]
    assert client.post(reverse("web:login-code"), {"code": totp_now(device)}).status_code == 429


def test_a_recovery_code_signs_in_once(agency_a):
    from docflow.tenancy.second_factor import recovery_codes_renew

    leader = MembershipFactory(agency=agency_a, leader=True, user__username="minh")
    TOTPDeviceFactory(user=leader.user)
    code = recovery_codes_renew(user=leader.user)[3]
    first = Client()
    _password_step(first, "minh")
    assert first.post(reverse("web:login-code"), {"code": code}).status_code == 302
    second = Client()
    _password_step(second, "minh")
    assert second.post(reverse("web:login-code"), {"code": code}).status_code == 400


def test_leader_of_an_agency_requiring_it_enrols_before_anything_else(db):
    agency = AgencyFactory(require_second_factor=True)
    leader = MembershipFactory(agency=agency, leader=True)
    client = web_client(leader)
    for page in ("web:dashboard", "web:incoming-list", "web:password-change"):
        assert client.get(reverse(page))["Location"] == reverse("web:second-factor"), page
    enrol = client.get(reverse("web:second-factor"))
    assert enrol.status_code == 200
    page = enrol.content.decode()
    assert "<svg" in page and "otpauth://totp/" in page and "Cơ quan yêu cầu" in page
    device = TOTPDevice.objects.get(user=leader.user, confirmed=False)
    assert client.get(reverse("web:second-factor")).status_code == 200
    assert TOTPDevice.objects.filter(user=leader.user).count() == 1  # a reload keeps the secret
    assert client.post(reverse("web:second-factor"), {"code": _wrong(device)}).status_code == 400
    done = client.post(reverse("web:second-factor"), {"code": totp_now(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(c in done.content.decode() for c in codes)
    stored = set(RecoveryCode.objects.filter(user=leader.user).values_list("digest", flat=True))
    assert len(stored) == 10 and not any(c.replace("-", "") in "".join(stored) for c in codes)
    assert client.get(reverse("web:dashboard")).status_code == 200
    assert "Đã bật xác thực hai lớp" in client.get(reverse("web:second-factor")).content.decode()


@pytest.mark.parametrize("roles", [{"clerk": True}, {"staff": True}])
def test_clerks_and_staff_are_not_sent_to_enrolment(db, roles):
    agency = AgencyFactory(require_second_factor=True)
    assert web_client(MembershipFactory(agency=agency, **roles)).get(reverse("web:dashboard")).status_code == 200


def test_an_agency_that_does_not_require_it_leaves_its_leader_alone(agency_a):
    assert web_client(MembershipFactory(agency=agency_a, admin=True)).get(reverse("web:dashboard")).status_code == 200


def test_re_enrolling_replaces_the_device_and_the_old_recovery_codes(agency_a):
    from docflow.tenancy.second_factor import recovery_codes_renew

    leader = MembershipFactory(agency=agency_a, leader=True)
    old = TOTPDeviceFactory(user=leader.user)
    old_codes = recovery_codes_renew(user=leader.user)
    client = web_client(leader)
    client.get(reverse("web:second-factor") + "?lai=1")
    new = TOTPDevice.objects.get(user=leader.user, confirmed=False)
    assert client.post(reverse("web:second-factor"), {"code": totp_now(new)}).status_code == 200
    assert list(TOTPDevice.objects.filter(user=leader.user)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    from docflow.tenancy.second_factor import second_factor_verify

    assert not second_factor_verify(user=leader.user, code=old_codes[0])


def test_the_admin_login_asks_a_person_with_a_device_for_the_code(db):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    device = TOTPDeviceFactory(user=root)
    url = reverse("admin:login")
    without = Client().post(url, {"username": "root", "password": PASSWORD})
    assert without.status_code == 200 and "Mã xác thực không đúng" in without.content.decode()
    client = Client()
    assert client.post(url, {"username": "root", "password": PASSWORD, "otp": totp_now(device)}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_session_that_skipped_the_code_is_ended_for_a_leader_who_must_give_one(db):
    agency = AgencyFactory(require_second_factor=True)
    leader = MembershipFactory(agency=agency, leader=True)
    TOTPDeviceFactory(user=leader.user)
    client = web_client(leader)  # signed in without the code step
    assert client.get(reverse("web:dashboard"))["Location"] == reverse("web:login")
    assert client.get(reverse("web:dashboard"))["Location"].startswith(reverse("web:login"))


def test_a_leader_who_gave_the_code_works_in_an_agency_requiring_it(db):
    agency = AgencyFactory(require_second_factor=True)
    leader = MembershipFactory(agency=agency, leader=True, user__username="minh")
    device = TOTPDeviceFactory(user=leader.user)
    client = Client()
    _password_step(client, "minh")
    client.post(reverse("web:login-code"), {"code": totp_now(device)})
    assert client.get(reverse("web:dashboard")).status_code == 200
