"""An agency's figures, and a district's per commune, equal what a clerk would count by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from docflow.routing import handling
from docflow.routing.statistics import (
    MonthFigures,
    Period,
    agency_statistics,
    monthly_trend,
    recipient_statistics,
)
from docflow.tenancy.models import AgencyLevel
from docflow.core.scoping import agency_scope
from tests.factories import AgencyFactory
from tests.routing.conftest import office
from tests.routing.factories import sent_copy
from tests.statistics.generated import (
    PERIOD,
    TODAY,
    copies_from,
    deliveries_from,
    hand_count,
    issued_documents,
    local,
    random_facts,
)

pytestmark = pytest.mark.django_db


def figures(agency, *, period: Period = PERIOD, today: dt.date = TODAY) -> dict:
    with agency_scope(agency):
        return asdict(agency_statistics(period=period, today=today))


def per_recipient(agency, *, period: Period = PERIOD, today: dt.date = TODAY) -> dict[str, dict]:
    with agency_scope(agency):
        rows = recipient_statistics(period=period, today=today)
    return {r.agency_code: {k: v for k, v in asdict(r).items() if k not in ("agency_code", "agency_name")}
            for r in rows}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_commune_figures_equal_a_hand_count_over_generated_copies(agency_a, agency_b, seed):
    mine, theirs = random_facts(seed, 60), random_facts(seed + 100, 60)
    copies_from(agency_a, mine)
    copies_from(agency_b, theirs)
    issued_documents(agency_a, [local(PERIOD.first, 0, 1), local(PERIOD.last, 23, 59),
                                local(PERIOD.last + dt.timedelta(days=1), 0, 0), local(dt.date(2026, 3, 15))])
    issued_documents(agency_b, [local(dt.date(2026, 3, 15))] * 3)
    assert figures(agency_a) == {**hand_count(mine), "issued": 3}
    assert figures(agency_b) == {**hand_count(theirs), "issued": 3}


def test_a_period_with_nothing_has_zeros_and_no_mean(agency_a):
    assert figures(agency_a) == {"received": 0, "completed_on_time": 0, "completed_late": 0,
                                 "overdue_now": 0, "mean_handling_days": None, "issued": 0}


def test_district_sees_per_commune_figures_of_what_it_sent_only(agency_a, agency_b):
    district = AgencyFactory(level=AgencyLevel.DISTRICT)
    other_district = AgencyFactory(level=AgencyLevel.DISTRICT)
    to_a, to_b = random_facts(7, 40), random_facts(8, 40)
    deliveries_from(district, agency_a, to_a)
    deliveries_from(district, agency_b, to_b)
    deliveries_from(other_district, agency_a, random_facts(9, 40))  # not the district's
    copies_from(agency_a, random_facts(10, 20))  # the commune's own copies: never read
    with CaptureQueriesContext(connection) as queries:
        rows = per_recipient(district)
    assert rows == {agency_a.code: hand_count(to_a), agency_b.code: hand_count(to_b)}
    assert len(queries) == 1 and "incomingdocument" not in queries[0]["sql"].lower()


def test_recipients_with_nothing_in_the_period_are_left_out(agency_a, agency_b):
    district = AgencyFactory(level=AgencyLevel.DISTRICT)
    edges = random_facts(4, 0)
    deliveries_from(district, agency_a, edges[:1])  # arrived at 00:05 on the first day
    deliveries_from(district, agency_b, edges[3:4])  # arrived the evening before, still 01
    assert list(per_recipient(district)) == [agency_a.code]


def test_through_the_services_the_district_reads_what_each_commune_reports(agency_a, agency_b):
    """The district issues to two communes; one completes on time, one is still handling when
    its deadline passes. The district's per-commune figures equal each commune's own."""
    district = AgencyFactory(level=AgencyLevel.DISTRICT)
    done, late = office(agency_a), office(agency_b)
    today = timezone.localdate()
    period = Period(first=today - dt.timedelta(days=1), last=today)
    first, second = sent_copy(sender=district, recipient=done.agency), sent_copy(sender=district, recipient=late.agency)
    for office_, copy in ((done, first), (late, second)):
        handling.incoming_accept(membership=office_.clerk, incoming_id=copy.id)
        handling.incoming_assign(membership=office_.leader, incoming_id=copy.id,
                                 lead=office_.staff.user.username, due_date=today + dt.timedelta(days=3))
    handling.incoming_complete(membership=done.staff, incoming_id=first.id, note="Đã triển khai.")
    # The second commune moves its deadline; the district learns it without a status change.
    handling.incoming_assign(membership=late.leader, incoming_id=second.id,
                             lead=late.staff2.user.username, due_date=today + dt.timedelta(days=1))
    later = today + dt.timedelta(days=5)
    rows = per_recipient(district, period=period, today=later)
    for commune in (done, late):
        own = figures(commune.agency, period=period, today=later)
        own.pop("issued")
        assert rows[commune.agency.code] == own
    assert rows[done.agency.code]["completed_on_time"] == 1
    assert rows[late.agency.code]["overdue_now"] == 1 and rows[late.agency.code]["received"] == 1


def test_a_commune_counts_documents_of_every_sender_each_district_only_its_own(agency_a):
    district, other = AgencyFactory(level=AgencyLevel.DISTRICT), AgencyFactory(level=AgencyLevel.DISTRICT)
    for sender, count in ((district, 2), (other, 3)):
        for _ in range(count):
            sent_copy(sender=sender, recipient=agency_a)
    today = timezone.localdate()
    period = Period(first=today, last=today)
    assert per_recipient(district, period=period, today=today)[agency_a.code]["received"] == 2
    assert per_recipient(other, period=period, today=today)[agency_a.code]["received"] == 3
    assert figures(agency_a, period=period, today=today)["received"] == 5


def test_monthly_trend_counts_each_month_by_hand(agency_a, agency_b):
    facts = random_facts(5, 80)
    copies_from(agency_a, facts)
    copies_from(agency_b, random_facts(6, 30))
    issued_documents(agency_a, [local(dt.date(2026, 3, 31), 23, 59), local(dt.date(2026, 4, 1), 0, 1)])
    with agency_scope(agency_a), CaptureQueriesContext(connection) as queries:
        trend = monthly_trend(months=4, today=TODAY)
    assert len(queries) == 3
    months = [dt.date(2026, m, 1) for m in (1, 2, 3, 4)]

    def month_of(moment):
        day = moment.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
        return day.replace(day=1)

    assert trend == [
        MonthFigures(
            month=m, received=sum(1 for f in facts if month_of(f.arrived) == m),
            completed=sum(1 for f in facts if f.completed and month_of(f.completed) == m),
            issued={dt.date(2026, 3, 1): 1, dt.date(2026, 4, 1): 1}.get(m, 0),
        )
        for m in months
    ]


def test_figures_cost_the_same_queries_for_few_or_many_rows(agency_a, agency_b):
    district = AgencyFactory(level=AgencyLevel.DISTRICT)
    counts = []
    for batch in (2, 40):
        copies_from(agency_a, random_facts(batch, batch))
        deliveries_from(district, agency_b, random_facts(batch + 1, batch))
        with CaptureQueriesContext(connection) as own:
            figures(agency_a)
        with CaptureQueriesContext(connection) as theirs:
            per_recipient(district)
        counts.append((len(own), len(theirs)))
    assert counts == [(2, 1), (2, 1)]


def test_period_checks_name_the_field():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        Period.checked(first=dt.date(2026, 3, 2), last=dt.date(2026, 3, 1))
    assert set(err.value.message_dict) == {"to"}
    with pytest.raises(ValidationError) as err:
        Period.checked(first=dt.date(1, 1, 1), last=dt.date(9999, 12, 31))
    assert set(err.value.message_dict) == {"from", "to"}
    assert Period.month_before(dt.date(2026, 1, 1)) == Period(dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    assert Period.month_before(dt.date(2026, 3, 15)).label == "tháng 02/2026"
    assert PERIOD.label == "tháng 03/2026"
    assert Period(dt.date(2026, 3, 2), dt.date(2026, 3, 9)).label == "02/03/2026 – 09/03/2026"


def test_an_external_recipients_completion_is_dated_when_it_reports_06(agency_a):
    from django.db import transaction
    from docflow.core.scoping import cross_agency

    from docflow.routing.models import Delivery
    from docflow.routing.status import external_status_record
    from tests.factories import DeliveryFactory

    external = AgencyFactory(is_external=True)
    row = DeliveryFactory(document__agency=agency_a, recipient_agency=external)
    with transaction.atomic(), cross_agency("system"):
        external_status_record(delivery=Delivery.objects.select_for_update().get(pk=row.pk), reported="05", note="")
        assert Delivery.objects.get(pk=row.pk).completed_at is None
        external_status_record(delivery=Delivery.objects.select_for_update().get(pk=row.pk), reported="06", note="")
        assert Delivery.objects.get(pk=row.pk).completed_at is not None
