"""A clerk's and a leader's day, clicked through in headless Chromium: a commune answers the
district's công văn from the incoming page in one step; a document that reaches nobody cannot
be issued; the phone layout puts the actions first. Screenshots at desktop and phone size."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument
from docflow.documents.services import document_approve, document_create, document_submit
from docflow.routing.handling import incoming_accept
from docflow.routing.models import IncomingDocument
from tests.factories import MembershipFactory, UnitFactory
from tests.web.conftest import Office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Về việc báo cáo tình hình thu hoạch lúa mùa"


def test_a_commune_replies_to_the_district_from_the_incoming_page(sign_in):
    office = Office(communes=2)
    commune = office.communes[0]
    UnitFactory(agency=commune, symbol="VP", name="Văn phòng")
    sent = office.issued(SUBJECT)
    with cross_agency("system"):
        copy = IncomingDocument.objects.get(agency=commune, source_document_id=sent.pk)
    incoming_accept(membership=office.commune_clerks[0], incoming_id=copy.pk)
    staff = sign_in(MembershipFactory(agency=commune, staff=True, user__full_name="Quàng Văn Sơn"))

    page = staff.page
    page.goto(f"/van-ban-den/{copy.pk}/")
    staff.shot("21-incoming-before-reply")
    page.get_by_role("button", name="Trả lời").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sửa dự thảo")
    expect(page.get_by_label("Trích yếu")).to_have_value("báo cáo tình hình thu hoạch lúa mùa")
    expect(page.get_by_label(office.district.name, exact=True)).to_be_checked()
    staff.shot("22-reply-draft")
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.locator("#doc-state")).to_have_text("Dự thảo")
    with cross_agency("system"):
        draft = OutgoingDocument.objects.get(reply_to_incoming_id=copy.pk)
    assert draft.recipient_codes == [office.district.code]
    assert staff.errors == [], staff.errors


def test_an_issue_that_reaches_nobody_is_refused_on_the_issue_page(sign_in):
    office = Office(communes=1)
    document = document_create(actor=office.staff, doc_type="cong_van", subject="Về việc nội bộ", unit="VP",
                               signer=office.leader.user.username)
    document_submit(actor=office.staff, document_id=document.pk)
    document_approve(actor=office.leader, document_id=document.pk)
    clerk = sign_in(office.clerk)
    clerk.page.goto(f"/van-ban-di/{document.pk}/phat-hanh/")
    expect(clerk.page.get_by_role("alert")).to_contain_text("chưa có nơi nhận")
    expect(clerk.page.get_by_role("button", name="Cấp số và phát hành")).to_have_count(0)
    clerk.shot("23-issue-refused-nobody")
    with cross_agency("system"):
        assert OutgoingDocument.objects.get(pk=document.pk).state == "approved"
    assert clerk.errors == [], clerk.errors


def test_the_leaders_waiting_notification_is_marked_done_once_approved(sign_in):
    office = Office(communes=1)
    subject = "Về việc kiểm tra công tác văn thư năm"
    document = document_create(actor=office.staff, doc_type="cong_van", subject=subject, unit="VP",
                               signer=office.leader.user.username, recipients=[office.communes[0].code])
    document_submit(actor=office.staff, document_id=document.pk)
    leader = sign_in(office.leader)
    page = leader.page
    expect(page.locator(".bell .count")).to_have_text("1")
    page.goto("/thong-bao/")
    waiting = page.locator(".notification-list li", has_text=subject)
    expect(waiting.locator(".badge")).to_have_text("Mới")
    page.goto(f"/van-ban-di/{document.pk}/")
    page.get_by_role("button", name="Duyệt và ký").click()
    page.goto("/thong-bao/")
    expect(waiting.locator(".badge")).to_have_text("Đã xử lý")
    expect(page.locator(".bell .count")).to_have_count(0)
    leader.shot("24-notification-done")
    assert leader.errors == [], leader.errors
