"""Files clicked through in headless Chromium: the clerk opens a file, a staff member files an
incoming document from its page, the file is closed and handed over. Screenshots on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.browser.conftest import browser, screenshots_dir, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_file_opened_filled_closed_and_handed_over(sign_in, archive):  # noqa: F811
    copy = archive.received()
    clerk = sign_in(archive.clerk)
    clerk.page.get_by_role("navigation", name="Chức năng").get_by_role("link", name="Hồ sơ").click()
    clerk.page.get_by_label("Số và ký hiệu hồ sơ").fill("01.VP")
    clerk.page.get_by_label("Tiêu đề hồ sơ").fill("Hồ sơ rà soát cán bộ năm 2026")
    clerk.page.get_by_label("Thời hạn bảo quản (số năm, để trống nếu vĩnh viễn)").fill("20")
    clerk.page.get_by_role("button", name="Mở hồ sơ").click()
    expect(clerk.page.locator("#file-state")).to_have_text("Đang lập")

    clerk.page.goto(f"/van-ban-den/{copy.pk}/")
    clerk.page.get_by_role("button", name="Lưu vào hồ sơ").click()
    expect(clerk.page.get_by_text("Đã lưu văn bản vào hồ sơ.")).to_be_visible()
    clerk.shot("records-01-incoming-filed")
    clerk.page.get_by_role("link", name="01.VP").click()
    clerk.shot("records-02-file-open")
    clerk.page.get_by_label("Ghi chú kết thúc hồ sơ").fill("Kết thúc đợt rà soát.")
    clerk.page.get_by_role("button", name="Kết thúc hồ sơ").click()
    expect(clerk.page.locator("#file-state")).to_have_text("Đã kết thúc")
    clerk.shot("records-03-file-closed")

    clerk.page.get_by_role("link", name="Nộp lưu").first.click()
    clerk.page.get_by_label("01.VP — Hồ sơ rà soát cán bộ năm 2026").check()
    clerk.page.get_by_role("button", name="Lập đợt nộp lưu").click()
    expect(clerk.page.get_by_text("Đã lập đợt nộp lưu; gói dữ liệu đang được tạo.")).to_be_visible()
    clerk.page.reload()
    expect(clerk.page.get_by_role("link", name="Gói BagIt (ZIP)")).to_be_visible()
    clerk.shot("records-04-transfers")
    clerk.page.goto("/ho-so/danh-muc/")
    clerk.shot("records-05-file-list")
    assert clerk.errors == []
