"""The registers page reads routing.register_books: a register's book for a year, its CSV, and
its PDF once a worker made it (until then a page that reloads itself, without inline script)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from docflow.documents.models import Register, RegisterDirection
from docflow.outbox.services import outbox_sweep
from docflow.core.scoping import agency_scope
from tests.factories import MembershipFactory
from tests.web.conftest import Office, web_client

pytestmark = pytest.mark.django_db
THIS_YEAR = timezone.localdate().year


def _outgoing_register(office: Office) -> Register:
    with agency_scope(office.district):
        return Register.objects.get(direction=RegisterDirection.OUTGOING, series="general")


def test_clerk_sees_the_chosen_register_book_of_the_year(office):
    document = office.issued(subject="Về việc phòng chống lụt bão")
    register = _outgoing_register(office)
    response = web_client(office.clerk).get(reverse("web:registers"), {"so": register.pk, "nam": THIS_YEAR})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Sổ đăng ký văn bản đi" in body and document.notation in body and "phòng chống lụt bão" in body
    assert reverse("web:register-export", args=[register.pk, THIS_YEAR, "csv"]) in body


def test_clerk_exports_the_book_as_csv(office):
    document = office.issued()
    register = _outgoing_register(office)
    response = web_client(office.clerk).get(reverse("web:register-export", args=[register.pk, THIS_YEAR, "csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f"so-van-ban-di-{THIS_YEAR}-{office.district.code}.csv" in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert table[1][0] == document.notation and len(table) == 2


def test_pdf_page_reloads_itself_until_the_worker_made_the_book(office):
    office.issued()
    register = _outgoing_register(office)
    clerk = web_client(office.clerk)
    url = reverse("web:register-export", args=[register.pk, THIS_YEAR, "pdf"])

    pending = clerk.get(url)
    body = pending.content.decode()
    assert pending.status_code == 202
    assert "Sổ đang được tạo, trang sẽ tự tải lại" in body and '<meta http-equiv="refresh" content="5">' in body
    assert "<script>" not in body and "no-cache" in pending["Cache-Control"]

    outbox_sweep(now=timezone.now() + timedelta(minutes=5))  # the worker gets to it
    ready = clerk.get(url)
    assert ready.status_code == 200 and ready["Content-Type"] == "application/pdf"
    assert b"".join(ready.streaming_content).startswith(b"%PDF")


def test_another_agencys_register_is_not_found_and_staff_may_not_read_books(office):
    office.issued()
    register = _outgoing_register(office)
    stranger = Office(communes=1).clerk
    assert web_client(stranger).get(reverse("web:registers"), {"so": register.pk}).status_code == 404
    export = reverse("web:register-export", args=[register.pk, THIS_YEAR, "csv"])
    assert web_client(stranger).get(export).status_code == 404
    assert web_client(office.staff).get(export).status_code == 403
    assert web_client(office.clerk).get(reverse("web:register-export", args=[register.pk, 1999, "csv"])).status_code == 400


def test_an_agency_without_registers_sees_that_it_has_none():
    office = Office(communes=1)
    response = web_client(office.clerk).get(reverse("web:registers"))
    assert response.status_code == 200 and "Chưa có sổ nào." in response.content.decode()


def test_agency_admin_home_lists_registers_with_this_years_last_number(office):
    office.issued()
    office.issued()
    admin = MembershipFactory(agency=office.district, admin=True)
    response = web_client(admin).get(reverse("web:admin-home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert _outgoing_register(office).name in body and "<td data-label=\"Số cuối\">2</td>" in body
