"""The web login and the Django admin login: wrong passwords lock the username at that
address (a Vietnamese page, 429) while a colleague at the same address still signs in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "secret-pass-123"


def _post(url, username, password, *, address="10.0.0.1", client=None):
    return (client or Client()).post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_fifty_wrong_passwords_on_the_web_login_lock_out_that_username_from_that_address(agency_a):
    MembershipFactory(agency=agency_a, clerk=True, user__username="thu")
    MembershipFactory(agency=agency_a, staff=True, user__username="lan")
    url = reverse("web:login")
    answers = [_post(url, "thu", f"sai-{i}").status_code for i in range(50)]
    assert answers[:4] == [200] * 4 and set(answers[4:]) == {429}
    locked = _post(url, "thu", PASSWORD)
    assert locked.status_code == 429 and locked["Retry-After"] == str(15 * 60)
    page = locked.content.decode()
    assert "Tạm khóa đăng nhập" in page and "Thử lại sau 15 phút" in page
    client = Client()
    colleague = _post(url, "lan", PASSWORD, client=client)
    assert colleague.status_code == 302
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_fifty_wrong_passwords_on_the_admin_login_lock_out_that_username(db):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    UserFactory(username="root2", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    answers = [_post(url, "root", f"sai-{i}").status_code for i in range(50)]
    assert answers[:4] == [200] * 4 and set(answers[4:]) == {429}
    assert _post(url, "root", PASSWORD).status_code == 429
    client = Client()
    assert _post(url, "root2", PASSWORD, client=client).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_lock_ends_after_the_cool_off(agency_a):
    import time_machine
    from datetime import timedelta

    from django.utils import timezone

    MembershipFactory(agency=agency_a, clerk=True, user__username="thu")
    url = reverse("web:login")
    for i in range(5):
        _post(url, "thu", "sai")
    assert _post(url, "thu", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert _post(url, "thu", PASSWORD).status_code == 302
