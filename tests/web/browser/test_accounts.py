"""Accounts clicked through in headless Chromium: an agency admin issues a reset link, the
person sets a new password with it and later changes it; the default handling days; the
system administrator's landing page. Each page is shot at desktop and phone size."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.factories import AgencyFactory, MembershipFactory, UnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
NEW_PASSWORD = re.compile(r"^Mật khẩu mới")  # not "Nhập lại mật khẩu mới"


def _shots(person, name: str) -> None:
    person.shot(f"accounts-{name}-desktop")
    person.page.set_viewport_size(PHONE)
    person.shot(f"accounts-{name}-phone")
    person.page.set_viewport_size(DESKTOP)


def test_admin_resets_a_password_by_link_and_the_person_changes_it_later(sign_in, browser, live_server, settings):
    settings.DOCFLOW_SITE_URL = live_server.url  # links in e-mails point where the site runs
    agency = AgencyFactory(name="Ủy ban nhân dân xã Phiêng Ban")
    unit = UnitFactory(agency=agency)
    admin = MembershipFactory(agency=agency, admin=True, unit=unit, user__full_name="Lò Thị Hoa")
    clerk = MembershipFactory(agency=agency, clerk=True, unit=unit, user__full_name="Nguyễn Thị Thu",
                              user__email="thu@phiengban.test")

    office = sign_in(admin)
    page = office.page
    page.get_by_role("navigation", name="Chức năng").get_by_role("link", name="Quản trị").click()
    _shots(office, "01-admin-home")
    page.get_by_role("link", name=f"Đặt lại {clerk.user.username}").click()
    _shots(office, "02-reset-confirm")
    page.get_by_role("button", name="Cấp liên kết đặt lại mật khẩu").click()
    link = page.get_by_label("Liên kết đặt lại mật khẩu").input_value()
    expect(page.get_by_text("Đã gửi liên kết đến thu@phiengban.test.")).to_be_visible()
    _shots(office, "03-reset-issued")

    page.get_by_role("link", name="Về trang quản trị").click()
    page.get_by_role("link", name="Sửa hạn xử lý").click()
    page.get_by_label("Văn bản thường").fill("0")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Ít nhất 1 ngày.")).to_be_visible()
    page.get_by_label("Văn bản thường").fill("7")
    _shots(office, "04-handling-days")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Văn bản thường: 7 ngày")).to_be_visible()

    person = browser.new_context(base_url=live_server.url, locale="vi-VN", viewport=DESKTOP)
    own = person.new_page()
    own.goto(link)
    expect(own.get_by_role("heading", name="Đặt mật khẩu mới")).to_be_visible()
    assert link.split("/")[-2] not in own.url  # the token left the address bar
    own.get_by_label(NEW_PASSWORD).fill("12345678")
    own.get_by_label("Nhập lại mật khẩu mới").fill("12345678")
    own.get_by_role("button", name="Đặt mật khẩu").click()
    expect(own.get_by_text("Mật khẩu này quá phổ biến.")).to_be_visible()
    own.screenshot(path=str(office.screenshots / "accounts-05-reset-weak-desktop.png"), full_page=True)
    own.get_by_label(NEW_PASSWORD).fill("Mua-Lua-Tay-Bac-88")
    own.get_by_label("Nhập lại mật khẩu mới").fill("Mua-Lua-Tay-Bac-88")
    own.get_by_role("button", name="Đặt mật khẩu").click()
    expect(own.get_by_text("Đã đặt mật khẩu mới. Mời đăng nhập.")).to_be_visible()
    own.goto(link)
    expect(own.get_by_role("heading", name="Liên kết không còn dùng được")).to_be_visible()
    person.close()

    thu = sign_in(clerk, password="Mua-Lua-Tay-Bac-88")
    thu.page.get_by_role("link", name="Đổi mật khẩu").click()
    thu.page.get_by_label("Mật khẩu hiện tại").fill("Mua-Lua-Tay-Bac-88")
    thu.page.get_by_label(NEW_PASSWORD).fill("Song-Pe-Mua-Lua-2026")
    thu.page.get_by_label("Nhập lại mật khẩu mới").fill("Song-Pe-Mua-Lua-2027")
    thu.page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(thu.page.get_by_text("Hai lần nhập mật khẩu mới không giống nhau.")).to_be_visible()
    _shots(thu, "06-password-change-error")
    thu.page.get_by_label("Mật khẩu hiện tại").fill("Mua-Lua-Tay-Bac-88")
    thu.page.get_by_label(NEW_PASSWORD).fill("Song-Pe-Mua-Lua-2026")
    thu.page.get_by_label("Nhập lại mật khẩu mới").fill("Song-Pe-Mua-Lua-2026")
    thu.page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(thu.page.get_by_text("Đã đổi mật khẩu.")).to_be_visible()
    # Refused forms answer 400 on purpose; anything else in the console is a fault.
    assert [e for e in thu.errors + office.errors if "status of 400" not in e] == []


def test_the_system_administrator_lands_on_a_link_to_the_system_administration(sign_in):
    root = get_user_model().objects.create_superuser("admin", "admin@docflow.test", "secret-pass-123",
                                                     full_name="Quản trị hệ thống")
    system = sign_in(type("Login", (), {"user": root})())
    expect(system.page.get_by_role("heading", name="Quản trị hệ thống")).to_be_visible()
    _shots(system, "07-system-admin-landing")
    system.page.get_by_role("link", name="Mở trang quản trị hệ thống").click()
    expect(system.page.get_by_role("heading", name="Quản trị hệ thống", exact=True)).to_be_visible()
    _shots(system, "08-django-admin-index")
    member = MembershipFactory(agency=AgencyFactory(name="Ủy ban nhân dân xã Phiêng Ban"), clerk=True,
                               user__full_name="Nguyễn Thị Thu")
    system.page.goto("/admin/tenancy/membership/")
    _shots(system, "09-django-admin-memberships")
    system.page.goto(f"/admin/tenancy/membership/{member.pk}/change/")
    expect(system.page.get_by_role("heading", name="Nguyễn Thị Thu — UBND xã Phiêng Ban (văn thư)")).to_be_visible()
    _shots(system, "10-django-admin-membership")
