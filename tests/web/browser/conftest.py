"""Headless Debian Chromium driven by Playwright against pytest-django's live server.

No browser download: Playwright launches /usr/bin/chromium (``DOCFLOW_CHROMIUM`` to change).
A missing browser fails the tests, never skips them. Screenshots go to ``DOCFLOW_SCREENSHOTS``
(a temporary folder by default) and are looked at while developing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("DOCFLOW_CHROMIUM", "/usr/bin/chromium")
# The two sizes every page is looked at: a desktop and a phone (390×844 CSS px, touch).
SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
}
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    folder = Path(os.environ.get("DOCFLOW_SCREENSHOTS") or tempfile.mkdtemp(prefix="docflow-screens-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module. Playwright's sync API keeps an event loop running in this
    thread, so Django's guard against ORM calls from async code is lifted while it runs (the
    ORM calls here are the tests' own, synchronous ones) and put back afterwards."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[dev]'")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Person:
    """One person's own browser context (cookies), signed in through the login page."""

    def __init__(self, browser, base_url: str, screenshots: Path, username: str | None, password: str,
                 size: str | None = None) -> None:
        options = SIZES[size] if size else {"viewport": {"width": 1280, "height": 860}}
        self.context = browser.new_context(base_url=base_url, locale="vi-VN", **options)
        self.page = self.context.new_page()
        self.screenshots = screenshots
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        if username is None:  # nobody signed in: the login page's visitor
            return
        self.page.goto("/dang-nhap/")
        self.page.get_by_label("Tên đăng nhập").fill(username)
        self.page.get_by_label("Mật khẩu").fill(password)
        self.page.get_by_role("button", name="Đăng nhập").click()
        self.page.wait_for_url("**/")

    def shot(self, name: str) -> Path:
        path = self.screenshots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def sign_in(browser, live_server, screenshots_dir):  # browser first: the loop guard is lifted
    people: list[Person] = []

    def open_as(membership, password: str = "secret-pass-123", size: str | None = None) -> Person:
        username = membership.user.username if membership is not None else None
        person = Person(browser, live_server.url, screenshots_dir, username, password, size)
        people.append(person)
        return person

    yield open_as
    for person in people:
        person.close()
