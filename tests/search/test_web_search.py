"""On the web pages the words found are marked in the accented text, and only the agency's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.documents.story import draft, sending_office
from tests.factories import MembershipFactory
from tests.routing.factories import IncomingDocumentFactory
from tests.web.conftest import web_client

pytestmark = pytest.mark.django_db


def test_search_page_marks_the_words_found_in_both_kinds(agency_a, agency_b):
    office = sending_office(agency_a)
    IncomingDocumentFactory(agency=agency_a, subject="Về việc cấp điện cho bản Pá Khoang",
                            content="Công ty Điện lực Sơn La thông báo lịch cắt điện.")
    draft(office, subject="Kế hoạch kiểm tra điện nông thôn")
    IncomingDocumentFactory(agency=agency_b, subject="Về việc cấp điện của xã khác")
    html = web_client(office.staff).get(reverse("web:search"), {"q": "dien"}).content.decode()
    assert "Về việc cấp <mark>điện</mark> cho bản Pá Khoang" in html
    assert "Kế hoạch kiểm tra <mark>điện</mark> nông thôn" in html
    assert "<mark>Điện</mark> lực Sơn La" in html
    assert "xã khác" not in html and "2 văn bản" in html


def test_search_page_without_a_query_shows_only_the_form(agency_a):
    response = web_client(MembershipFactory(agency=agency_a, staff=True)).get(reverse("web:search"))
    assert response.status_code == 200 and "<mark>" not in response.content.decode()


def test_incoming_list_marks_what_the_filter_matched(agency_a):
    IncomingDocumentFactory(agency=agency_a, subject="Quyết định <phê duyệt> quy hoạch", notation="07/QĐ-UBND")
    IncomingDocumentFactory(agency=agency_a, subject="Thông báo lịch họp")
    client = web_client(MembershipFactory(agency=agency_a, clerk=True))
    html = client.get(reverse("web:incoming-list"), {"q": "quyet dinh"}).content.decode()
    assert "<mark>Quyết</mark> <mark>định</mark> &lt;phê duyệt&gt; quy hoạch" in html
    assert "Thông báo lịch họp" not in html
    html = client.get(reverse("web:incoming-list"), {"q": "07/qđ"}).content.decode()
    assert "<mark>07/QĐ</mark>-UBND" in html
