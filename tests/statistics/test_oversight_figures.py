"""The superior's oversight figures: they equal hand counts over generated data, reach every
depth below the caller and nothing beside it, and cost a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from docflow.core.errors import NotFound, NotPermitted
from docflow.reports.oversight import agencies_below, oversight_month, oversight_trend
from docflow.tenancy.models import AgencyLevel
from tests.factories import AgencyFactory, MembershipFactory
from tests.statistics.oversight_data import MARCH, TODAY, build_tree, fill, hand_count

pytestmark = pytest.mark.django_db

FIGURES = ("received", "issued", "on_time", "overdue", "electronic_share", "signed_share", "mean_handling_days")


def figures_of(row) -> dict:
    return {name: getattr(row, name) for name in FIGURES}


def test_province_leader_sees_every_agency_below_with_hand_counted_figures():
    tree = build_tree(seed=3)
    unrelated = AgencyFactory(level=AgencyLevel.PROVINCE)
    fill(AgencyFactory(parent=unrelated), random.Random(99))
    leader = MembershipFactory(agency=tree.province, leader=True)
    rows = oversight_month(member=leader, month=MARCH, today=TODAY)
    assert [r.agency_code for r in rows] == sorted(a.code for a in tree.below_province)
    by_code = {r.agency_code: r for r in rows}
    for agency in tree.below_province:
        copies, issued = tree.facts[agency.id]
        assert figures_of(by_code[agency.code]) == hand_count(copies, issued), agency.code
    district = tree.districts[0]
    assert by_code[district.code].depth == 1 and by_code[tree.communes[district.id][0].code].depth == 2
    assert by_code[tree.communes[district.id][0].code].parent_code == district.code


def test_the_generated_data_has_every_case_the_figures_tell_apart():
    tree = build_tree(seed=3)
    counts = [hand_count(*tree.facts[a.id]) for a in tree.below_province]
    assert all(c["received"] and c["issued"] and c["on_time"] and c["overdue"] for c in counts)
    assert all(0 < c["electronic_share"] < 1 and 0 < c["signed_share"] < 1 for c in counts)


def test_a_district_sees_its_communes_only():
    tree = build_tree(seed=5)
    district = tree.districts[1]
    clerk = MembershipFactory(agency=district, clerk=True)
    rows = oversight_month(member=clerk, month=MARCH, today=TODAY)
    assert sorted(r.agency_code for r in rows) == sorted(c.code for c in tree.communes[district.id])
    for row, commune in zip(rows, sorted(tree.communes[district.id], key=lambda a: a.code)):
        assert figures_of(row) == hand_count(*tree.facts[commune.id])


def test_every_depth_below_is_reached():
    province = AgencyFactory(level=AgencyLevel.PROVINCE)
    chain = [province]
    for _ in range(5):
        chain.append(AgencyFactory(parent=chain[-1], level=AgencyLevel.DEPARTMENT))
    AgencyFactory(parent=chain[2], is_external=True)  # a directory entry, not a tenant
    below = agencies_below(agency_id=province.id)
    assert [b.id for b in sorted(below, key=lambda b: b.depth)] == [a.id for a in chain[1:]]
    assert [b.depth for b in sorted(below, key=lambda b: b.depth)] == [1, 2, 3, 4, 5]
    assert [b.id for b in agencies_below(agency_id=chain[3].id)] and not agencies_below(agency_id=chain[-1].id)


def test_an_agency_with_none_below_it_is_refused():
    tree = build_tree(seed=1, districts=1, communes=1, copies=2)
    commune = tree.communes[tree.districts[0].id][0]
    with pytest.raises(NotPermitted):
        oversight_month(member=MembershipFactory(agency=commune, leader=True), month=MARCH)


def test_staff_of_a_superior_may_not_read_the_oversight():
    tree = build_tree(seed=1, districts=1, communes=1, copies=2)
    with pytest.raises(NotPermitted):
        oversight_month(member=MembershipFactory(agency=tree.province, staff=True), month=MARCH)


def test_the_trend_of_one_agency_below_is_its_months_and_another_agency_is_not_found():
    tree = build_tree(seed=4, districts=1, communes=1)
    commune = tree.communes[tree.districts[0].id][0]
    leader = MembershipFactory(agency=tree.province, leader=True)
    trend = oversight_trend(member=leader, agency_code=commune.code, months=3, today=TODAY)
    assert [m.month for m in trend.months] == [dt.date(2026, 2, 1), MARCH, dt.date(2026, 4, 1)]
    for figures in trend.months:
        assert figures_of(figures) == hand_count(*tree.facts[commune.id], month=figures.month)
    sibling = AgencyFactory(level=AgencyLevel.PROVINCE)
    district_leader = MembershipFactory(agency=tree.districts[0], leader=True)
    for code in (sibling.code, tree.province.code, tree.districts[0].code, "nonsense"):
        with pytest.raises(NotFound):
            oversight_trend(member=district_leader, agency_code=code)


@pytest.mark.parametrize("districts,communes", [(1, 2), (3, 9)])  # 3 and 30 agencies below
def test_the_ranking_costs_four_queries_and_the_trend_six_whatever_the_number_of_agencies(
    django_assert_num_queries, districts, communes
):
    tree = build_tree(seed=2, districts=districts, communes=communes, copies=2)
    leader = MembershipFactory(agency=tree.province, leader=True)
    # No rollup yet (tests/statistics/test_oversight_rollup.py): the agencies below, the rollup
    # (nothing), then the live aggregates.
    with django_assert_num_queries(4):
        rows = oversight_month(member=leader, month=MARCH, today=TODAY)
    assert len(rows) == districts * (communes + 1)
    with django_assert_num_queries(6):
        oversight_trend(member=leader, agency_code=rows[-1].agency_code, months=12, today=TODAY)


def test_the_ranking_sorts_by_a_criterion_best_first():
    tree = build_tree(seed=8, districts=2, communes=2)
    leader = MembershipFactory(agency=tree.province, leader=True)
    rows = oversight_month(member=leader, month=MARCH, sort="signed_share", today=TODAY)
    shares = [r.signed_share for r in rows]
    assert shares == sorted(shares, reverse=True)
    rows = oversight_month(member=leader, month=MARCH, sort="mean_handling_days", today=TODAY)
    means = [r.mean_handling_days for r in rows if r.mean_handling_days is not None]
    assert means == sorted(means)
