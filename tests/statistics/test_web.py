"""The statistics page a leader opens: figures, SVG charts, CSV, PDF reports; staff may not."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from docflow.core.scoping import cross_agency
from docflow.reports.models import StatisticsReport
from docflow.reports.services import statistics_report_render
from docflow.tenancy.models import AgencyLevel
from tests.factories import AgencyFactory, MembershipFactory
from tests.statistics.generated import copies_from, deliveries_from, random_facts
from tests.web.conftest import web_client

pytestmark = pytest.mark.django_db

MARCH = {"tu_ngay": "01/03/2026", "den_ngay": "31/03/2026"}


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def svg_numbers_are_plain(html: str) -> bool:
    """Coordinates printed with a Vietnamese decimal comma would break the drawing."""
    return not re.search(r'(?:x|y|width|height|x1|x2|y1|y2)="-?\d+,\d', html)


def test_district_leader_sees_its_figures_and_each_communes_with_charts(agency_a, agency_b):
    district = AgencyFactory(level=AgencyLevel.DISTRICT, name="Ủy ban nhân dân huyện Bắc Yên")
    copies_from(district, random_facts(71, 30))
    deliveries_from(district, agency_a, random_facts(72, 20))
    response = web_client(MembershipFactory(agency=district, leader=True)).get(reverse("web:statistics"), MARCH)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") == 3 and svg_numbers_are_plain(html)
    assert agency_a.name in html and agency_b.name not in html
    assert "tháng 03/2026" in html and 'aria-current="page"' in html


def test_staff_is_refused_and_a_wrong_period_is_explained(agency_a):
    staff = web_client(MembershipFactory(agency=agency_a, staff=True))
    assert staff.get(reverse("web:statistics")).status_code == 403
    leader = web_client(MembershipFactory(agency=agency_a, leader=True))
    html = leader.get(reverse("web:statistics"), {"tu_ngay": "31/03/2026", "den_ngay": "01/03/2026"}).content.decode()
    assert "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu." in html


def test_csv_exports_of_the_period(agency_a):
    copies_from(agency_a, random_facts(73, 10))
    clerk = web_client(MembershipFactory(agency=agency_a, clerk=True))
    own = clerk.get(reverse("web:statistics-export", args=["co-quan"]), MARCH)
    assert own.status_code == 200 and own.content.startswith(b"\xef\xbb\xbf")
    assert "thong-ke-co-quan-20260301-20260331.csv" in own["Content-Disposition"]
    assert clerk.get(reverse("web:statistics-export", args=["noi-nhan"]), MARCH).status_code == 200
    assert clerk.get(reverse("web:statistics-export", args=["khac"])).status_code == 404


def test_leader_asks_for_a_pdf_and_downloads_it_once_rendered(agency_a, agency_b):
    leader = web_client(MembershipFactory(agency=agency_a, leader=True))
    page = leader.get(reverse("web:statistics"), MARCH).content.decode()
    once = re.search(r'name="once" value="([^"]+)"', page).group(1)
    body = {"once": once, "tu_ngay": "2026-03-01", "den_ngay": "2026-03-31"}
    asked = leader.post(reverse("web:statistics-report"), body)
    again = leader.post(reverse("web:statistics-report"), body)  # a double click
    assert asked.status_code == again.status_code == 302
    with cross_agency("system"):
        report = StatisticsReport.objects.get(agency=agency_a)
    url = reverse("web:statistics-report-download", args=[report.id])
    assert leader.get(url).status_code == 202
    statistics_report_render(agency_id=agency_a.pk, report_id=report.id)
    pdf = leader.get(url)
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    other = web_client(MembershipFactory(agency=agency_b, leader=True))
    assert other.get(url).status_code == 404


def test_the_page_costs_the_same_for_few_or_many_documents(agency_a, agency_b):
    counts = []
    for seed, recipient in ((2, agency_a), (40, agency_b)):
        district = AgencyFactory(level=AgencyLevel.DISTRICT)
        copies_from(district, random_facts(seed, seed))
        deliveries_from(district, recipient, random_facts(seed + 1, seed))
        client = web_client(MembershipFactory(agency=district, leader=True))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("web:statistics"), MARCH).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_dashboard_shows_the_monthly_chart_to_leaders_only(agency_a):
    copies_from(agency_a, random_facts(74, 10))
    leader = web_client(MembershipFactory(agency=agency_a, leader=True)).get(reverse("web:dashboard"))
    staff = web_client(MembershipFactory(agency=agency_a, staff=True)).get(reverse("web:dashboard"))
    assert "<svg" in leader.content.decode() and svg_numbers_are_plain(leader.content.decode())
    assert "<svg" not in staff.content.decode()
