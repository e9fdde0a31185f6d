"""The page "Theo dõi đơn vị cấp dưới": a province's leader ranks every agency below for a
month and drills down to one; the menu shows it only where there are agencies below; no
subordinate's document is ever linked; an unrelated agency's code is 404; fixed queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument
from docflow.routing.models import IncomingDocument
from tests.factories import AgencyFactory, MembershipFactory
from tests.statistics.oversight_data import build_tree
from tests.web.conftest import web_client

pytestmark = pytest.mark.django_db

PAGE = reverse("web:oversight")
MARCH = {"thang": "3", "nam": "2026"}


@pytest.fixture
def tree():
    return build_tree(seed=31)


def test_province_leader_ranks_every_agency_below_and_sorts_by_a_criterion(tree):
    client = web_client(MembershipFactory(agency=tree.province, leader=True))
    response = client.get(PAGE, MARCH)
    html = response.content.decode()
    assert response.status_code == 200 and "tháng 03/2026" in html
    assert all(a.name in html for a in tree.below_province)
    assert 'aria-current="page"' in html and "Theo dõi đơn vị cấp dưới" in html
    ranked = client.get(PAGE, {**MARCH, "sap_xep": "signed_share"}).content.decode()
    shares = [float(s.replace(",", ".")) for s in re.findall(r'data-label="Tỷ lệ ký số">([\d,]+)%', ranked)]
    assert len(shares) == len(tree.below_province) and shares == sorted(shares, reverse=True)


def test_no_page_links_a_document_of_a_subordinate(tree):
    client = web_client(MembershipFactory(agency=tree.province, leader=True))
    commune = tree.communes[tree.districts[0].id][0]
    with cross_agency("system"):
        ids = [str(pk) for model in (IncomingDocument, OutgoingDocument)
               for pk in model.objects.filter(agency__in=tree.below_province).values_list("id", flat=True)]
    pages = [client.get(PAGE, MARCH), client.get(reverse("web:oversight-agency", args=[commune.code]))]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert not any(pk in html for pk in ids)
        assert "/van-ban-den/" not in html.split("<main", 1)[1] and "/van-ban-di/" not in html.split("<main", 1)[1]
    for pk in ids[:3]:
        assert client.get(reverse("web:incoming-detail", args=[pk])).status_code == 404


def test_the_drill_down_shows_one_agency_below_and_another_agencys_code_is_404(tree):
    district = tree.districts[0]
    client = web_client(MembershipFactory(agency=district, clerk=True))
    commune = tree.communes[district.id][1]
    response = client.get(reverse("web:oversight-agency", args=[commune.code]))
    assert response.status_code == 200 and commune.name in response.content.decode()
    assert response.content.decode().count("<svg") == 1
    for code in (tree.communes[tree.districts[1].id][0].code, tree.province.code, AgencyFactory().code, "x"):
        assert client.get(reverse("web:oversight-agency", args=[code])).status_code == 404, code


def test_the_menu_shows_the_page_to_leaders_and_clerks_of_a_superior_only(tree):
    commune = tree.communes[tree.districts[0].id][0]
    for membership, shown in ((MembershipFactory(agency=tree.province, clerk=True), True),
                              (MembershipFactory(agency=tree.districts[0], leader=True), True),
                              (MembershipFactory(agency=tree.province, staff=True), False),
                              (MembershipFactory(agency=commune, leader=True), False)):
        html = web_client(membership).get(reverse("web:dashboard")).content.decode()
        assert (PAGE in html) is shown, membership


def test_others_are_refused(tree):
    commune = tree.communes[tree.districts[0].id][0]
    assert web_client(MembershipFactory(agency=commune, leader=True)).get(PAGE).status_code == 403
    assert web_client(MembershipFactory(agency=tree.province, staff=True)).get(PAGE).status_code == 403


def test_a_wrong_month_is_explained_and_this_month_shown(tree):
    client = web_client(MembershipFactory(agency=tree.province, leader=True))
    response = client.get(PAGE, {"thang": "13", "nam": "2026"})
    assert response.status_code == 200 and "Tháng phải là số từ 1 đến 12." in response.content.decode()


def test_the_monthly_report_downloads_as_pdf_and_csv(tree):
    client = web_client(MembershipFactory(agency=tree.province, leader=True))
    pdf = client.get(reverse("web:oversight-export", args=["pdf"]), MARCH)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "theo-doi-don-vi-cap-duoi-202603.pdf" in pdf["Content-Disposition"]
    csv = client.get(reverse("web:oversight-export", args=["csv"]), MARCH)
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert client.get(reverse("web:oversight-export", args=["xls"]), MARCH).status_code == 404


@pytest.mark.parametrize("districts,communes", [(1, 2), (3, 9)])  # 3 and 30 agencies below
def test_the_page_costs_a_fixed_number_of_queries(django_assert_num_queries, districts, communes):
    tree = build_tree(seed=2, districts=districts, communes=communes, copies=1)
    client = web_client(MembershipFactory(agency=tree.province, leader=True))
    client.get(PAGE, MARCH)
    with django_assert_num_queries(8):  # the selector's 4 with no rollup yet (one more than with it)
        response = client.get(PAGE, MARCH)
    assert response.status_code == 200
    with django_assert_num_queries(10):
        client.get(reverse("web:oversight-agency", args=[tree.districts[0].code]))


def test_the_page_speaks_english_when_asked(tree):
    client = web_client(MembershipFactory(agency=tree.province, leader=True))
    with translation.override("vi"):  # the requests switch this thread to English: back after
        client.post(reverse("web:set-language"), {"language": "en", "next": "/"})
        html = client.get(PAGE, MARCH).content.decode()
        commune = tree.communes[tree.districts[0].id][0]
        drill = client.get(reverse("web:oversight-agency", args=[commune.code])).content.decode()
    for text in ("Subordinate agencies", "Ranking of the agencies below", "Rank by", "Digitally signed",
                 "Sent and received electronically"):
        assert text in html, text
    assert "Back to the ranking" in drill and "Month by month" in drill
    assert "Xếp hạng các đơn vị cấp dưới" not in html and "Về bảng xếp hạng" not in drill
