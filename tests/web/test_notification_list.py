"""The notification list as a leader sees it: done ones marked, gathered ones counted, each
opening the page of what it is about; the same few queries for 3 or 40; other agencies' 404."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from docflow.core.scoping import cross_agency
from docflow.documents.approval import document_approve, document_submit
from docflow.notifications.models import Notification, NotificationPreference
from docflow.notifications.services import notification_create, notification_gather
from tests.documents.story import draft, sending_office
from tests.factories import MembershipFactory
from tests.web.conftest import web_client

pytestmark = pytest.mark.django_db

REPORT = "0190a0c8-0000-7000-8000-0000000000aa"


def _fill(member, n: int) -> None:
    for i in range(n):
        notification_create(
            agency_id=member.agency_id, recipient_id=member.user_id, kind="statistics_report",
            title=f"Báo cáo {i}", object_type="statistics_report", object_id=REPORT,
            dedup_key=f"list:{member.pk}:{i}", email=False,
        )
    notification_gather(
        agency_id=member.agency_id, recipient_ids=[member.user_id], kind="delivery_status",
        object_type="outgoing_document", object_id=REPORT, part="a", state=["03", "Xã A"],
        title=lambda parts: f"{len(parts)} cơ quan",
    )


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("web:notifications")).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_costs_the_same_queries_for_3_or_40_notifications(agency_a, agency_b):
    few, many = MembershipFactory(agency=agency_a, staff=True), MembershipFactory(agency=agency_b, staff=True)
    _fill(few, 3)
    _fill(many, 40)
    assert _queries(web_client(few)) == _queries(web_client(many))


def test_a_done_notification_shows_as_done_and_leaves_the_bell():
    district = sending_office()
    document = draft(district)
    document_submit(actor=district.staff, document_id=document.pk)
    client = web_client(district.leader)
    assert b'class="count">1<' in client.get(reverse("web:notification-bell")).content

    document_approve(actor=district.leader, document_id=document.pk)

    page = client.get(reverse("web:notifications")).content.decode()
    assert "Đã xử lý" in page and "Văn bản chờ duyệt" in page and 'class="done"' in page
    assert b'class="count"' not in client.get(reverse("web:notification-bell")).content


def test_opening_goes_to_the_page_of_what_it_is_about_by_post_and_from_an_email(agency_a):
    district = sending_office()
    document = draft(district)
    document_submit(actor=district.staff, document_id=document.pk)
    with cross_agency("system"):
        waiting = Notification.objects.get(kind="outgoing.to_approve")
    client = web_client(district.leader)
    url = reverse("web:notification-open", args=[waiting.pk])
    for response in (client.post(url), client.get(url)):  # the list's button, an email's link
        assert response.status_code == 302
        assert response["Location"] == reverse("web:outgoing-detail", args=[document.pk])
    with cross_agency("system"):
        assert Notification.objects.get(pk=waiting.pk).read_at is not None


def test_another_agencys_notification_answers_404(agency_a, agency_b):
    mine, theirs = MembershipFactory(agency=agency_a, staff=True), MembershipFactory(agency=agency_b, staff=True)
    _fill(theirs, 1)
    with cross_agency("system"):
        other = Notification.objects.filter(recipient=theirs.user).first()
    client = web_client(mine)
    assert client.get(reverse("web:notification-open", args=[other.pk])).status_code == 404
    assert client.post(reverse("web:notification-open", args=[other.pk])).status_code == 404
    assert "Báo cáo 0" not in client.get(reverse("web:notifications")).content.decode()


def test_the_gathered_notification_shows_how_many_updates(agency_a):
    member = MembershipFactory(agency=agency_a, staff=True)
    _fill(member, 0)
    notification_gather(
        agency_id=agency_a.pk, recipient_ids=[member.user_id], kind="delivery_status",
        object_type="outgoing_document", object_id=REPORT, part="b", state=["06", "Xã B"],
        title=lambda parts: f"{len(parts)} cơ quan đã cập nhật trạng thái",
    )
    page = web_client(member).get(reverse("web:notifications")).content.decode()
    assert "2 cơ quan đã cập nhật trạng thái" in page and "2 cập nhật" in page


def test_the_preferences_page_offers_email_now_in_the_digest_or_not(agency_a):
    member = MembershipFactory(agency=agency_a, leader=True)
    client = web_client(member)
    url = reverse("web:notification-preferences")
    page = client.get(url)
    assert "Tổng hợp lúc 17:00" in page.content.decode()
    form = page.context["form"]
    data = {name: field.initial for name, field in form.fields.items() if name.startswith("mail__")}
    data["once"] = str(uuid.uuid4())
    data.update({f"app__{k}": "on" for k in form.kinds})
    data["mail__outgoing.to_approve"] = "digest"
    data["mail__delivery_status"] = "off"
    assert client.post(url, data).status_code == 302
    with cross_agency("system"):
        saved = {p.kind: (p.in_app, p.email, p.digest) for p in NotificationPreference.objects.filter(user=member.user)}
    assert saved["outgoing.to_approve"] == (True, True, True)
    assert saved["delivery_status"] == (True, False, False)
    assert saved["outgoing.returned"] == (True, True, False)
    again = client.get(url).context["form"]
    assert again["mail__outgoing.to_approve"].initial == "digest"


def test_the_api_names_the_object_and_links_the_page_that_leads_to_it(client_for):
    district = sending_office()
    document = draft(district)
    document_submit(actor=district.staff, document_id=document.pk)
    document_approve(actor=district.leader, document_id=document.pk)
    [row] = [r for r in client_for(district.leader).get("/api/v1/notifications/").json()["results"]
             if r["kind"] == "outgoing.to_approve"]
    assert (row["object_type"], row["object_id"]) == ("outgoing_document", str(document.pk))
    assert row["done_at"] is not None and row["count"] == 1
    assert row["link"] == reverse("web:notification-open", args=[row["id"]])
    opened = web_client(district.leader).get(row["link"])
    assert opened["Location"] == reverse("web:outgoing-detail", args=[document.pk])
