"""Signing in through the API: failed sign-ins counted per username+address and per username
(django-axes, in the database), the client address behind a configured proxy, and the second
factor that the token endpoint asks of a person with a confirmed device."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from docflow.tenancy.logins import client_ip
from docflow.tenancy.models import RecoveryCode
from docflow.tenancy.second_factor import recovery_codes_renew
from tests.factories import AgencyFactory, MembershipFactory, TOTPDeviceFactory, totp_now

pytestmark = pytest.mark.django_db
PASSWORD = "secret-pass-123"
TOKEN_URL = "/api/v1/auth/token/"


def _sign_in(username, password=PASSWORD, *, address="10.0.0.1", forwarded=None, **extra):
    meta = {"REMOTE_ADDR": address}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return APIClient().post(TOKEN_URL, {"username": username, "password": password, **extra},
                            format="json", **meta)


def test_fifty_wrong_passwords_lock_the_username_at_that_address_but_not_a_colleague_there(agency_a):
    MembershipFactory(agency=agency_a, clerk=True, user__username="thu")
    MembershipFactory(agency=agency_a, staff=True, user__username="lan")
    answers = [_sign_in("thu", f"doan-sai-{i}").status_code for i in range(50)]
    assert answers[:4] == [401] * 4 and set(answers[4:]) == {429}
    locked = _sign_in("thu")  # the right password, too late
    assert locked.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in locked.json()["detail"]
    assert int(locked["Retry-After"]) == 15 * 60
    assert _sign_in("lan").status_code == 200  # same town address, another person


def test_a_few_failures_lock_the_pair_and_many_lock_the_username_everywhere(agency_a, settings):
    MembershipFactory(agency=agency_a, clerk=True, user__username="thu")
    for i in range(5):
        _sign_in("thu", "sai", address="10.0.0.1")
    assert _sign_in("thu", address="10.0.0.1").status_code == 429
    assert _sign_in("thu", address="10.0.0.2").status_code == 200  # 5 < 20 for the username
    # Spread over many addresses, the username limit still stops the guessing.
    for i in range(settings.DOCFLOW_LOGIN_FAILURES_PER_USERNAME):
        _sign_in("thu", "sai", address=f"10.1.{i}.1")
    assert _sign_in("thu", address="10.9.9.9").status_code == 429


def test_without_configured_proxies_a_forged_forwarded_for_is_ignored(agency_a):
    MembershipFactory(agency=agency_a, clerk=True, user__username="thu")
    for i in range(5):  # the attacker varies X-Forwarded-For on every try
        assert _sign_in("thu", "sai", forwarded=f"203.0.113.{i}").status_code in (401, 429)
    assert _sign_in("thu", forwarded="198.51.100.7").status_code == 429  # same REMOTE_ADDR


def test_behind_a_configured_proxy_the_real_client_address_is_counted(agency_a, settings):
    settings.DOCFLOW_TRUSTED_PROXIES = 1
    MembershipFactory(agency=agency_a, clerk=True, user__username="thu")
    proxy = "192.0.2.10"
    for _ in range(5):  # the attacker, seen by the proxy as 203.0.113.5, forges a left entry
        _sign_in("thu", "sai", address=proxy, forwarded="198.51.100.7, 203.0.113.5")
    assert _sign_in("thu", address=proxy, forwarded="203.0.113.5").status_code == 429
    # The real user behind the same proxy, from their own address, still signs in.
    assert _sign_in("thu", address=proxy, forwarded="198.51.100.7").status_code == 200


@pytest.mark.parametrize("proxies,forwarded,expected", [
    (0, "203.0.113.5", "192.0.2.10"),
    (1, "203.0.113.5", "203.0.113.5"),
    (1, "198.51.100.7, 203.0.113.5", "203.0.113.5"),
    (2, "198.51.100.7, 203.0.113.5, 192.0.2.9", "203.0.113.5"),
    (1, "not-an-address", "192.0.2.10"),
    (1, None, "192.0.2.10"),
])
def test_client_address_is_taken_from_as_many_proxies_as_configured(settings, proxies, forwarded, expected):
    settings.DOCFLOW_TRUSTED_PROXIES = proxies
    meta = {"REMOTE_ADDR": "192.0.2.10"} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})
    assert client_ip(RequestFactory().post("/", **meta)) == expected


@pytest.fixture
def leader_with_app(agency_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # tries in quick succession are this test's point
    leader = MembershipFactory(agency=agency_a, leader=True, user__username="minh")
    return leader, TOTPDeviceFactory(user=leader.user)


def test_leader_with_a_confirmed_device_gets_no_token_without_a_valid_code(leader_with_app):
    leader, device = leader_with_app
    for extra in ({}, {"otp": ""}, {"otp": "000000" if totp_now(device) != "000000" else "111111"},
                  {"otp": "ABCDE-FGHJK"}):
        response = _sign_in("minh", **extra)
        assert response.status_code == 400 and list(response.json()) == ["otp"], extra
    ok = _sign_in("minh", address="10.0.0.2", otp=totp_now(device))
    assert ok.status_code == 200 and len(ok.json()["token"]) == 40


def test_the_same_code_does_not_work_twice(leader_with_app):
    _leader, device = leader_with_app
    code = totp_now(device)
    assert _sign_in("minh", otp=code).status_code == 200
    assert _sign_in("minh", otp=code).status_code == 400


def test_wrong_codes_count_as_failed_sign_ins(leader_with_app):
    _leader, device = leader_with_app
    wrong = "000000" if totp_now(device) != "000000" else "111111"
    answers = [_sign_in("minh", otp=wrong).status_code for _ in range(5)]
    assert answers == [400] * 4 + [429]
    assert _sign_in("minh", otp=totp_now(device)).status_code == 429


def test_recovery_codes_work_once_and_are_stored_hashed(leader_with_app):
    leader, _device = leader_with_app
    codes = recovery_codes_renew(user=leader.user)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(user=leader.user).values_list("digest", flat=True))
    assert not any(c.replace("-", "") in d or c in d for c in codes for d in stored)
    assert _sign_in("minh", otp=codes[0].lower()).status_code == 200  # case and dash forgiven
    assert _sign_in("minh", otp=codes[0]).status_code == 400
    assert _sign_in("minh", otp=codes[1].replace("-", "")).status_code == 200


def test_leader_of_an_agency_requiring_a_second_factor_enrols_before_getting_a_token(db):
    agency = AgencyFactory(require_second_factor=True)
    MembershipFactory(agency=agency, leader=True, user__username="minh")
    MembershipFactory(agency=agency, staff=True, user__username="lan")
    refused = _sign_in("minh")
    assert refused.status_code == 400 and "đăng ký" in refused.json()["otp"][0]
    assert _sign_in("lan").status_code == 200  # staff are not asked


def test_new_agencies_require_a_second_factor_when_configured_so(settings):
    from docflow.tenancy.models import Agency

    settings.DOCFLOW_SECOND_FACTOR_DEFAULT = True
    assert Agency(code="000.00.98.H52", name="x", level="commune").require_second_factor
    settings.DOCFLOW_SECOND_FACTOR_DEFAULT = False
    assert not Agency(code="000.00.98.H52", name="x", level="commune").require_second_factor
