"""Benchmark: the superior's oversight for a province with 3,000 agencies below it over
2,000,000 incoming copies (and a tenth as many issued documents), against the bare SQL.

Run from the repository root on PostgreSQL (the script migrates, builds the data once and
reuses it on later runs; ``--fresh`` rebuilds it, ``--copies`` makes a smaller set):

    createdb -h 127.0.0.1 -U postgres docflow_oversight
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docflow_oversight \\
        .venv/bin/python bench/bench_oversight.py --copies 2000000 --runs 30

Data: a province, 30 districts below it and 99 communes below each (3,000 agencies below),
the copies spread evenly over them and over the 13 months back from today, written in the
order they arrived (as the system writes them: a month's copies sit together), 70 % arrived
electronically, most handled to the end with a due date (some late, some overdue now); issued
documents one for ten copies, 30 % also sent to a paper place, 60 % signed digitally. Built
with ``INSERT … SELECT generate_series`` (nothing made in Python per row).

Series, interleaved run by run in one warm process:

- selector: ``reports.oversight.oversight_month`` for last month, as the province's leader
  (the recursive query for the agencies below, then four GROUP BY agency, month aggregates);
- trend: ``oversight_trend`` of one commune over 12 months (the drill-down);
- page: ``GET /theo-doi-cap-duoi/`` through Django's test Client (the whole stack: session,
  middleware, the selector, 3,000 table rows rendered);
- SQL: the bare aggregate a person would write for the same figures (one statement: the
  recursive CTE and the four aggregates UNION ALL), through Django's connection.

It prints p50 and p99 per series and the selector/SQL ratio, first with the monthly rollup
empty (every figure aggregated live from the copies, as before the rollup), then after
``oversight_rollup_rebuild`` (timed once; the page then reads past months from
``OversightMonth``), the bare SQL measured again beside each. ``--index`` then adds the index
the completed-in-month aggregate lacks, ``(agency_id, completed_at)`` on the copies (and
``(agency_id, issued_at)`` on outgoing documents), measures again, prints both, and drops
them (``--keep-index`` leaves them). Not a test: performance is measured here, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.datagen import Dataset, agencies_create, django_setup, insert_select, members_create, postgres_required  # noqa: E402

TAG = "OV"
DISTRICTS = 30
COMMUNES_PER_DISTRICT = 99
MONTHS_BACK = 13
INDEXES = (
    ("bench_ov_incoming_completed", "routing_incomingdocument", "(agency_id, completed_at)"),
    ("bench_ov_outgoing_issued", "documents_outgoingdocument", "(agency_id, issued_at)"),
)

BARE_SQL = """
WITH RECURSIVE below(id, depth) AS (
    SELECT id, 1 FROM tenancy_agency WHERE parent_id = %(root)s
    UNION ALL SELECT a.id, b.depth + 1 FROM tenancy_agency a JOIN below b ON a.parent_id = b.id
    WHERE b.depth < 16
), ids AS (SELECT array_agg(id) AS ids FROM below)
SELECT 'r', agency_id, count(*), count(*) FILTER (WHERE medium = 'electronic'), 0, NULL::interval
FROM routing_incomingdocument, ids
WHERE agency_id = ANY(ids.ids) AND delivered_at >= %(start)s AND delivered_at < %(end)s GROUP BY agency_id
UNION ALL
SELECT 'c', agency_id,
       count(*) FILTER (WHERE due_date IS NULL OR due_date >= (completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date),
       count(*) FILTER (WHERE due_date < (completed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date), 0,
       avg(completed_at - delivered_at)
FROM routing_incomingdocument, ids
WHERE agency_id = ANY(ids.ids) AND completed_at >= %(start)s AND completed_at < %(end)s GROUP BY agency_id
UNION ALL
SELECT 'o', agency_id, count(*), 0, 0, NULL
FROM routing_incomingdocument, ids
WHERE agency_id = ANY(ids.ids) AND status_code IN ('04', '05') AND due_date < %(today)s
  AND due_date >= %(first)s AND due_date < %(after)s GROUP BY agency_id
UNION ALL
SELECT 'i', agency_id, count(*), count(*) FILTER (WHERE external_places = '[]'::jsonb),
       count(*) FILTER (WHERE approved_pdf_sha256 <> ''), NULL
FROM documents_outgoingdocument, ids
WHERE agency_id = ANY(ids.ids) AND state = 'issued' AND issued_at >= %(start)s AND issued_at < %(end)s
GROUP BY agency_id
"""


def build(*, copies: int, batch: int = 200_000) -> None:
    """The province, its districts and communes, a leader, and the rows (bulk SQL)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from docflow.documents.models import OutgoingDocument
    from docflow.routing.models import IncomingDocument

    t0 = time.perf_counter()
    with transaction.atomic():
        province = agencies_create(tag=TAG, count=1, level="province")[0]
        districts = agencies_create(tag=TAG, count=DISTRICTS, start=1, level="district", parent=province)
        communes = []
        for i, district in enumerate(districts):
            communes += agencies_create(tag=TAG, count=COMMUNES_PER_DISTRICT,
                                        start=1 + DISTRICTS + i * COMMUNES_PER_DISTRICT, parent=district)
        leader = members_create(agencies=[province], roles=("leader",), tag=TAG)[0]
    below = [a.pk for a in districts + communes]
    params = {"agencies": below, "n": len(below), "now": timezone.now(), "span": MONTHS_BACK * 30 * 86400,
              "user": leader.user_id}
    source = """SELECT g, (%(agencies)s::bigint[])[1 + g %% %(n)s] AS agency_id,
                       %(now)s::timestamptz - make_interval(secs => %(span)s * (1 - g::float8 / %(total)s)) AS t
                FROM generate_series(%(start)s, %(stop)s) AS g"""
    turn = "((s.g / %(n)s + s.g) %% 10)"
    status = "(ARRAY['01','03','04','05','06','06','06','06','06','06'])[1 + (s.g / 7) %% 10]"
    handled = f"{status} IN ('04', '05', '06')"
    incoming = insert_select(IncomingDocument, {
        "id": "gen_random_uuid()", "agency_id": "s.agency_id", "status_code": status,
        "sender_name": "'Sở Nội vụ tỉnh'", "doc_type": "'cong_van'",
        "subject": "'Về việc báo cáo định kỳ số ' || s.g", "delivered_at": "s.t",
        # The flags vary by the row's turn (g / n), not by g mod n, which picks the agency.
        "medium": f"CASE WHEN {turn} < 7 THEN 'electronic' WHEN {turn} < 9 THEN 'paper' ELSE 'email' END",
        "due_date": f"CASE WHEN {handled} THEN (s.t + make_interval(days => 3 + (s.g %% 11)))::date END",
        "completed_at": f"CASE WHEN {status} = '06' THEN s.t + make_interval(hours => 6 + (s.g %% 300)) END",
        "created_at": "s.t", "updated_at": "s.t",
    }, source, params)
    outgoing = insert_select(OutgoingDocument, {
        "id": "gen_random_uuid()", "agency_id": "s.agency_id", "state": "'issued'", "doc_type": "'cong_van'",
        "subject": "'Về việc triển khai nhiệm vụ số ' || s.g", "drafter_id": "%(user)s", "issued_at": "s.t",
        "external_places": f"CASE WHEN {turn} < 3 THEN '[\"Lưu: VT\"]'::jsonb ELSE '[]'::jsonb END",
        "recipient_codes": "'[]'::jsonb",
        "approved_pdf_sha256": f"CASE WHEN {turn} < 6 THEN repeat('a', 64) ELSE '' END",
        "created_at": "s.t", "updated_at": "s.t",
    }, source, params)
    for sql, total in ((incoming, copies), (outgoing, max(copies // 10, 1))):
        for start in range(1, total + 1, batch):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, {**params, "total": total, "start": start, "stop": min(start + batch - 1, total)})
        print(f"  {total:,} rows in {sql.split()[2]} ({time.perf_counter() - t0:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE routing_incomingdocument")
        cursor.execute("ANALYZE documents_outgoingdocument")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(*, runs: int, leader, month: dt.date, commune_code: str) -> dict[str, list[float]]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from django.utils import timezone

    from docflow.reports.oversight import oversight_month, oversight_trend
    from docflow.routing.statistics import Period

    client = Client()
    client.force_login(leader.user)
    url = f"{reverse('web:oversight')}?thang={month.month}&nam={month.year}"
    start, end = Period(first=month, last=(month + dt.timedelta(days=32)).replace(day=1)
                        - dt.timedelta(days=1)).bounds
    after = (month + dt.timedelta(days=32)).replace(day=1)
    sql_params = {"root": leader.agency_id, "start": start, "end": end, "first": month, "after": after,
                  "today": timezone.localdate()}
    series: dict[str, list[float]] = {"selector": [], "trend": [], "page": [], "SQL": []}
    rows = None
    for run in range(runs + 2):  # two warm-up runs, not counted
        timings = {}
        t = time.perf_counter()
        rows = oversight_month(member=leader, month=month)
        timings["selector"] = time.perf_counter() - t
        t = time.perf_counter()
        oversight_trend(member=leader, agency_code=commune_code, months=12)
        timings["trend"] = time.perf_counter() - t
        t = time.perf_counter()
        response = client.get(url)
        timings["page"] = time.perf_counter() - t
        assert response.status_code == 200, response.status_code
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(BARE_SQL, sql_params)
            bare = cursor.fetchall()
        timings["SQL"] = time.perf_counter() - t
        if run >= 2:
            for name, value in timings.items():
                series[name].append(value * 1000)
    received = sum(r[2] for r in bare if r[0] == "r")
    assert received == sum(r.received for r in rows), (received, sum(r.received for r in rows))
    print(f"  {len(rows):,} agencies below; {received:,} copies received in {month:%m/%Y} (selector = SQL)")
    return series


def report(label: str, series: dict[str, list[float]]) -> None:
    print(f"\n{label}")
    for name, values in series.items():
        print(f"  {name:<9} p50 {_pct(values, .5):8.1f} ms   p99 {_pct(values, .99):8.1f} ms")
    print(f"  selector / SQL at p50: {_pct(series['selector'], .5) / _pct(series['SQL'], .5):.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--fresh", action="store_true", help="rebuild the data")
    parser.add_argument("--index", action="store_true", help="measure again with the extra indexes")
    parser.add_argument("--keep-index", action="store_true")
    args = parser.parse_args()
    django_setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from docflow.core.scoping import cross_agency

    from docflow.reports.models import OversightMonth
    from docflow.reports.oversight_rollup import oversight_rollup_rebuild
    from docflow.tenancy.models import Membership

    postgres_required("the data generator needs PostgreSQL")
    call_command("migrate", verbosity=0)
    with cross_agency("system"):
        leader = Membership.objects.select_related("agency", "user").filter(
            user__username__startswith=f"b{TAG.lower()}_", is_leader=True).first()
        if args.fresh or leader is None:
            Dataset.delete(tag=TAG)
            print(f"building: 3,000 agencies below a province, {args.copies:,} copies", flush=True)
            build(copies=args.copies)
            leader = Membership.objects.select_related("agency", "user").get(
                user__username__startswith=f"b{TAG.lower()}_", is_leader=True)
        commune = leader.agency.children.order_by("code").first().children.order_by("code").first()
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    with cross_agency("system"):
        OversightMonth.objects.all().delete()
    report("live: the rollup empty, every figure aggregated from the copies",
           measure(runs=args.runs, leader=leader, month=month, commune_code=commune.code))
    t = time.perf_counter()
    written = oversight_rollup_rebuild()
    print(f"\n  oversight_rollup_rebuild: {written:,} rows (13 months) in {time.perf_counter() - t:.1f} s")
    report("with the monthly rollup (past months read from OversightMonth)",
           measure(runs=args.runs, leader=leader, month=month, commune_code=commune.code))
    if args.index:
        with connection.cursor() as cursor:
            for name, table, columns in INDEXES:
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {columns}")
            cursor.execute("ANALYZE routing_incomingdocument")
            cursor.execute("ANALYZE documents_outgoingdocument")
        with cross_agency("system"):
            OversightMonth.objects.all().delete()
        report("live, with (agency_id, completed_at) and (agency_id, issued_at) indexes",
               measure(runs=args.runs, leader=leader, month=month, commune_code=commune.code))
        if not args.keep_index:
            with connection.cursor() as cursor:
                for name, _table, _columns in INDEXES:
                    cursor.execute(f"DROP INDEX IF EXISTS {name}")


if __name__ == "__main__":
    main()
