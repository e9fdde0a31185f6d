"""/api/v1/oversight/: a province reads every agency below it, a district its communes, counts
only; a superior never gets a subordinate's document; others get 403, bad input 400, an
agency not below 404; CSV and PDF reports; fixed queries; in the OpenAPI schema."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument
from docflow.routing.models import IncomingDocument
from tests.factories import AgencyFactory, MembershipFactory
from tests.statistics.oversight_data import MARCH, build_tree, hand_count

pytestmark = pytest.mark.django_db

URL = "/api/v1/oversight/"
CONTRACT = {"agency_code", "agency_name", "received", "issued", "electronic_share", "signed_share", "on_time",
            "overdue", "mean_handling_days"}
FIGURES = CONTRACT - {"agency_code", "agency_name"}


@pytest.fixture
def tree():
    return build_tree(seed=21)


def test_province_leader_reads_one_row_per_agency_below_equal_to_hand_counts(client_for, tree):
    response = client_for(MembershipFactory(agency=tree.province, leader=True)).get(URL, {"year": 2026, "month": 3})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["year"], body["month"]) == (2026, 3)
    rows = {row["agency_code"]: row for row in body["results"]}
    assert set(rows) == {a.code for a in tree.below_province}
    today = timezone.localdate()  # overdue is counted as of now
    for agency in tree.below_province:
        assert CONTRACT <= set(rows[agency.code])
        expected = hand_count(*tree.facts[agency.id], today=today)
        assert {k: rows[agency.code][k] for k in FIGURES} == expected, agency.code
        assert rows[agency.code]["agency_name"] == agency.name


def test_district_clerk_reads_its_communes_only(client_for, tree):
    district = tree.districts[0]
    response = client_for(MembershipFactory(agency=district, clerk=True)).get(URL, {"year": "2026", "month": "3"})
    assert response.status_code == 200
    assert sorted(r["agency_code"] for r in response.json()["results"]) == sorted(
        c.code for c in tree.communes[district.id])


def test_a_superior_never_gets_a_document_of_a_subordinate(client_for, tree):
    client = client_for(MembershipFactory(agency=tree.province, leader=True))
    commune = tree.communes[tree.districts[0].id][0]
    with cross_agency("system"):
        incoming = list(IncomingDocument.objects.filter(agency__in=tree.below_province).values_list("id", flat=True))
        outgoing = list(OutgoingDocument.objects.filter(agency=commune).values_list("id", flat=True))
    assert incoming and outgoing
    for pk in incoming[:5]:
        assert client.get(f"/api/v1/incoming/{pk}/").status_code == 404
    for pk in outgoing[:5]:
        assert client.get(f"/api/v1/outgoing/{pk}/").status_code == 404
    listed = client.get(URL, {"year": 2026, "month": 3}).content.decode()
    trend = client.get(f"{URL}{commune.code}/").content.decode()
    assert not any(str(pk) in listed or str(pk) in trend for pk in incoming + outgoing)


def test_an_agency_with_none_below_it_gets_403(client_for, tree):
    commune = tree.communes[tree.districts[1].id][1]
    client = client_for(MembershipFactory(agency=commune, leader=True))
    assert client.get(URL, {"year": 2026, "month": 3}).status_code == 403
    assert client.get(f"{URL}{commune.code}/").status_code == 403
    lone = client_for(MembershipFactory(agency=AgencyFactory(), clerk=True))
    assert lone.get(URL).status_code == 403


def test_staff_and_agency_admins_of_a_superior_get_403(client_for, tree):
    for traits in ({"staff": True}, {"admin": True}):
        client = client_for(MembershipFactory(agency=tree.province, **traits))
        assert client.get(URL).status_code == 403, traits
        assert client.get(f"{URL}{tree.districts[0].code}/").status_code == 403, traits


def test_a_bad_year_or_month_is_refused_naming_the_field(client_for, tree):
    client = client_for(MembershipFactory(agency=tree.province, leader=True))
    for params, field in (({"year": "abc", "month": 3}, "year"), ({"year": 1500, "month": 3}, "year"),
                          ({"year": 2026, "month": 13}, "month"), ({"year": 2026, "month": "0"}, "month"),
                          ({"year": 2026, "month": 3, "sort": "nonsense"}, "sort")):
        response = client.get(URL, params)
        assert response.status_code == 400 and set(response.json()) == {field}, params
    both = client.get(URL, {"year": "x", "month": "y"})
    assert set(both.json()) == {"year", "month"}
    assert set(client.get(f"{URL}{tree.districts[0].code}/", {"months": 0}).json()) == {"months"}
    assert client.get(URL, {"year": "x", "format": "csv"})["Content-Type"] == "application/json"


def test_the_drill_down_is_one_agency_below_and_any_other_agency_is_404(client_for, tree):
    district = tree.districts[0]
    commune = tree.communes[district.id][0]
    client = client_for(MembershipFactory(agency=district, leader=True))
    response = client.get(f"{URL}{commune.code}/", {"months": 12})
    assert response.status_code == 200
    body = response.json()
    assert body["agency_code"] == commune.code and len(body["months"]) == 12
    march = next(m for m in body["months"] if m["month"] == MARCH.isoformat())
    expected = hand_count(*tree.facts[commune.id], today=timezone.localdate())
    assert {k: march[k] for k in FIGURES} == expected
    other_district_commune = tree.communes[tree.districts[1].id][0]
    for code in (other_district_commune.code, tree.districts[1].code, tree.province.code, district.code,
                 AgencyFactory().code, "999.99.99.Z99"):
        assert client.get(f"{URL}{code}/").status_code == 404, code


def test_the_monthly_report_as_csv_and_pdf(client_for, tree):
    client = client_for(MembershipFactory(agency=tree.province, clerk=True))
    response = client.get(URL, {"year": 2026, "month": 3, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="theo-doi-don-vi-cap-duoi-202603.csv"' in response["Content-Disposition"]
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:5] == ["STT", "Đơn vị", "Mã định danh", "Văn bản đến", "Văn bản đi"]
    assert len(rows) == len(tree.below_province)
    pdf = client.get(URL, {"year": 2026, "month": 3, "format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("districts,communes", [(1, 2), (3, 9)])  # 3 and 30 agencies below
def test_the_list_costs_a_fixed_number_of_queries(client_for, django_assert_num_queries, districts, communes):
    tree = build_tree(seed=2, districts=districts, communes=communes, copies=1)
    client = client_for(MembershipFactory(agency=tree.province, leader=True))
    client.get(URL)  # warm the token/session lookups
    with django_assert_num_queries(5):  # the token with its user and memberships, 4 of the selector (no rollup yet)
        response = client.get(URL, {"year": 2026, "month": 3})
    assert len(response.json()["results"]) == districts * (communes + 1)


def test_the_endpoints_are_in_the_schema(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert "/api/v1/oversight/" in paths and "/api/v1/oversight/{agency_code}/" in paths
    parameters = {p["name"] for p in paths["/api/v1/oversight/"]["get"]["parameters"]}
    assert {"year", "month", "sort"} <= parameters
