"""/api/v1/statistics/: a leader reads the agency's figures, exports them, and a district
reads its communes'; staff may not; CSV for Excel; fixed queries."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from docflow.tenancy.models import AgencyLevel
from tests.factories import AgencyFactory, MembershipFactory
from tests.statistics.generated import (
    PERIOD,
    copies_from,
    deliveries_from,
    hand_count,
    issued_documents,
    local,
    random_facts,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/statistics/"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_leader_reads_the_agencys_figures_for_a_period(client_for, agency_a, agency_b):
    facts = random_facts(11, 40)
    copies_from(agency_a, facts)
    copies_from(agency_b, random_facts(12, 40))
    issued_documents(agency_a, [local(PERIOD.first)])
    leader = MembershipFactory(agency=agency_a, leader=True)
    response = client_for(leader).get(URL, MARCH)
    assert response.status_code == 200, response.content
    body = response.json()
    expected = hand_count(facts, today=timezone.localdate())  # overdue is counted as of now
    assert {k: body[k] for k in expected} == expected
    assert body["issued"] == 1 and body["period"] == MARCH and body["agency_code"] == agency_a.code


def test_clerk_exports_the_same_figures_as_csv(client_for, agency_a):
    copies_from(agency_a, random_facts(13, 30))
    clerk = MembershipFactory(agency=agency_a, clerk=True)
    client = client_for(clerk)
    figures = client.get(URL, MARCH).json()
    response = client.get(URL, {**MARCH, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="thong-ke-20260301-20260331.csv"' in response["Content-Disposition"]
    header, row = csv_rows(response)
    assert header[:5] == ["Cơ quan", "Mã định danh", "Từ ngày", "Đến ngày", "Văn bản đến"]
    assert row[:7] == [agency_a.name, agency_a.code, "01/03/2026", "31/03/2026", str(figures["received"]),
                       str(figures["issued"]), str(figures["completed_on_time"])]


def test_staff_may_not_read_statistics(client_for, agency_a):
    staff = client_for(MembershipFactory(agency=agency_a, staff=True))
    for path in ("", "recipients/", "trend/", "reports/"):
        assert staff.get(URL + path).status_code == 403, path
    assert staff.post(URL + "reports/", MARCH, format="json").status_code == 403


def test_a_wrong_period_is_refused_naming_the_field_even_for_csv(client_for, agency_a):
    client = client_for(MembershipFactory(agency=agency_a, leader=True))
    backwards = client.get(URL, {"from": "2026-03-31", "to": "2026-03-01"})
    assert backwards.status_code == 400 and set(backwards.json()) == {"to"}
    assert set(client.get(URL, {"from": "0001-01-01"}).json()) == {"from"}
    assert set(client.get(URL, {"to": "tomorrow"}).json()) == {"to"}
    as_csv = client.get(URL + "recipients/", {"from": "2026-03-31", "to": "2026-03-01", "format": "csv"})
    assert as_csv.status_code == 400 and as_csv["Content-Type"] == "application/json"
    assert set(as_csv.json()) == {"to"}
    assert client.get(URL + "trend/", {"months": 99}).status_code == 400


def test_district_reads_its_communes_figures_and_exports_them(client_for, agency_a, agency_b):
    district = AgencyFactory(level=AgencyLevel.DISTRICT, name="Ủy ban nhân dân huyện Bắc Yên")
    to_a, to_b = random_facts(21, 30), random_facts(22, 30)
    deliveries_from(district, agency_a, to_a)
    deliveries_from(district, agency_b, to_b)
    deliveries_from(AgencyFactory(level=AgencyLevel.DISTRICT), agency_a, random_facts(23, 30))
    client = client_for(MembershipFactory(agency=district, leader=True))
    response = client.get(URL + "recipients/", MARCH)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["agency_code"] for r in results] == sorted([agency_a.code, agency_b.code])
    by_code = {r["agency_code"]: r for r in results}
    today = timezone.localdate()
    for agency, facts in ((agency_a, to_a), (agency_b, to_b)):
        expected = hand_count(facts, today=today)
        assert {k: by_code[agency.code][k] for k in expected} == expected
        assert by_code[agency.code]["agency_name"] == agency.name
    header, *rows = csv_rows(client.get(URL + "recipients/", {**MARCH, "format": "csv"}))
    assert header[0] == "Cơ quan nhận" and [r[1] for r in rows] == [r["agency_code"] for r in results]


def test_a_commune_that_sent_nothing_sees_no_recipients(client_for, agency_a, agency_b):
    deliveries_from(AgencyFactory(level=AgencyLevel.DISTRICT), agency_a, random_facts(31, 10))
    response = client_for(MembershipFactory(agency=agency_a, leader=True)).get(URL + "recipients/", MARCH)
    assert response.json() == {"period": MARCH, "results": []}


def test_trend_lists_each_month(client_for, agency_a):
    copies_from(agency_a, random_facts(41, 20))
    months = client_for(MembershipFactory(agency=agency_a, leader=True)).get(URL + "trend/", {"months": 3}).json()
    assert len(months) == 3 and months[-1]["month"] == timezone.localdate().replace(day=1).isoformat()
    assert set(months[0]) == {"month", "received", "completed", "issued"}


@pytest.mark.parametrize("path", ["", "recipients/", "trend/"])
def test_statistics_endpoints_cost_the_same_for_few_or_many_rows(client_for, agency_a, agency_b, path):
    district = AgencyFactory(level=AgencyLevel.DISTRICT)
    client = client_for(MembershipFactory(agency=district, leader=True))
    counts = []
    for batch, recipient in ((2, agency_a), (30, agency_b)):
        copies_from(district, random_facts(batch, batch))
        deliveries_from(district, recipient, random_facts(batch + 50, batch))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL + path, MARCH).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
