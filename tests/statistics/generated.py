"""Generated statistics data: copies, issued documents and a sender's Delivery rows with
chosen dates and statuses, and the same figures counted by hand in Python."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from docflow.core.scoping import cross_agency
from docflow.routing.models import HANDLING_STATUSES, Delivery, Status
from docflow.routing.statistics import Period
from tests.factories import DeliveryFactory, OutgoingDocumentFactory
from tests.routing.factories import IncomingDocumentFactory

PERIOD = Period(first=dt.date(2026, 3, 1), last=dt.date(2026, 3, 31))
TODAY = dt.date(2026, 4, 10)
STATUSES = [s.value for s in Status]


def local(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass(frozen=True)
class Fact:
    """One copy (or Delivery row) as generated: what the hand count reads."""

    arrived: dt.datetime
    status: str
    due: dt.date | None
    completed: dt.datetime | None


def random_facts(seed: int, count: int) -> list[Fact]:
    """Copies around the period, with the edges that catch time-zone and off-by-one mistakes:
    arrivals at 00:05 on the first day and 23:55 on the last (in), midnight after the last
    day and 23:55 the day before the first (out); completions late in the evening of the due
    day (on time) and just after midnight the day after (late)."""
    rng = random.Random(seed)
    edges = [
        Fact(local(PERIOD.first, 0, 5), "01", None, None),
        Fact(local(PERIOD.last, 23, 55), "03", None, None),
        Fact(local(PERIOD.last + dt.timedelta(days=1), 0, 0), "01", None, None),
        Fact(local(PERIOD.first - dt.timedelta(days=1), 23, 55), "01", None, None),
        Fact(local(dt.date(2026, 3, 2)), "06", dt.date(2026, 3, 10), local(dt.date(2026, 3, 10), 23, 30)),
        Fact(local(dt.date(2026, 3, 2)), "06", dt.date(2026, 3, 10), local(dt.date(2026, 3, 11), 0, 30)),
        Fact(local(dt.date(2026, 2, 20)), "06", None, local(PERIOD.first, 0, 10)),
        Fact(local(dt.date(2026, 3, 5)), "05", TODAY - dt.timedelta(days=1), None),
        Fact(local(dt.date(2026, 3, 5)), "04", TODAY, None),
    ]
    facts = list(edges)
    for _ in range(count):
        arrived = local(PERIOD.first - dt.timedelta(days=40)) + dt.timedelta(minutes=rng.randrange(0, 110 * 1440))
        status = rng.choice(["06"] * 5 + STATUSES)  # most copies get handled to the end
        due = None
        if status in ("04", "05", "06") or rng.random() < 0.2:
            due = arrived.date() + dt.timedelta(days=rng.randrange(-3, 25))
        completed = None
        if status == "06" or (status == "15" and rng.random() < 0.3):
            completed = arrived + dt.timedelta(minutes=rng.randrange(60, 30 * 1440))
        facts.append(Fact(arrived, status, due, completed))
    return facts


def hand_count(facts: list[Fact], *, period: Period = PERIOD, today: dt.date = TODAY) -> dict:
    """The figures, counted one fact at a time in local days."""

    def in_period(moment: dt.datetime | None) -> bool:
        return moment is not None and period.first <= timezone.localdate(moment) <= period.last

    completed = [f for f in facts if in_period(f.completed)]
    on_time = [f for f in completed if f.due is None or timezone.localdate(f.completed) <= f.due]
    durations = [(f.completed - f.arrived).total_seconds() for f in completed]
    return {
        "received": sum(1 for f in facts if in_period(f.arrived)),
        "completed_on_time": len(on_time),
        "completed_late": len(completed) - len(on_time),
        "overdue_now": sum(1 for f in facts if f.status in HANDLING_STATUSES and f.due and f.due < today),
        "mean_handling_days": round(sum(durations) / len(durations) / 86400, 2) if durations else None,
    }


def copies_from(agency, facts: list[Fact]) -> None:
    for fact in facts:
        IncomingDocumentFactory(
            agency=agency, delivered_at=fact.arrived, status_code=fact.status, due_date=fact.due,
            completed_at=fact.completed,
        )


def issued_documents(agency, moments: list[dt.datetime]) -> None:
    for moment in moments:
        OutgoingDocumentFactory(agency=agency, state="issued", issued_at=moment)


def deliveries_from(sender, recipient, facts: list[Fact]) -> None:
    """The sender's rows for documents it sent ``recipient``, as the statuses reported them."""
    for fact in facts:
        row = DeliveryFactory(
            document=OutgoingDocumentFactory(agency=sender, state="issued", issued_at=fact.arrived),
            recipient_agency=recipient, status_code=fact.status, recipient_due_date=fact.due,
            completed_at=fact.completed,
        )
        with cross_agency("system"):  # created_at is the delivery time: set it as generated
            Delivery.objects.filter(pk=row.pk).update(created_at=fact.arrived)
