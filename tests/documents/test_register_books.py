"""A register's book for a year: the clerk prints it (PDF, made by a worker) or exports it (CSV)
through ``GET /api/v1/registers/{id}/book/``; ``GET /api/v1/registers/`` lists the registers."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from docflow.documents.models import Register, StoredFile
from docflow.outbox.models import OutboxTask
from docflow.outbox.services import outbox_sweep
from docflow.routing import handling
from docflow.routing.register_books import register_book, register_book_pdf_render
from docflow.core.scoping import agency_scope
from tests.documents.story import issued, sending_office
from tests.factories import (
    AgencyFactory,
    MembershipFactory,
    RegisterCounterFactory,
    RegisterFactory,
    UnitFactory,
)
from tests.routing.factories import sent_copy

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


def register_of(agency, direction: str) -> Register:
    with agency_scope(agency):
        return Register.objects.get(direction=direction, series="general")


def book_url(register, **query) -> str:
    query.setdefault("year", THIS_YEAR)
    return f"/api/v1/registers/{register.pk}/book/?" + "&".join(f"{k}={v}" for k, v in query.items())


def rows_of(office, register, year=THIS_YEAR):
    with agency_scope(office.agency):
        return register_book(membership=office.clerk, register_id=register.pk, year=year).rows


def test_outgoing_book_lists_the_years_documents_in_number_order():
    office = sending_office()
    songpe = AgencyFactory(name="Ủy ban nhân dân xã Song Pe")
    communes = [AgencyFactory() for _ in range(7)]
    first = issued(office, recipients=[songpe.code], external_places=["Đảng ủy xã"], urgency="urgent")
    second = issued(office, doc_type="cong_van", subject="Về việc báo cáo tháng",
                    recipients=[a.code for a in communes])

    rows = rows_of(office, register_of(office.agency, "outgoing"))
    issued_on = timezone.localdate(first.issued_at).strftime("%d/%m/%Y")
    assert rows[0] == [
        "01/QĐ-UBND", issued_on, "Quyết định: Về việc thành lập tổ công tác chuyển đổi số",
        "Lò Văn Minh", "Ủy ban nhân dân xã Song Pe\nĐảng ủy xã", "VT, Văn phòng", "", "Khẩn",
    ]
    assert rows[1][:3] == [second.notation, issued_on, "Về việc báo cáo tháng"]  # công văn: no type name
    assert rows[1][4] == "UBND các xã, phường, thị trấn (7 cơ quan)"
    assert rows_of(office, register_of(office.agency, "outgoing"), year=THIS_YEAR - 1) == []


def test_incoming_book_names_the_lead_handler_and_the_deadline():
    district = AgencyFactory(name="Ủy ban nhân dân huyện Bắc Yên")
    office = sending_office()
    lead = MembershipFactory(agency=office.agency, staff=True, user__full_name="Hà Thị Lan",
                             unit=UnitFactory(agency=office.agency, name="Phòng Nội vụ", symbol="NV"))
    first = sent_copy(sender=district, recipient=office.agency, subject="Về việc rà soát hộ nghèo")
    second = sent_copy(sender=district, recipient=office.agency, urgency="flash")
    waiting = sent_copy(sender=district, recipient=office.agency)  # not accepted: not in the book
    for copy in (first, second):
        handling.incoming_accept(membership=office.clerk, incoming_id=copy.id)
    assigned = handling.incoming_assign(membership=office.leader, incoming_id=first.id,
                                        lead=lead.user.username)

    rows = rows_of(office, register_of(office.agency, "incoming"))
    assert [r[1] for r in rows] == ["01", "02"]
    assert rows[0][2:4] == ["Ủy ban nhân dân huyện Bắc Yên", first.notation]
    assert rows[0][5] == "Về việc rà soát hộ nghèo"  # a công văn has no type name
    assert rows[0][6] == "Hà Thị Lan - Phòng Nội vụ"
    assert rows[0][8] == f"Hạn xử lý {assigned.due_date:%d/%m/%Y}"
    assert rows[1][6] == "" and rows[1][8] == "Hỏa tốc"
    assert waiting.notation not in {r[3] for r in rows}


def test_a_book_costs_the_same_queries_for_2_and_40_documents():
    office = sending_office()
    lead_unit = UnitFactory(agency=office.agency, name="Phòng Tư pháp", symbol="TP")

    def cost(count: int) -> int:
        agency = AgencyFactory()
        local = sending_office(agency)
        MembershipFactory(agency=agency, staff=True, unit=lead_unit if agency == office.agency else None)
        recipients = [AgencyFactory().code for _ in range(3)]
        for _ in range(count):
            issued(local, recipients=recipients)
        register = register_of(agency, "outgoing")
        with agency_scope(agency), CaptureQueriesContext(connection) as queries:
            assert len(register_book(membership=local.clerk, register_id=register.pk, year=THIS_YEAR).rows) == count
        return len(queries)

    assert cost(2) == cost(40)


def test_clerk_exports_csv_and_gets_the_pdf_once_the_worker_made_it(
    client_for, django_capture_on_commit_callbacks,
):
    office = sending_office()
    issued(office)
    register = register_of(office.agency, "outgoing")
    api = client_for(office.clerk)

    exported = api.get(book_url(register, format="csv"))
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    assert f'so-van-ban-di-{THIS_YEAR}-{office.agency.code}.csv' in exported["Content-Disposition"]
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"), newline="")))
    assert table[0][0] == "Số, ký hiệu văn bản" and table[1][0] == "01/QĐ-UBND" and len(table) == 2

    pending = api.get(book_url(register))  # the rendering work is recorded, not run yet
    assert pending.status_code == 202 and int(pending["Retry-After"]) > 0
    assert api.get(book_url(register)).status_code == 202
    assert OutboxTask.objects.filter(task_name="pdf.register_book").count() == 1  # asked twice, once
    outbox_sweep(now=timezone.now() + timedelta(minutes=5))  # the worker gets to it
    ready = api.get(book_url(register, format="pdf"))
    assert ready.status_code == 200 and ready["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(b"".join(ready.streaming_content)))
    text = " ".join(pdf.pages[0].extract_text().split())
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in text and f"Năm {THIS_YEAR}" in text and "01/QĐ-UBND" in text

    second = issued(office)  # the book changed: its PDF is made again
    with django_capture_on_commit_callbacks(execute=True):
        assert api.get(book_url(register)).status_code == 202  # its work runs on commit
    again = api.get(book_url(register))
    assert again.status_code == 200
    assert second.notation in PdfReader(io.BytesIO(b"".join(again.streaming_content))).pages[0].extract_text()


def test_rendering_a_book_twice_stores_one_file_and_a_gone_register_ends_quietly():
    office = sending_office()
    issued(office)
    register = register_of(office.agency, "outgoing")
    first = register_book_pdf_render(agency_id=office.agency.pk, register_id=register.pk, year=THIS_YEAR)
    files = StoredFile.objects.count()
    assert register_book_pdf_render(agency_id=office.agency.pk, register_id=register.pk, year=THIS_YEAR) == first
    assert StoredFile.objects.count() == files
    gone = "0190a0c8-0000-7000-8000-000000000000"
    assert register_book_pdf_render(agency_id=office.agency.pk, register_id=gone, year=THIS_YEAR) is None
    assert register_book_pdf_render(agency_id=sending_office().agency.pk, register_id=register.pk,
                                    year=THIS_YEAR) is None


def test_registers_are_listed_for_clerks_and_refused_to_staff_and_other_agencies(client_for):
    office = sending_office()
    issued(office)
    issued(office, secrecy="confidential")
    issued(sending_office())  # another agency's register is not listed
    api = client_for(office.leader)

    listed = api.get("/api/v1/registers/")
    assert listed.status_code == 200
    assert [(r["direction"], r["series"], r["years"]) for r in listed.json()["results"]] == [
        ("outgoing", "general", [{"year": THIS_YEAR, "last_number": 1}]),
        ("outgoing", "secret", [{"year": THIS_YEAR, "last_number": 1}]),
    ]
    register = register_of(office.agency, "outgoing")
    assert client_for(office.staff).get("/api/v1/registers/").status_code == 403
    assert client_for(office.staff).get(book_url(register, format="csv")).status_code == 403
    assert client_for(sending_office().clerk).get(book_url(register, format="csv")).status_code == 404
    assert api.get(book_url(register, year=1999, format="csv")).json() == {"year": ["Năm phải từ 2000 đến "
                                                                                   f"{THIS_YEAR + 1}."]}
    assert list(api.get(book_url(register, format="xlsx")).json()) == ["format"]


def test_listing_registers_costs_the_same_queries_for_2_and_8_registers(client_for):
    def cost(count: int) -> int:
        office = sending_office()
        for n in range(count):
            RegisterFactory(agency=office.agency, series=f"so{n}")
            RegisterCounterFactory(register__agency=office.agency, register__series=f"dem{n}")
        api = client_for(office.clerk)
        api.get("/api/v1/registers/")  # the token and membership cached alike for both counts
        with CaptureQueriesContext(connection) as queries:
            assert len(api.get("/api/v1/registers/").json()["results"]) == 2 * count
        return len(queries)

    assert cost(1) == cost(4)
