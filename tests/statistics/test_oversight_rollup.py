"""The oversight's monthly rollup: after the demo story its rows equal the live counts of every
agency and month, the page reads them for past months and counts the current month live, an
agency the rollup has no row for is counted live, and a rebuild catches up with what changed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import ScopeError

from docflow.core.scoping import cross_agency
from docflow.reports.models import OversightMonth
from docflow.reports.oversight import (
    kept_or_live_figures, last_months, month_figures, oversight_month, oversight_trend,
)
from docflow.reports.oversight_rollup import oversight_rollup_rebuild
from docflow.routing.models import HANDLING_STATUSES, IncomingDocument, Status
from docflow.tenancy.models import Agency
from tests.factories import AgencyFactory, MembershipFactory
from tests.routing.factories import IncomingDocumentFactory
from tests.statistics.oversight_data import MARCH, TODAY, build_tree, local

pytestmark = pytest.mark.django_db


def _live(ids: list[int], months: list[dt.date], today: dt.date) -> dict:
    found = {}
    for month in months:
        found.update(month_figures(agency_ids=ids, month=month, today=today))
    return found


def test_after_the_story_the_rollup_equals_the_live_counts_and_a_rebuild_catches_up(django_assert_num_queries):
    call_command("seed_demo", stdout=io.StringIO())
    # A day of next month: the story's month and the one before are past months to keep.
    later = (timezone.localdate().replace(day=1) + dt.timedelta(days=40)).replace(day=5)
    months = last_months(today=later, months=3)[:-1]
    with cross_agency("system"):
        ids = list(Agency.objects.filter(is_external=False).values_list("pk", flat=True))
    live = _live(ids, months, later)
    assert sum(f.received + f.issued for f in live.values()) > 20  # the story counted something

    written = oversight_rollup_rebuild(months=2, today=later)

    assert written == 2 * len(ids)
    with django_assert_num_queries(1):  # the rollup only: nothing aggregated live
        kept = kept_or_live_figures(agency_ids=ids, months=months, today=later)
    assert kept == live
    # The story goes on: an overdue copy of a past month is completed; the rollup keeps last
    # night's count until the next rebuild, which agrees with the live count again.
    with cross_agency("system"):
        overdue = IncomingDocument.objects.filter(
            status_code__in=HANDLING_STATUSES, due_date__lt=later,
            due_date__gte=months[0]).first()
        assert overdue is not None
        IncomingDocument.objects.filter(pk=overdue.pk).update(status_code=Status.COMPLETED,
                                                              completed_at=timezone.now())
    changed = _live(ids, months, later)
    assert changed != live
    assert kept_or_live_figures(agency_ids=ids, months=months, today=later) == live
    oversight_rollup_rebuild(months=2, today=later)
    assert kept_or_live_figures(agency_ids=ids, months=months, today=later) == changed


def test_the_ranking_reads_past_months_from_the_rollup_and_an_agency_without_a_row_live(django_assert_num_queries):
    tree = build_tree(seed=12, districts=2, communes=3)
    leader = MembershipFactory(agency=tree.province, leader=True)
    live_rows = oversight_month(member=leader, month=MARCH, today=TODAY)
    oversight_rollup_rebuild(months=3, today=TODAY)
    with django_assert_num_queries(2):  # the agencies below, their rollup rows
        kept_rows = oversight_month(member=leader, month=MARCH, today=TODAY)
    assert [vars(r) for r in kept_rows] == [vars(r) for r in live_rows]
    with cross_agency("system"):
        assert not OversightMonth.objects.filter(month=TODAY.replace(day=1)).exists()  # never the current month
    # Created since the rebuild: no row, counted live.
    late_comer = AgencyFactory(parent=tree.districts[0])
    IncomingDocumentFactory(agency=late_comer, delivered_at=local(dt.date(2026, 3, 9)), status_code=Status.DELIVERED)
    with django_assert_num_queries(4):  # below, the rollup, the live two for the one agency
        rows = {r.agency_code: r for r in oversight_month(member=leader, month=MARCH, today=TODAY)}
    assert rows[late_comer.code].received == 1
    assert [vars(rows[r.agency_code]) for r in kept_rows] == [vars(r) for r in kept_rows]


def test_the_trend_counts_only_the_current_month_live_once_the_rollup_is_built(django_assert_num_queries):
    tree = build_tree(seed=13, districts=1, communes=2)
    leader = MembershipFactory(agency=tree.province, leader=True)
    code = tree.communes[tree.districts[0].id][0].code
    live = oversight_trend(member=leader, agency_code=code, months=12, today=TODAY)
    call_command("oversight_rollup", "--months", "12", stdout=io.StringIO())  # today's months: none of TODAY's
    oversight_rollup_rebuild(months=12, today=TODAY)
    with django_assert_num_queries(4):  # below, the rollup, this month's two aggregates
        kept = oversight_trend(member=leader, agency_code=code, months=12, today=TODAY)
    assert kept == live


def test_the_rollup_is_a_tenant_table():
    with pytest.raises(ScopeError):
        OversightMonth.objects.count()
