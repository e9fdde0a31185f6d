"""Every page answers for the people it is for, in Vietnamese, under the security headers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from docflow.routing.models import IncomingDocument
from docflow.core.scoping import agency_scope
from tests.web.conftest import web_client

pytestmark = pytest.mark.django_db


def test_login_page_is_vietnamese_with_csp_and_no_inline_script(client):
    response = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="en-US,en")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Đăng nhập" in body and 'lang="vi"' in body
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in body and "<style" not in body and " on" + "click=" not in body


def test_english_when_chosen(client):
    client.post(reverse("web:set-language"), {"language": "en", "next": "/"})
    body = client.get(reverse("web:login")).content.decode()
    assert 'lang="en"' in body and "Sign in" in body


def test_pages_of_the_district_answer(office):
    document = office.issued()
    staff, leader, clerk = (web_client(m) for m in (office.staff, office.leader, office.clerk))
    for client, name, args in [
        (staff, "web:dashboard", []), (staff, "web:incoming-list", []), (staff, "web:outgoing-list", []),
        (staff, "web:outgoing-compose", []), (staff, "web:outgoing-detail", [document.pk]),
        (leader, "web:outgoing-approvals", []), (clerk, "web:outgoing-to-issue", []),
        (clerk, "web:registers", []), (staff, "web:notifications", []),
        (staff, "web:notification-preferences", []), (staff, "web:notification-bell", []),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, (name, response.status_code)


def test_pages_of_a_commune_answer(office):
    office.issued()
    clerk = web_client(office.commune_clerks[0])
    with agency_scope(office.communes[0]):
        incoming = IncomingDocument.objects.get()
    assert clerk.get(reverse("web:incoming-detail", args=[incoming.pk])).status_code == 200
    response = clerk.get(reverse("web:incoming-list") + "?q=tong ket")
    assert "Về việc <mark>tổng</mark> <mark>kết</mark> công tác năm" in response.content.decode()
