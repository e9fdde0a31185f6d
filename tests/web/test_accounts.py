"""A person changes their own password; an agency admin resets one through a one-time link."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from docflow.tenancy.models import User
from tests.factories import MembershipFactory
from tests.web.conftest import web_client

pytestmark = pytest.mark.django_db
NEW = "Song-Pe-Mua-Lua-2026"


def _change(client, **fields):
    page = client.get(reverse("web:password-change"))
    data = {"once": page.context["form"]["once"].value(), "old_password": "secret-pass-123",
            "new_password": NEW, "new_password_again": NEW} | fields
    return client.post(reverse("web:password-change"), data)


def test_the_top_bar_links_to_the_password_page(agency_a):
    client = web_client(MembershipFactory(agency=agency_a, staff=True))
    assert reverse("web:password-change") in client.get(reverse("web:dashboard")).content.decode()


def test_person_changes_password_and_stays_signed_in(agency_a):
    member = MembershipFactory(agency=agency_a, staff=True)
    client = web_client(member)
    response = _change(client)
    assert response.status_code == 302 and response["Location"] == reverse("web:dashboard")
    assert User.objects.get(pk=member.user_id).check_password(NEW)
    assert client.get(reverse("web:dashboard")).status_code == 200  # session kept


def test_changing_the_password_signs_out_the_persons_other_sessions(agency_a):
    member = MembershipFactory(agency=agency_a, staff=True)
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        assert device.login(username=member.user.username, password="secret-pass-123")
    assert _change(laptop).status_code == 302
    assert laptop.get(reverse("web:dashboard")).status_code == 200
    assert phone.get(reverse("web:dashboard"))["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize("fields,field,message", [
    ({"old_password": "sai-mat-khau"}, "old_password", "Mật khẩu hiện tại không đúng."),
    ({"new_password": "12345678", "new_password_again": "12345678"}, "new_password", "quá phổ biến"),
    ({"new_password_again": "Khac-Hoan-Toan-99"}, "new_password_again", "không giống nhau"),
])
def test_password_change_answers_400_naming_the_field(agency_a, fields, field, message):
    member = MembershipFactory(agency=agency_a, staff=True)
    response = _change(web_client(member), **fields)
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    assert User.objects.get(pk=member.user_id).check_password("secret-pass-123")


def _issue(client, member):
    url = reverse("web:admin-member-reset", args=[member.uuid])
    once = client.get(url).context["form"]["once"].value()
    return client.post(url, {"once": once})


def test_admin_issues_a_link_the_person_uses_once(agency_a, mailoutbox, django_capture_on_commit_callbacks):
    admin = MembershipFactory(agency=agency_a, admin=True)
    person = MembershipFactory(agency=agency_a, clerk=True, user__email="thu@phiengban.test")
    client = web_client(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _issue(client, person)
    assert response.status_code == 302
    shown = client.get(response["Location"])
    link = shown.context["issued"]["url"]
    assert link in shown.content.decode() and "thu@phiengban.test" in shown.content.decode()
    assert link in mailoutbox[0].body
    assert client.get(response["Location"]).context["issued"] is None  # shown once
    assert "no-cache" in shown["Cache-Control"] or "no-store" in shown["Cache-Control"]

    browser = Client()
    opened = browser.get(link)
    assert opened.status_code == 302 and link.split("/")[-2] not in opened["Location"]
    form_page = opened["Location"]
    weak = browser.post(form_page, {"new_password": "12345678", "new_password_again": "12345678"})
    assert weak.status_code == 400 and weak.context["form"].errors["new_password"]
    done = browser.post(form_page, {"new_password": NEW, "new_password_again": NEW})
    assert done.status_code == 302 and done["Location"] == reverse("web:login")
    assert browser.login(username=person.user.username, password=NEW)
    assert Client().get(link).status_code == 404  # the link is spent


def test_another_agencys_member_answers_404_on_reset(agency_a, agency_b):
    admin_b = MembershipFactory(agency=agency_b, admin=True)
    person = MembershipFactory(agency=agency_a, staff=True)
    url = reverse("web:admin-member-reset", args=[person.uuid])
    client = web_client(admin_b)
    assert client.get(url).status_code == 404
    assert client.post(url, {"once": "0190a0b0-0000-7000-8000-000000000001"}).status_code == 404


@pytest.mark.parametrize("role", ["clerk", "leader", "staff"])
def test_only_agency_admins_reach_the_reset_page(agency_a, role):
    person = MembershipFactory(agency=agency_a, staff=True)
    client = web_client(MembershipFactory(agency=agency_a, **{role: True}))
    assert client.get(reverse("web:admin-member-reset", args=[person.uuid])).status_code == 403


def test_a_made_up_link_answers_404(agency_a):
    assert Client().get(reverse("web:password-reset", args=["MQ", "abc-123"])).status_code == 404
    assert Client().get(reverse("web:password-reset", args=["MQ", "dat-mat-khau"])).status_code == 404


def _send_form(client, url, **fields):
    page = client.get(url)
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None} | fields
    return client.post(url, data)


def test_new_people_get_a_validated_initial_password(agency_a):
    client = web_client(MembershipFactory(agency=agency_a, admin=True))
    response = _send_form(client, reverse("web:admin-member-new"), username="ha.thi.lan",
                            full_name="Hà Thị Lan", roles=["staff"], password="12345678")
    assert response.status_code == 400 and response.context["form"].errors["password"]
    assert not User.objects.filter(username="ha.thi.lan").exists()
    response = _send_form(client, reverse("web:admin-member-new"), username="ha.thi.lan",
                            full_name="Hà Thị Lan", roles=["staff"], password=NEW)
    assert response.status_code == 302 and User.objects.get(username="ha.thi.lan").check_password(NEW)


def test_editing_a_person_offers_a_reset_link_not_a_password_box(agency_a):
    person = MembershipFactory(agency=agency_a, staff=True)
    page = web_client(MembershipFactory(agency=agency_a, admin=True)).get(
        reverse("web:admin-member-edit", args=[person.user.username]))
    assert "password" not in page.context["form"].fields
    assert reverse("web:admin-member-reset", args=[person.uuid]) in page.content.decode()


def test_a_shared_persons_name_and_email_are_locked_on_the_second_agencys_form(agency_a, agency_b):
    home = MembershipFactory(agency=agency_a, staff=True, user__full_name="Nguyễn Thị Thu",
                             user__email="thu@phiengban.test")
    MembershipFactory(agency=agency_b, staff=True, user=home.user)
    client = web_client(MembershipFactory(agency=agency_b, admin=True))
    url = reverse("web:admin-member-edit", args=[home.user.username])
    assert client.get(url).context["form"].fields["email"].disabled
    response = _send_form(client, url, full_name="Kẻ Mạo Danh", email="attacker@songpe.test", position="Văn thư")
    assert response.status_code == 302
    home.user.refresh_from_db()
    assert (home.user.full_name, home.user.email) == ("Nguyễn Thị Thu", "thu@phiengban.test")


def test_a_taken_username_answers_400_on_the_username(agency_a, agency_b):
    taken = MembershipFactory(agency=agency_b, staff=True)
    client = web_client(MembershipFactory(agency=agency_a, admin=True))
    response = _send_form(client, reverse("web:admin-member-new"), username=taken.user.username,
                            full_name="Hà Thị Lan", roles=["staff"], password=NEW)
    assert response.status_code == 400 and list(response.context["form"].errors) == ["username"]


def test_admin_adds_a_unit_and_sets_the_approval_chain(agency_a):
    client = web_client(MembershipFactory(agency=agency_a, admin=True))
    assert _send_form(client, reverse("web:admin-unit-new"), symbol="TP", name="Tư pháp").status_code == 302
    response = _send_form(client, reverse("web:admin-approval-chain"), label_0="Lãnh đạo ký",
                            role_0="leader", positions_0="Chủ tịch, Phó Chủ tịch")
    assert response.status_code == 302
    home = client.get(reverse("web:admin-home")).content.decode()
    assert "Tư pháp" in home and "Lãnh đạo ký" in home
