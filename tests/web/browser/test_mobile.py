"""On a phone: every menu item reachable, the actions first, targets a thumb can hit, charts
that can be read, and the installed app's offline page when the network is gone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import MembershipFactory
from tests.web.browser.site import Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MENU = ["Tổng quan", "Văn bản đến", "Văn bản đi", "Soạn văn bản", "Chờ duyệt", "Chờ phát hành",
        "Sổ văn bản", "Tìm kiếm", "Thống kê", "Quản trị"]
TAP = 44  # px, WCAG 2.5.5 and both platforms' guidelines

# Every control a finger is meant to hit that is shown, with its size in CSS px.
TARGETS_JS = """() => Array.from(document.querySelectorAll(
    'main button, main .button, main label.check, main td.pick label, main summary, main .form-actions > a, '
    + 'main .tabs a, main .pager a, .mainnav a, .menu-toggle, .topbar button'))
  .filter(e => e.offsetParent !== null)
  .map(e => { const r = e.getBoundingClientRect();
              return {what: (e.className || e.tagName) + ': ' + e.textContent.trim().slice(0, 40),
                      width: r.width, height: r.height}; })"""


def small_targets(page) -> list[dict]:
    return [t for t in page.evaluate(TARGETS_JS) if t["height"] < TAP - 0.5 or t["width"] < TAP - 0.5]


@pytest.fixture
def everyone(db):
    """One person with every role, so the menu has all of its items."""
    site = Site()
    member = MembershipFactory(agency=site.office.district, clerk=True, leader=True, staff=True, admin=True,
                               unit=site.office.unit, user__full_name="Đinh Thị Mai")
    return site, member


def test_every_menu_item_is_reachable_on_a_phone_behind_the_menu_button(sign_in, everyone):
    _site, member = everyone
    person = sign_in(member, size="phone")
    page, nav = person.page, person.page.get_by_role("navigation", name="Chức năng")
    toggle = nav.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Văn bản đến")).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    for name in MENU:
        link = nav.get_by_role("link", name=name, exact=True)
        expect(link).to_be_in_viewport()
        box = link.bounding_box()
        assert box["height"] >= TAP and box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
    person.shot("phone-menu-open")
    nav.get_by_role("link", name="Quản trị").click()
    page.wait_for_url("**/quan-tri/")
    expect(toggle).to_have_attribute("aria-expanded", "false")  # a new page starts folded
    page.keyboard.press("Tab")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(nav.get_by_role("link", name="Thống kê")).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="Thống kê")).to_be_hidden()
    assert person.errors == []


def test_on_a_desktop_the_whole_menu_shows_without_a_button(sign_in, everyone):
    _site, member = everyone
    person = sign_in(member, size="desktop")
    nav = person.page.get_by_role("navigation", name="Chức năng")
    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
    for name in MENU:
        box = nav.get_by_role("link", name=name, exact=True).bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1280, name


def test_without_scripts_the_phone_menu_wraps_and_shows_every_item(browser, live_server, everyone):
    _site, member = everyone
    from tests.web.browser.conftest import SIZES

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, **SIZES["phone"])
    try:
        page = context.new_page()
        page.goto("/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(member.user.username)
        page.get_by_label("Mật khẩu").fill("secret-pass-123")
        page.get_by_role("button", name="Đăng nhập").click()
        nav = page.get_by_role("navigation", name="Chức năng")
        expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
        for name in MENU:
            box = nav.get_by_role("link", name=name, exact=True).bounding_box()
            assert box is not None and box["x"] + box["width"] <= 390, name
    finally:
        context.close()


def test_the_actions_card_comes_first_on_a_phone_and_beside_the_content_on_a_desktop(sign_in, db):
    site = Site()
    path = reverse("web:incoming-detail", args=[site.incoming.pk])
    phone = sign_in(site.commune_leader, size="phone")
    phone.page.goto(path)
    actions = phone.page.locator(".actions-card").bounding_box()
    envelope = phone.page.locator("section[aria-labelledby=envelope-title]").bounding_box()
    history = phone.page.locator("section[aria-labelledby=history-title]").bounding_box()
    assert actions["y"] < envelope["y"] < history["y"]
    assert actions["y"] < 844  # on the first screen, under the title
    expect(phone.page.get_by_role("button", name="Phân công")).to_be_visible()
    desktop = sign_in(site.commune_leader, size="desktop")
    desktop.page.goto(path)
    actions = desktop.page.locator(".actions-card").bounding_box()
    envelope = desktop.page.locator("section[aria-labelledby=envelope-title]").bounding_box()
    assert actions["x"] > envelope["x"] + envelope["width"] and abs(actions["y"] - envelope["y"]) < 2


@pytest.mark.parametrize("who,path", [
    ("commune_leader", "incoming"), ("commune_clerk", "/van-ban-den/"), ("staff", "/van-ban-di/soan/"),
    ("leader", "pending"), ("staff", "/thong-bao/cai-dat/"), ("admin", "/quan-tri/nguoi-dung/"),
    ("staff", "/van-ban-di/"), ("clerk", "/so-van-ban/"),
])
def test_every_button_link_in_the_menu_and_choice_is_at_least_44_px_on_a_phone(sign_in, db, who, path):
    site = Site()
    path = {"incoming": reverse("web:incoming-detail", args=[site.incoming.pk]),
            "pending": reverse("web:outgoing-detail", args=[site.pending.pk])}.get(path, path)
    person = sign_in(getattr(site, who), size="phone")
    person.page.goto(path)
    person.page.locator(".menu-toggle").click()  # the menu's links are measured open
    assert len(person.page.evaluate(TARGETS_JS)) > 5
    assert small_targets(person.page) == []


def test_a_choice_is_ticked_by_tapping_its_label(sign_in, db):
    site = Site()
    person = sign_in(site.commune_clerk, size="phone")
    person.page.goto("/van-ban-den/")
    person.page.get_by_text("Thêm điều kiện lọc").tap()
    label = person.page.locator("label.check", has_text="Đã tiếp nhận")
    label.locator("span").tap()
    expect(person.page.get_by_role("checkbox", name="Đã tiếp nhận")).to_be_checked()


def test_chart_labels_are_at_least_11_px_on_a_phone(sign_in, db):
    site = Site()
    for who, path in (("leader", "/thong-ke/"), ("leader", "/")):
        person = sign_in(getattr(site, who), size="phone")
        person.page.goto(path)
        sizes = person.page.evaluate("""() => Array.from(document.querySelectorAll('figure.chart svg')).map(svg => {
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return parseFloat(svg.getAttribute('font-size')) * scale; })""")
        assert sizes and min(sizes) >= 11, (path, sizes)
        texts = person.page.evaluate("""() => Array.from(document.querySelectorAll('figure.chart svg text'))
            .map(t => t.getBoundingClientRect().height)""")
        assert min(texts) >= 11, (path, min(texts))


def test_the_installed_app_shows_its_offline_page_when_the_network_is_gone(sign_in, db):
    site = Site()
    person = sign_in(site.staff, size="phone")
    page = person.page
    scope = page.evaluate("() => navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope.endswith("/")
    page.reload()  # now the page is controlled by the worker
    assert page.evaluate("() => navigator.serviceWorker.controller !== null")
    person.context.set_offline(True)
    try:
        page.goto("/van-ban-den/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Không có kết nối mạng")
        expect(page.locator("link[rel=stylesheet]")).to_have_count(1)
        assert page.evaluate("() => getComputedStyle(document.querySelector('.topbar')).backgroundColor") \
            == "rgb(155, 28, 28)"  # the stylesheet came from the worker's cache
        person.shot("phone-offline-served-by-worker")
    finally:
        person.context.set_offline(False)
    page.goto("/van-ban-den/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Văn bản đến")
