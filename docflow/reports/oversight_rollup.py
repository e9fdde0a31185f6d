"""The oversight's monthly rollup (``OversightMonth``): each agency's figures for each past month,
so that the superior's ranking and trends read a row per agency instead of aggregating every copy.

Kept by a rebuild, not by the services that change a copy: the figures of a month come from
copies, issued documents and handling that many services write (issuing, intake, handling,
recall, the exchange inbound, a merger moving copies), and one scheduled rebuild computed with
the very aggregates of the live page (``reports.oversight.month_figures``) cannot drift from
them. Beat runs it nightly (``reports.oversight_rollup``, 01:30 local time); ``manage.py
oversight_rollup`` runs it at once (after an import of old data or a merger). It rewrites the
last ``ROLLUP_MONTHS`` past months whole, a row for every agency (zeros too), one month per
savepoint; the current month is never kept and always counted live. What the rollup holds for a
past month is that month's figures as of the rebuild: received, issued, signed and completed
counts no longer change once the month is over; ``overdue_open`` (still open and overdue)
shrinks as late copies are completed, and shows the count of the last night.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from docflow.core.scoping import cross_agency
from docflow.core.services import service
from docflow.reports.models import OversightMonth
from docflow.reports.oversight import ROLLUP_FIELDS, OversightFigures, last_months, month_figures
from docflow.tenancy.models import Agency

# The ranking of last month and a 12-month trend read only kept months, with one to spare.
ROLLUP_MONTHS = 13
BATCH = 2_000


@service(scope=None)
def oversight_rollup_rebuild(*, months: int = ROLLUP_MONTHS, today: dt.date | None = None) -> int:
    """Rewrite the rollup of the ``months`` months before ``today``'s for every agency in
    Docflow (not the external directory entries); returns the rows written. Per month: the two
    aggregates of ``month_figures`` over all agencies, a DELETE and a bulk INSERT."""
    today = today or timezone.localdate()
    past = last_months(today=today, months=months + 1)[:-1]
    written = 0
    # Every agency's counts (read as oversight reads them), written as rows of each agency.
    with cross_agency("oversight"), cross_agency("housekeeping"):
        ids = list(Agency.objects.filter(is_external=False).order_by("pk").values_list("pk", flat=True))
        for month in past:
            found = month_figures(agency_ids=Agency.objects.filter(is_external=False).values("pk"),
                                  month=month, today=today)
            OversightMonth.objects.filter(month=month).delete()
            OversightMonth.objects.bulk_create([
                _row(agency_id, month, found.get((agency_id, month)), today) for agency_id in ids
            ], batch_size=BATCH)
            written += len(ids)
    return written


def _row(agency_id: int, month: dt.date, figures: OversightFigures | None, today: dt.date) -> OversightMonth:
    figures = figures or OversightFigures(month=month)
    return OversightMonth(agency_id=agency_id, month=month, built_on=today,
                          **{name: getattr(figures, name) for name in ROLLUP_FIELDS})
