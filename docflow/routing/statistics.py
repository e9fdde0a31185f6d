"""Statistics of the active agency over a period, and a sender's figures per recipient.

A period is a range of local days (Asia/Ho_Chi_Minh), both ends included. The figures:

- ``received``: incoming copies delivered in the period (whatever happened to them since);
- ``issued``: outgoing documents issued in the period;
- ``completed_on_time`` / ``completed_late``: copies completed in the period, on time when the
  day of completion is on or before their due date (hạn xử lý), or when they had none;
- ``overdue_now``: copies being handled (04, 05) whose due date is past today: a snapshot
  taken now, whatever the period (as the "Quá hạn" work list counts them);
- ``mean_handling_days``: over the copies completed in the period, the mean time from
  delivery to completion, in days (None when none was completed).

``recipient_statistics`` gives a sender (a district) the same figures per recipient agency for
the documents it sent them, from its own Delivery rows only: each carries the status, due date
and completion time its recipient reported (``status.py``), so no recipient's row is read.
Every function runs a fixed number of aggregate queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, DateField, DurationField, ExpressionWrapper, F, Max, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from docflow.core.errors import NotPermitted
from docflow.documents.models import OutgoingDocument, OutgoingState
from docflow.routing.models import Delivery, IncomingDocument, overdue_q
from docflow.tenancy.models import Membership

# The agency's figures are for those who run it: leaders, clerks (who keep the registers), admins.
STATISTICS_ROLES = ("leader", "clerk", "agency_admin")
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)
TREND_MONTHS = 12


def statistics_access_check(*, member: Membership) -> None:
    """NotPermitted unless ``member`` may read the agency's statistics."""
    if not member.has_role(*STATISTICS_ROLES):
        raise NotPermitted("Chỉ lãnh đạo, văn thư hoặc quản trị đơn vị được xem thống kê.")


@dataclass(frozen=True)
class Period:
    """Local days ``first`` to ``last``, both included."""

    first: dt.date
    last: dt.date

    @classmethod
    def checked(cls, *, first: dt.date, last: dt.date) -> Period:
        """The period, or a ValidationError naming ``from`` / ``to``."""
        errors: dict[str, list[str]] = {}
        for field, day in (("from", first), ("to", last)):
            if not EARLIEST <= day <= LATEST:
                errors[field] = [f"Ngày phải trong khoảng {EARLIEST:%d/%m/%Y} – {LATEST:%d/%m/%Y}."]
        if not errors and last < first:
            errors["to"] = ["Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."]
        if errors:
            raise ValidationError(errors)
        return cls(first=first, last=last)

    @classmethod
    def month_before(cls, day: dt.date) -> Period:
        """The calendar month before the one ``day`` is in."""
        last = day.replace(day=1) - dt.timedelta(days=1)
        return cls(first=last.replace(day=1), last=last)

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes: local midnight of ``first`` and of the day after ``last``."""
        return _midnight(self.first), _midnight(self.last + dt.timedelta(days=1))

    @property
    def label(self) -> str:
        if self.first.day == 1 and (self.last + dt.timedelta(days=1)).day == 1 and (
            self.first.month, self.first.year) == (self.last.month, self.last.year):
            return f"tháng {self.first:%m/%Y}"
        return f"{self.first:%d/%m/%Y} – {self.last:%d/%m/%Y}"


@dataclass(frozen=True)
class HandlingFigures:
    received: int
    completed_on_time: int
    completed_late: int
    overdue_now: int
    mean_handling_days: float | None


@dataclass(frozen=True)
class AgencyStatistics(HandlingFigures):
    issued: int


@dataclass(frozen=True)
class RecipientStatistics(HandlingFigures):
    agency_code: str
    agency_name: str


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date  # the first day of the month
    received: int
    completed: int
    issued: int


def agency_statistics(*, period: Period, today: dt.date | None = None) -> AgencyStatistics:
    """The scoped agency's figures for ``period`` (overdue as of ``today``). Two queries."""
    today = today or timezone.localdate()
    start, end = period.bounds
    figures = _handling_figures(
        IncomingDocument.objects.all(), arrived="delivered_at", due="due_date",
        start=start, end=end, today=today,
    )
    issued = OutgoingDocument.objects.filter(
        state=OutgoingState.ISSUED, issued_at__gte=start, issued_at__lt=end
    ).count()
    return AgencyStatistics(**figures, issued=issued)


def recipient_statistics(*, period: Period, today: dt.date | None = None) -> list[RecipientStatistics]:
    """Per recipient agency, the figures of the documents the scoped agency sent it, from the
    scoped agency's Delivery rows only; recipients with nothing to count are left out. One query."""
    today = today or timezone.localdate()
    start, end = period.bounds
    rows = _handling_figures(
        Delivery.objects.all(), arrived="created_at", due="recipient_due_date",
        start=start, end=end, today=today, group_by="recipient_code",
    )
    return [
        RecipientStatistics(agency_code=row.pop("recipient_code"), agency_name=row.pop("name"), **row)
        for row in rows
    ]


def monthly_trend(*, months: int = TREND_MONTHS, today: dt.date | None = None) -> list[MonthFigures]:
    """Received, completed and issued per month for the last ``months`` months (this one
    included), oldest first. Three queries."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    start = _midnight(first)
    received = _per_month(IncomingDocument.objects.filter(delivered_at__gte=start), "delivered_at")
    completed = _per_month(IncomingDocument.objects.filter(completed_at__gte=start), "completed_at")
    issued = _per_month(
        OutgoingDocument.objects.filter(state=OutgoingState.ISSUED, issued_at__gte=start), "issued_at"
    )
    result, month = [], first
    for _ in range(months):
        result.append(MonthFigures(
            month=month, received=received.get(month, 0), completed=completed.get(month, 0),
            issued=issued.get(month, 0),
        ))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return result


def _handling_figures(queryset, *, arrived: str, due: str, start, end, today, group_by: str | None = None):
    """The handling figures of ``queryset`` (copies, or a sender's Delivery rows) in one
    aggregate query; per ``group_by`` value (with its latest ``name``) when given."""
    arrived_in = Q(**{f"{arrived}__gte": start, f"{arrived}__lt": end})
    completed_in = Q(completed_at__gte=start, completed_at__lt=end)
    overdue = overdue_q(today, due=due)
    aggregates = {
        "received": Count("pk", filter=arrived_in),
        **completion_aggregates(arrived=arrived, due=due, completed_in=completed_in),
        "overdue_now": Count("pk", filter=overdue),
    }
    # Only rows that can count: the agency's history outside the period is not read.
    queryset = queryset.filter(arrived_in | completed_in | overdue)
    if group_by is None:
        return _days(queryset.aggregate(**aggregates))
    rows = (
        queryset.values(group_by)
        .annotate(name=Max("recipient_name"), **aggregates)
        .order_by(group_by)
    )
    return [_days(row) for row in rows]


def completion_aggregates(*, arrived: str, due: str, completed_in: Q) -> dict:
    """The aggregates of the copies completed (``completed_in``): ``completed_on_time`` (on or
    before the ``due`` day, or no due date), ``completed_late`` and ``mean_handling`` (a
    duration from ``arrived`` to completion; ``mean_days`` makes it days). The one home of
    these rules: the agency's figures, the sender's per recipient and the superior's oversight
    (``reports.oversight``) all aggregate with them."""
    completed_day = TruncDate("completed_at")
    on_time = Q(**{f"{due}__isnull": True}) | Q(**{f"{due}__gte": completed_day})
    late = Q(**{f"{due}__lt": completed_day})
    duration = ExpressionWrapper(F("completed_at") - F(arrived), output_field=DurationField())
    return {
        "completed_on_time": Count("pk", filter=completed_in & on_time),
        "completed_late": Count("pk", filter=completed_in & late),
        "mean_handling": Avg(duration, filter=completed_in),
    }


def mean_days(mean: dt.timedelta | None) -> float | None:
    """A mean handling duration in days, two decimals (None stays None)."""
    return round(mean.total_seconds() / 86400, 2) if mean is not None else None


def _days(row: dict) -> dict:
    row["mean_handling_days"] = mean_days(row.pop("mean_handling"))
    return row


def _per_month(queryset, field: str) -> dict[dt.date, int]:
    rows = (
        queryset.annotate(month=TruncMonth(field, output_field=DateField()))
        .values("month").annotate(n=Count("pk")).order_by("month")
    )
    return {row["month"]: row["n"] for row in rows}


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
