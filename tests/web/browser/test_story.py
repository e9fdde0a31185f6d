"""The story of a công văn, clicked through in headless Chromium.

A district staff member drafts it, the leader approves it, the clerk issues it to two
communes; a commune clerk accepts it and the commune leader assigns it; the district sees
each commune's status. Screenshots of the main pages are saved on the way.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import MembershipFactory
from tests.web.conftest import Office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Về việc tổng kết công tác văn thư, lưu trữ năm"


def test_a_cong_van_from_the_district_is_accepted_and_assigned_in_a_commune(sign_in):
    office = Office(communes=3)
    first, second, _third = office.communes
    commune_staff = MembershipFactory(agency=first, staff=True, user__full_name="Quàng Văn Sơn")

    staff = sign_in(office.staff)
    expect(staff.page.get_by_role("heading", level=1)).to_have_text(office.district.name)
    staff.shot("01-dashboard-staff")
    staff.page.get_by_role("navigation", name="Chức năng").get_by_role("link", name="Soạn văn bản").click()
    page = staff.page
    page.get_by_label("Loại văn bản").select_option("cong_van")
    page.get_by_label("Đơn vị soạn thảo").select_option("VP")
    page.get_by_label("Trích yếu").fill(SUBJECT)
    page.get_by_role("textbox", name="Nội dung").fill("Đề nghị Ủy ban nhân dân các xã báo cáo trước ngày 15/12.")
    page.get_by_label("Người ký").select_option(office.leader.user.username)
    page.get_by_label(first.name, exact=True).check()
    page.get_by_label(second.name, exact=True).check()
    staff.shot("02-compose")
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.locator("#doc-state")).to_have_text("Dự thảo")
    page.get_by_role("button", name="Trình ký").click()
    expect(page.locator("#doc-state")).to_have_text("Chờ duyệt")
    staff.shot("03-outgoing-submitted")

    leader = sign_in(office.leader)
    leader.page.get_by_role("navigation", name="Chức năng").get_by_role("link", name="Chờ duyệt").click()
    leader.shot("04-approval-queue")
    leader.page.get_by_role("link", name=SUBJECT).click()
    leader.page.get_by_role("button", name="Duyệt và ký").click()
    expect(leader.page.locator("#doc-state")).to_have_text("Đã ký duyệt")

    clerk = sign_in(office.clerk)
    clerk.page.get_by_role("navigation", name="Chức năng").get_by_role("link", name="Chờ phát hành").click()
    clerk.page.get_by_role("link", name=SUBJECT).click()
    expect(clerk.page.locator("#number-preview")).to_have_text(re.compile(r"^01/UBND-VP$"))
    clerk.shot("05-issue-page")
    clerk.page.get_by_role("button", name="Cấp số và phát hành").click()
    expect(clerk.page.locator("#doc-state")).to_have_text("Đã phát hành")
    expect(clerk.page.locator("#doc-notation")).to_have_text("01/UBND-VP")
    clerk.shot("06-issued-tracking")

    commune_clerk = sign_in(office.commune_clerks[0])
    commune_clerk.page.get_by_role("navigation", name="Chức năng").get_by_role("link", name="Văn bản đến").click()
    commune_clerk.page.get_by_label("Tìm kiếm").fill("tong ket van thu")
    commune_clerk.page.get_by_role("button", name="Lọc").click()
    commune_clerk.shot("07-incoming-list")
    commune_clerk.page.get_by_role("link", name=SUBJECT).click()
    commune_clerk.page.get_by_role("button", name="Tiếp nhận").click()
    expect(commune_clerk.page.locator("#doc-status")).to_have_text("Đã tiếp nhận")
    expect(commune_clerk.page.locator("#incoming-number")).to_have_text("1")

    commune_leader = sign_in(office.commune_leaders[0])
    commune_leader.page.goto(commune_clerk.page.url)
    commune_leader.page.get_by_label("Tìm người").fill("quang son")
    commune_leader.page.get_by_role("radio", name=f"Chủ trì {commune_staff.user.full_name}").check()
    commune_leader.page.get_by_label("Ý kiến chỉ đạo").fill("Đồng chí Sơn chủ trì, báo cáo trước ngày 12/12.")
    commune_leader.shot("08-assign-picker")
    commune_leader.page.get_by_role("button", name="Phân công").click()
    expect(commune_leader.page.locator("#doc-status")).to_have_text("Đã phân công")
    commune_leader.shot("09-incoming-assigned")

    staff.page.reload()
    rows = staff.page.locator("#tracking tbody tr")
    expect(rows).to_have_count(2)
    expect(staff.page.locator(f'#tracking tr[data-recipient="{first.code}"] .badge')).to_have_text("Đã phân công")
    expect(staff.page.locator(f'#tracking tr[data-recipient="{second.code}"] .badge')).to_have_text("Đã đến")
    staff.shot("10-district-tracking")

    for person in (staff, leader, clerk, commune_clerk, commune_leader):
        assert person.errors == [], person.errors
