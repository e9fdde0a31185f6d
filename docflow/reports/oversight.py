"""The superior's oversight (theo dõi đơn vị cấp dưới): counts of every agency below the
caller's agency, per month, never one of their documents.

A province (or a district) sees, for each agency below it at any depth (``Agency.parent``
links, followed by a recursive query), per local month (Asia/Ho_Chi_Minh):

- ``received``: incoming copies delivered in the month; ``received_electronic`` those that came
  through the system or the exchange (``medium`` electronic), the rest were registered from
  paper, email, fax or by hand;
- ``issued``: outgoing documents issued in the month; ``issued_electronic`` those sent to no
  paper place (every recipient reached through the system or the exchange); ``issued_signed``
  those whose PDF the signer signed digitally (ký số, ``approved_pdf_sha256`` kept);
- ``on_time`` / ``completed_late`` / ``mean_handling_days``: copies completed in the month, by
  the rules of ``routing.statistics.completion_aggregates`` (one home for them);
- ``overdue_open``: copies still being handled and overdue today (``routing.models.overdue_q``)
  whose due date fell in the month, so each one counts in one month only; ``overdue`` is
  ``completed_late + overdue_open``;
- ``electronic_share`` = (received_electronic + issued_electronic) / (received + issued) and
  ``signed_share`` = issued_signed / issued, from 0 to 1 (None when there is nothing to share).

Every figure is an aggregate computed by the database: one query for the agencies below, then
for a month's ranking two aggregate queries grouped by agency (the copies read in one pass),
for a trend four grouped by agency and month; fixed, whatever the number of agencies. The
rows of the agencies below are read with the tenant scope lifted for these aggregates only;
nothing but counts and means leaves this module.

Past months are read from the monthly rollup (``OversightMonth``, rebuilt nightly by
``oversight_rollup``): one more query, a row per agency and month, instead of the aggregates;
the current month, and a past month of an agency the rollup has no row for, are counted live.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, DateField, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth
from django.utils import timezone

from docflow.core.errors import NotFound, NotPermitted
from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument, OutgoingState
from docflow.reports.models import OversightMonth
from docflow.routing.models import IncomingDocument, Medium, overdue_q
from docflow.routing.statistics import EARLIEST, LATEST, Period, completion_aggregates, mean_days
from docflow.tenancy.models import Agency, Membership

# Those who run the agency and keep its registers read its subordinates' figures.
OVERSIGHT_ROLES = ("leader", "clerk")
TREND_MONTHS = 12
MAX_TREND_MONTHS = 36
MAX_DEPTH = 16  # a guard against a cycle in parent links; real trees are 2 to 4 deep

# The criteria the ranking sorts by: attribute and whether higher is better (listed first).
SORTS = {
    "code": ("agency_code", False),
    "received": ("received", True),
    "issued": ("issued", True),
    "electronic_share": ("electronic_share", True),
    "signed_share": ("signed_share", True),
    "on_time": ("on_time", True),
    "overdue": ("overdue", True),
    "on_time_share": ("on_time_share", True),
    "mean_handling_days": ("mean_handling_days", False),
}


@dataclass(frozen=True)
class Subordinate:
    """An agency below the caller's: what the rows name it by, and how far below it is."""

    id: int
    code: str
    name: str
    parent_id: int | None
    depth: int  # 1: a direct child


@dataclass
class OversightFigures:
    """One agency's counts for one month."""

    month: dt.date  # the first day
    received: int = 0
    received_electronic: int = 0
    issued: int = 0
    issued_electronic: int = 0
    issued_signed: int = 0
    on_time: int = 0
    completed_late: int = 0
    overdue_open: int = 0
    mean_handling_days: float | None = None

    @property
    def overdue(self) -> int:
        return self.completed_late + self.overdue_open

    @property
    def electronic_share(self) -> float | None:
        return _share(self.received_electronic + self.issued_electronic, self.received + self.issued)

    @property
    def signed_share(self) -> float | None:
        return _share(self.issued_signed, self.issued)

    @property
    def on_time_share(self) -> float | None:
        """On time among the copies completed in the month."""
        return _share(self.on_time, self.on_time + self.completed_late)


@dataclass
class OversightRow(OversightFigures):
    """One agency below, one month: the ranking's row."""

    agency_code: str = ""
    agency_name: str = ""
    depth: int = 1
    parent_code: str = ""


@dataclass(frozen=True)
class OversightTrend:
    agency: Subordinate
    months: list[OversightFigures] = field(default_factory=list)


# Issued documents: all, those sent to no paper place, those the signer signed digitally.
ISSUED_AGGREGATES = {
    "issued": Count("pk"),
    "issued_electronic": Count("pk", filter=Q(external_places=[])),
    "issued_signed": Count("pk", filter=~Q(approved_pdf_sha256="")),
}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def month_checked(*, year, month) -> dt.date:
    """The first day of the month, or a ValidationError naming ``year`` / ``month``."""
    errors: dict[str, list[str]] = {}
    try:
        year = int(year)
        if not EARLIEST.year <= year <= LATEST.year:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = [f"Năm phải là số từ {EARLIEST.year} đến {LATEST.year}."]
    try:
        month = int(month)
        if not 1 <= month <= 12:
            raise ValueError
    except (TypeError, ValueError):
        errors["month"] = ["Tháng phải là số từ 1 đến 12."]
    if errors:
        raise ValidationError(errors)
    return dt.date(year, month, 1)


def months_checked(months) -> int:
    """How many months a trend covers, or a ValidationError naming ``months``."""
    try:
        value = int(months)
        if not 1 <= value <= MAX_TREND_MONTHS:
            raise ValueError
    except (TypeError, ValueError):
        raise ValidationError({"months": [f"Số tháng phải từ 1 đến {MAX_TREND_MONTHS}."]}) from None
    return value


def below_ids(agency_id: int) -> RawSQL:
    """The ids of every agency below ``agency_id`` at any depth, as a subquery (``id__in``):
    a recursive CTE, on PostgreSQL and SQLite alike."""
    table = Agency._meta.db_table
    return RawSQL(
        f"WITH RECURSIVE below(id, depth) AS ("  # noqa: S608 - the table name is ours
        f" SELECT id, 1 FROM {table} WHERE parent_id = %s AND NOT is_external"
        f" UNION ALL SELECT a.id, b.depth + 1 FROM {table} a JOIN below b ON a.parent_id = b.id"
        f" WHERE b.depth < %s AND NOT a.is_external) SELECT id FROM below",
        (agency_id, MAX_DEPTH),
    )


def agencies_below(*, agency_id: int) -> list[Subordinate]:
    """Every agency below ``agency_id`` at any depth (not the external directory entries),
    ordered by code. One query."""
    tree = below_ids(agency_id)
    rows = list(
        Agency.objects.filter(id__in=tree)
        .values_list("id", "code", "name", "parent_id").order_by("code")
    )
    parents = {row[0]: row[3] for row in rows}

    def depth(pk: int) -> int:
        steps = 1
        while parents.get(pk) != agency_id and parents.get(pk) in parents and steps < MAX_DEPTH:
            pk, steps = parents[pk], steps + 1
        return steps

    return [Subordinate(*row, depth=depth(row[0])) for row in rows]


def oversight_access_check(*, member: Membership) -> list[Subordinate]:
    """The agencies below the member's; NotPermitted for a role other than leader or clerk,
    and for an agency with none below it. One query."""
    if not member.has_role(*OVERSIGHT_ROLES):
        raise NotPermitted("Chỉ lãnh đạo hoặc văn thư được theo dõi đơn vị cấp dưới.")
    below = agencies_below(agency_id=member.agency_id)
    if not below:
        raise NotPermitted("Cơ quan không có đơn vị cấp dưới để theo dõi.")
    return below


def oversight_figures(
    *, agency_ids: list[int], first: dt.date, last: dt.date, today: dt.date | None = None,
) -> dict[tuple[int, dt.date], OversightFigures]:
    """Per (agency, month) from the month of ``first`` to the month of ``last``: the figures of
    the agencies ``agency_ids`` (the caller checked they are below its agency; a list of ids
    rather than the recursive subquery, so that the planner knows how many). Only (agency, month) pairs with something to count are present. Four aggregate
    queries."""
    today = today or timezone.localdate()
    start, end = Period(first=first.replace(day=1), last=_month_end(last)).bounds
    result: dict[tuple[int, dt.date], OversightFigures] = {}

    def figures(agency_id: int, month: dt.date) -> OversightFigures:
        return result.setdefault((agency_id, month), OversightFigures(month=month))

    with cross_agency("oversight"):  # counts across the agencies below, never their rows
        copies = IncomingDocument.objects.filter(agency_id__in=agency_ids)
        for row in _grouped(copies.filter(delivered_at__gte=start, delivered_at__lt=end), "delivered_at",
                            received=Count("pk"),
                            received_electronic=Count("pk", filter=Q(medium=Medium.ELECTRONIC))):
            entry = figures(row["agency_id"], row["month"])
            entry.received, entry.received_electronic = row["received"], row["received_electronic"]
        completed_in = Q(completed_at__gte=start, completed_at__lt=end)
        for row in _grouped(copies.filter(completed_in), "completed_at",
                            **completion_aggregates(arrived="delivered_at", due="due_date",
                                                    completed_in=completed_in)):
            entry = figures(row["agency_id"], row["month"])
            entry.on_time, entry.completed_late = row["completed_on_time"], row["completed_late"]
            entry.mean_handling_days = mean_days(row["mean_handling"])
        overdue = copies.filter(overdue_q(today), due_date__gte=_local(start), due_date__lt=_local(end))
        for row in _grouped(overdue, "due_date", n=Count("pk")):
            figures(row["agency_id"], row["month"]).overdue_open = row["n"]
        issued = OutgoingDocument.objects.filter(
            agency_id__in=agency_ids, state=OutgoingState.ISSUED, issued_at__gte=start, issued_at__lt=end,
        )
        for row in _grouped(issued, "issued_at", **ISSUED_AGGREGATES):
            entry = figures(row["agency_id"], row["month"])
            entry.issued, entry.issued_electronic = row["issued"], row["issued_electronic"]
            entry.issued_signed = row["issued_signed"]
    return result


def month_figures(
    *, agency_ids: list[int], month: dt.date, today: dt.date | None = None,
) -> dict[tuple[int, dt.date], OversightFigures]:
    """What ``oversight_figures`` gives for one month, in two aggregate queries grouped by
    agency: the copies are read in one pass (arrived, completed or overdue in the month, each
    figure its own filtered count), then the issued documents."""
    today = today or timezone.localdate()
    start, end = Period(first=month, last=_month_end(month)).bounds
    arrived_in = Q(delivered_at__gte=start, delivered_at__lt=end)
    completed_in = Q(completed_at__gte=start, completed_at__lt=end)
    overdue_in = overdue_q(today) & Q(due_date__gte=_local(start), due_date__lt=_local(end))
    result: dict[tuple[int, dt.date], OversightFigures] = {}
    with cross_agency("oversight"):  # counts across the agencies below, never their rows
        copies = (
            IncomingDocument.objects.filter(agency_id__in=agency_ids)
            .filter(arrived_in | completed_in | overdue_in).values("agency_id")
            .annotate(
                received=Count("pk", filter=arrived_in),
                received_electronic=Count("pk", filter=arrived_in & Q(medium=Medium.ELECTRONIC)),
                **completion_aggregates(arrived="delivered_at", due="due_date", completed_in=completed_in),
                overdue_open=Count("pk", filter=overdue_in),
            ).order_by()
        )
        for row in copies:
            result[(row["agency_id"], month)] = OversightFigures(
                month=month, received=row["received"], received_electronic=row["received_electronic"],
                on_time=row["completed_on_time"], completed_late=row["completed_late"],
                overdue_open=row["overdue_open"], mean_handling_days=mean_days(row["mean_handling"]),
            )
        issued = (
            OutgoingDocument.objects.filter(
                agency_id__in=agency_ids, state=OutgoingState.ISSUED, issued_at__gte=start, issued_at__lt=end)
            .values("agency_id").annotate(**ISSUED_AGGREGATES).order_by()
        )
        for row in issued:
            entry = result.setdefault((row["agency_id"], month), OversightFigures(month=month))
            entry.issued, entry.issued_electronic = row["issued"], row["issued_electronic"]
            entry.issued_signed = row["issued_signed"]
    return result


ROLLUP_FIELDS = ("received", "received_electronic", "issued", "issued_electronic", "issued_signed",
                 "on_time", "completed_late", "overdue_open", "mean_handling_days")


def kept_or_live_figures(
    *, agency_ids: list[int], months: list[dt.date], today: dt.date | None = None,
) -> dict[tuple[int, dt.date], OversightFigures]:
    """The figures of ``agency_ids`` for ``months`` (first days, in order): past months from the
    rollup (one query), the current month and the (agency, past month) pairs the rollup lacks
    counted live (``month_figures`` for one month, ``oversight_figures`` for several)."""
    today = today or timezone.localdate()
    current = today.replace(day=1)
    past = [m for m in months if m < current]
    result: dict[tuple[int, dt.date], OversightFigures] = {}
    kept: set[tuple[int, dt.date]] = set()
    if past:
        with cross_agency("oversight"):  # counts of the agencies below, as the aggregates read them
            rows = OversightMonth.objects.filter(agency_id__in=agency_ids, month__in=past).values(
                "agency_id", "month", *ROLLUP_FIELDS)
            for row in rows:
                key = (row.pop("agency_id"), row["month"])
                kept.add(key)
                if any(row[name] for name in ROLLUP_FIELDS):
                    result[key] = OversightFigures(**row)
    live_months = [m for m in months if m >= current or any((a, m) not in kept for a in agency_ids)]
    if not live_months:
        return result
    live_ids = [a for a in agency_ids if any((a, m) not in kept for m in live_months)]
    if len(live_months) == 1:
        live = month_figures(agency_ids=live_ids, month=live_months[0], today=today)
    else:
        live = oversight_figures(agency_ids=live_ids, first=live_months[0], last=live_months[-1], today=today)
    result.update({key: value for key, value in live.items() if key not in kept and key[1] in live_months})
    return result


def oversight_month(
    *, member: Membership, month: dt.date, sort: str = "code", today: dt.date | None = None,
) -> list[OversightRow]:
    """The ranking for one month: a row for every agency below the member's (zeros included),
    sorted by ``sort`` (a key of SORTS; the best first, then by code). Three queries."""
    below = oversight_access_check(member=member)
    found = kept_or_live_figures(agency_ids=[a.id for a in below], months=[month], today=today)
    codes = {a.id: a.code for a in below}
    rows = [
        OversightRow(
            **vars(found.get((a.id, month), OversightFigures(month=month))),
            agency_code=a.code, agency_name=a.name, depth=a.depth, parent_code=codes.get(a.parent_id, ""),
        )
        for a in below
    ]
    return ranked(rows, sort=sort)


def ranked(rows: list[OversightRow], *, sort: str) -> list[OversightRow]:
    """``rows`` ordered by a criterion of SORTS (unknown: by code); missing values last."""
    attribute, best_high = SORTS.get(sort, SORTS["code"])

    def key(row: OversightRow):
        value = getattr(row, attribute)
        if value is None:
            return (1, 0, row.agency_code)
        if isinstance(value, str):
            return (0, value, row.agency_code)
        return (0, -value if best_high else value, row.agency_code)

    return sorted(rows, key=key)


def oversight_trend(
    *, member: Membership, agency_code: str, months: int = TREND_MONTHS, today: dt.date | None = None,
) -> OversightTrend:
    """One agency below the member's, month by month for the last ``months`` months (this one
    included), oldest first; NotFound for an agency that is not below. Five queries."""
    below = oversight_access_check(member=member)
    agency = next((a for a in below if a.code == agency_code), None)
    if agency is None:
        raise NotFound("Không tìm thấy đơn vị cấp dưới.")
    today = today or timezone.localdate()
    month_list = last_months(today=today, months=months)
    found = kept_or_live_figures(agency_ids=[agency.id], months=month_list, today=today)
    return OversightTrend(agency=agency, months=[
        found.get((agency.id, month), OversightFigures(month=month)) for month in month_list
    ])


def last_months(*, today: dt.date, months: int) -> list[dt.date]:
    """The first days of the last ``months`` months, this one included, oldest first."""
    result = [today.replace(day=1)]
    for _ in range(months - 1):
        result.append((result[-1] - dt.timedelta(days=1)).replace(day=1))
    return result[::-1]


def _grouped(queryset, field_name: str, **aggregates):
    return (
        queryset.annotate(month=TruncMonth(field_name, output_field=DateField()))
        .values("agency_id", "month").annotate(**aggregates).order_by()
    )


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _local(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)
