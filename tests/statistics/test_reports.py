"""PDF reports: a leader asks for one and gets it from the worker; on the first of the month
every agency's leaders get last month's, once, however often beat fires."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from celery.schedules import crontab
from pypdf import PdfReader

from docflow.core.scoping import cross_agency
from docflow.notifications.models import Notification
from docflow.outbox.models import OutboxTask
from docflow.rendering.report import StatisticsLine, StatisticsSheet, render_statistics_report
from docflow.reports.models import StatisticsReport
from docflow.reports.services import (
    RENDER_TASK,
    statistics_report_render,
    statistics_report_request,
    statistics_reports_monthly,
)
from docflow.tenancy.models import AgencyLevel
from tests.factories import AgencyFactory, MembershipFactory
from tests.statistics.generated import copies_from, deliveries_from, random_facts

pytestmark = pytest.mark.django_db

URL = "/api/v1/statistics/reports/"


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def response_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_leader_asks_for_a_report_and_downloads_it_when_the_worker_is_done(
    client_for, agency_a, django_capture_on_commit_callbacks
):
    copies_from(agency_a, random_facts(51, 30))
    leader = MembershipFactory(agency=agency_a, leader=True)
    client = client_for(leader)
    with django_capture_on_commit_callbacks(execute=False) as pending_work:
        asked = client.post(URL, {"from": "2026-03-01", "to": "2026-03-31"}, format="json")
    assert asked.status_code == 202, asked.content
    report = asked.json()
    assert (report["state"], report["kind"], report["from"], report["requested_by"]) == (
        "pending", "on_demand", "2026-03-01", leader.user.username)
    assert asked["Location"].endswith(f"{URL}{report['id']}/")
    waiting = client.get(f"{URL}{report['id']}/pdf/")
    assert waiting.status_code == 202 and waiting["Retry-After"] == "5"
    for callback in pending_work:  # the commit hands the work to the (eager) worker
        callback()
    assert client.get(f"{URL}{report['id']}/").json()["state"] == "ready"
    pdf = client.get(f"{URL}{report['id']}/pdf/", HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(response_bytes(pdf))
    assert "BÁO CÁO THỐNG KÊ" in text and "Kỳ báo cáo: tháng 03/2026" in text and agency_a.name.upper() in text
    with cross_agency("system"):
        notified = Notification.objects.get(recipient=leader.user, kind="statistics_report")
    assert (notified.object_type, str(notified.object_id)) == ("statistics_report", report["id"])
    assert [r["id"] for r in client.get(URL).json()["results"]] == [report["id"]]


def test_a_repeated_request_with_the_same_key_makes_one_report(client_for, agency_a):
    client = client_for(MembershipFactory(agency=agency_a, clerk=True))
    body = {"from": "2026-03-01", "to": "2026-03-31"}
    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="bc-thang-3")
    again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="bc-thang-3")
    assert first.status_code == again.status_code == 202 and first.json()["id"] == again.json()["id"]
    with cross_agency("system"):
        assert StatisticsReport.objects.count() == 1
    assert client.post(URL, {"from": "2026-03-31", "to": "2026-03-01"}, format="json").json().keys() == {"to"}


def test_another_agencys_report_is_not_found_anywhere(client_for, agency_a, agency_b):
    theirs = statistics_report_request(actor=MembershipFactory(agency=agency_b, leader=True),
                                       first=dt.date(2026, 3, 1), last=dt.date(2026, 3, 31))
    statistics_report_render(agency_id=agency_b.pk, report_id=theirs.id)
    client = client_for(MembershipFactory(agency=agency_a, leader=True))
    assert client.get(f"{URL}{theirs.id}/").status_code == 404
    assert client.get(f"{URL}{theirs.id}/pdf/").status_code == 404
    assert client.get(URL).json()["results"] == []


def test_rendering_twice_stores_one_pdf_and_notifies_once(agency_a):
    leader = MembershipFactory(agency=agency_a, leader=True)
    report = statistics_report_request(actor=leader, first=dt.date(2026, 3, 1), last=dt.date(2026, 3, 31))
    first = statistics_report_render(agency_id=agency_a.pk, report_id=report.id)
    assert statistics_report_render(agency_id=agency_a.pk, report_id=report.id) == first
    assert statistics_report_render(agency_id=agency_a.pk, report_id=AgencyFactory().uuid) is None
    with cross_agency("system"):
        assert Notification.objects.filter(kind="statistics_report").count() == 1


def test_on_the_first_of_the_month_every_agency_gets_last_months_report_once():
    district = AgencyFactory(level=AgencyLevel.DISTRICT, name="Ủy ban nhân dân huyện Bắc Yên")
    communes = [AgencyFactory(parent=district) for _ in range(2)]
    AgencyFactory(is_external=True)  # outside Docflow: no tenant, no report
    AgencyFactory(is_active=False)
    leaders = [MembershipFactory(agency=a, leader=True) for a in (district, *communes)]
    MembershipFactory(agency=district, leader=True, is_active=False)  # left: not told
    deliveries_from(district, communes[0], random_facts(61, 20))
    assert statistics_reports_monthly(today=dt.date(2026, 4, 1)) == 3
    assert statistics_reports_monthly(today=dt.date(2026, 4, 2)) == 0  # beat again: nothing new
    with cross_agency("system"):
        reports = list(StatisticsReport.objects.order_by("agency_id"))
        work = list(OutboxTask.objects.filter(task_name=RENDER_TASK))
    assert {(r.agency_id, r.kind, r.period_first, r.period_last) for r in reports} == {
        (a.pk, "monthly", dt.date(2026, 3, 1), dt.date(2026, 3, 31)) for a in (district, *communes)}
    assert len(work) == 3
    for task in work + work:  # each render runs twice (a redelivered message)
        statistics_report_render(**task.kwargs)
    with cross_agency("system"):
        told = sorted(Notification.objects.filter(kind="statistics_report").values_list("recipient_id", flat=True))
        district_report = StatisticsReport.objects.get(agency=district)
    assert told == sorted(m.user_id for m in leaders)
    from docflow.documents.files import stored_file_open

    with stored_file_open(sha256=district_report.pdf_sha256) as fh:
        text = pdf_text(fh.read())
    assert "tháng 03/2026" in text and "II. Tình hình xử lý văn bản đã gửi" in text
    assert communes[0].code in text


def test_beat_runs_the_monthly_reports_at_six_on_the_first_local_time(settings):
    from workers.celery import app

    entry = app.conf.beat_schedule["statistics-monthly"]
    assert entry["task"] == "reports.monthly" and entry["task"] in app.tasks
    schedule: crontab = entry["schedule"]
    assert schedule.hour == {6} and schedule.minute == {0} and 1 in schedule.day_of_month
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"


def test_the_report_pdf_is_deterministic_and_prints_every_recipient():
    lines = [StatisticsLine(name=f"Ủy ban nhân dân xã Thử {i}", code=f"000.{i:02d}.31.H52", received=i,
                            completed_on_time=i // 2, completed_late=i % 2, overdue_now=0,
                            mean_handling_days=1.5 * i) for i in range(1, 41)]
    sheet = StatisticsSheet(
        agency_name="Ủy ban nhân dân huyện Bắc Yên", period_label="tháng 03/2026",
        generated_on=dt.date(2026, 4, 1),
        agency=StatisticsLine(name="UBND", received=120, issued=45, completed_on_time=80,
                              completed_late=12, overdue_now=4, mean_handling_days=4.25),
        recipients=lines,
    )
    data = render_statistics_report(sheet)
    assert data == render_statistics_report(sheet)
    text = pdf_text(data)
    assert "4,25" in text and "Ngày lập: 01/04/2026" in text
    assert all(line.code in text for line in lines) and "30 cơ quan nhận nhiều văn bản nhất" in text
