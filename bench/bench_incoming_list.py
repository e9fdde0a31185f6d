"""Benchmark: the incoming work list API on 1,000,000 copies, first page against page 500.

Run from the repository root on PostgreSQL (the script migrates, then builds the data once
with the shared generator and reuses it on later runs; ``--reuse`` takes the data set as it is,
without migrating or counting it again; ``--fresh`` rebuilds it):

    createdb -h 127.0.0.1 -U postgres docflow_bench_incoming
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docflow_bench_incoming \\
        .venv/bin/python bench/bench_incoming_list.py --reuse      # 200 requests per series

Data: 1,000 agencies (one sender, 999 recipients with a clerk, a leader and a staff member
each) and 1,000,000 incoming copies, 100,000 of them in one agency, arrival times spread over
two years. The big agency's staff member reads ``GET /api/v1/incoming/`` (50 rows a page).

Eight series, interleaved request by request, timed in one warm process with Django's test
Client (in-process: the whole middleware stack, no network):

- API: the real endpoint (token auth, membership, scope, selector, keyset pagination, rows),
  first page and page 500 (reached by following ``next`` links);
- SQL: the bare keyset query for the same rows through Django's connection;
- view: a minimal Django view that runs that SQL and returns the same JSON (checked equal);
- per-request work alone: what every authenticated API request pays before its own work
  (DRF's authentication with our hashed token, permission and throttle checks, the caller's
  membership and the agency scope), by calling an API view that does nothing else directly,
  without the middleware; and ``GET /api/v1/me/`` through the whole stack.

It prints p50, p95 and p99 per series, the queries each API request makes, and the ratios the
targets are about (a deep page as fast as the first; API p99 within 2x of the minimal view and
under 12 ms), then EXPLAIN of the API's own query for the
big agency and a small one, first and deep, and the plans PostgreSQL would use as *generic*
plans of prepared statements (what psycopg's server-side prepare would get after 5 runs) for
the deep page and for a search.
Not a test: performance is measured here, never asserted in the test suite.
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import sys
import time
import types
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import interleaved, series_table  # noqa: E402
from bench.datagen import (  # noqa: E402
    postgres_required,
    Dataset,
    agency_code,
    django_setup,
    incoming_copies_create,
    tag_code_parts,
)

# The bare query a person would write for the same rows: keyset on a row comparison, which
# PostgreSQL turns into an index condition on (agency_id, delivered_at DESC, id DESC).
SQL = """
    SELECT d.id, d.status_code, d.sender_code, d.sender_name, d.number, d.notation, d.issued_on,
           d.doc_type, d.subject, d.urgency, d.secrecy, d.delivered_at, d.incoming_year,
           d.incoming_number, d.received_at, d.due_date, d.completed_at,
           u.username, u.full_name, u.first_name, u.last_name
    FROM routing_incomingdocument d LEFT JOIN tenancy_user u ON u.id = d.lead_id
    WHERE d.agency_id = %s AND d.status_code <> '15' {keyset}
    ORDER BY d.delivered_at DESC, d.id DESC
    LIMIT 51
"""
KEYSET = "AND (d.delivered_at, d.id) < (%s, %s)"
PAGES: dict[str, dict] = {}  # "first" / "deep" → {"sql", "params"} for the SQL and view series


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tag", default="INC1", help="data set tag (datagen)")
    parser.add_argument("--agencies", type=int, default=1000)
    parser.add_argument("--copies", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=100_000, help="copies in the one big agency")
    parser.add_argument("--depth", type=int, default=500, help="the deep page's number")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per series")
    parser.add_argument("--fresh", action="store_true", help="rebuild the data set")
    parser.add_argument("--collector-defaults", action="store_true",
                        help="Python's garbage collector as it starts (no freeze, threshold 700), not as "
                             "docflow/wsgi.py sets it: the comparison for docflow.core.runtime.process_ready")
    parser.add_argument("--no-prepare", action="store_true",
                        help="prepare no statement (as DATABASE_URL's ?prepare=off): the comparison for "
                             "the token's prepared lookup (docflow.core.db.prepared_cursor)")
    parser.add_argument("--reuse", action="store_true",
                        help="take the data set already built, without migrating or counting it")
    args = parser.parse_args()
    if args.fresh and args.reuse:
        parser.error("--fresh and --reuse contradict each other")

    django_setup()
    from django.conf import settings
    from django.core.management import call_command

    postgres_required("this benchmark is about PostgreSQL plans")
    settings.DEBUG = False
    if not args.reuse:
        call_command("migrate", verbosity=0)
    data = prepare_data(args)
    install_urls()
    from django.db import connection

    connection.prepare_enabled = not args.no_prepare
    print(f"prepared statements: {'off' if args.no_prepare else 'on'}")
    if not args.collector_defaults:  # what a web process does once loaded (docflow/wsgi.py)
        from docflow.core.runtime import process_ready

        frozen = process_ready()
        print(f"process ready: {frozen:,} objects frozen out of the garbage collector, thresholds {gc.get_threshold()}")

    from django.test import Client, RequestFactory

    from docflow.api.tokens import token_issue

    big, small, reader = data["big"], data["small"], data["reader"]
    key = token_issue(user=reader, device="bench")[1]
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    per_request = per_request_work(RequestFactory(), key)
    first_url = "/api/v1/incoming/"
    deep_url = follow(client, first_url, args.depth - 1)
    for name, url in (("first", first_url), ("deep", deep_url)):
        cursor_values = decode_cursor(url)
        keyset = KEYSET if cursor_values else ""
        PAGES[name] = {"sql": SQL.format(keyset=keyset), "params": [big.pk, *cursor_values]}
        check_same_json(client, url, name)

    series = {
        "API first page": lambda: client.get(first_url),
        f"API page {args.depth}": lambda: client.get(deep_url),
        "SQL first page": lambda: run_sql("first"),
        f"SQL page {args.depth}": lambda: run_sql("deep"),
        "view first page": lambda: client.get("/bench/minimal/first/"),
        f"view page {args.depth}": lambda: client.get("/bench/minimal/deep/"),
        "per-request work": per_request,
        "API /me/": lambda: client.get("/api/v1/me/"),
    }
    queries = queries_per_request({name: series[name] for name in (
        "API first page", f"API page {args.depth}", "per-request work", "API /me/")})
    with collector_pauses() as pauses:
        timings = interleaved(series, args.requests)
    report(timings, args)
    print("\ngarbage collector during the timed series, per generation: "
          + ", ".join(f"gen{g} {n} collections {ms:.1f} ms (longest {top:.1f})" for g, (n, ms, top) in pauses.items()))
    print("\nqueries per request")
    for name, count in queries.items():
        print(f"  {name:<40}{count:>6}")
    explain_plans(big=big, small=small, reader=reader, depth=args.depth)


@contextmanager
def collector_pauses():
    """Collections of each generation while the block runs: their count, total and longest ms."""
    pauses = {g: [0, 0.0, 0.0] for g in range(3)}
    started = [0]

    def callback(phase, info):
        if phase == "start":
            started[0] = time.perf_counter_ns()
            return
        ms = (time.perf_counter_ns() - started[0]) / 1e6
        entry = pauses[info["generation"]]
        entry[0], entry[1], entry[2] = entry[0] + 1, entry[1] + ms, max(entry[2], ms)

    gc.callbacks.append(callback)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(callback)


def prepare_data(args) -> dict:
    """The data set of ``args.tag``: reused when complete, else (re)built with datagen."""
    from django.db import connection

    from docflow.api.models import ApiToken
    from docflow.routing.models import IncomingDocument
    from docflow.tenancy.models import Agency, User
    from docflow.core.scoping import cross_agency

    big_code = agency_code(args.tag, 1)
    ready = args.reuse
    if args.reuse and not Agency.objects.filter(code=big_code).exists():
        sys.exit(f"--reuse: no data set {args.tag} here; run once without it to build one")
    if not ready and not args.fresh and Agency.objects.filter(code=big_code).exists():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), count(*) FILTER (WHERE a.code = %s) FROM routing_incomingdocument d "
                "JOIN tenancy_agency a ON a.id = d.agency_id WHERE a.code LIKE %s",
                [big_code, "%.{}.{}%".format(*tag_code_parts(args.tag))])
            ready = cursor.fetchone() == (args.copies, args.big)
    if not ready:
        started = time.perf_counter()
        print(f"building the data set {args.tag}: {args.agencies} agencies, "
              f"{args.copies:,} copies ({args.big:,} in one agency)…", flush=True)
        ApiToken.objects.filter(user__username__startswith=f"b{args.tag.lower()}_").delete()
        Dataset.delete(tag=args.tag)
        data = Dataset.create(tag=args.tag, agencies=args.agencies)
        leads = {m.agency_id: m.user_id for m in data.memberships if m.is_staff_member}
        incoming_copies_create(
            sender=data.sender, agencies=data.recipients, leads=leads, total=args.copies,
            big_agency=data.recipients[0], big_count=args.big,
            progress=lambda done, total: print(
                f"  {done:,}/{total:,} copies, {time.perf_counter() - started:.0f} s", flush=True),
        )
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
        with cross_agency("system"):
            sample = IncomingDocument.objects.filter(agency=data.recipients[0]).first()
        if sample.search_text != sample.build_search_text():
            sys.exit("datagen's search text differs from IncomingDocument.build_search_text()")
    big = Agency.objects.get(code=big_code)
    small = Agency.objects.get(code=agency_code(args.tag, 2))
    reader = User.objects.get(username=f"b{args.tag.lower()}_{big.pk}_staff")
    return {"big": big, "small": small, "reader": reader}


def install_urls() -> None:
    """The API, plus the minimal view, on one URL configuration (same middleware for both)."""
    from django.conf import settings
    from django.urls import clear_url_caches, include, path

    module = types.ModuleType("bench_incoming_urls")
    module.urlpatterns = [
        path("api/", include("docflow.api.urls")),
        path("bench/minimal/<str:page>/", minimal_view),
    ]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()


def per_request_work(factory, key: str):
    """A call of an API view that does nothing but what every authenticated request does before
    its own work: DRF's authentication (our hashed token), permission and throttle checks, the
    caller's membership and the agency scope (``AgencyScopedMixin``). No middleware, no URL
    resolution: the view is called directly, and its empty answer is rendered."""
    from rest_framework.response import Response

    from docflow.api.base import ScopedAPIView

    class Nothing(ScopedAPIView):
        def get(self, request):
            return Response({"agency": request.agency.code})

    view = Nothing.as_view()

    def call():
        response = view(factory.get("/api/v1/nothing/", HTTP_AUTHORIZATION=f"Token {key}"))
        response.render()
        return response

    return call


def queries_per_request(series: dict) -> dict[str, int]:
    """How many SQL queries one call of each series makes (warm: after a first call)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, call in series.items():
        call()
        with CaptureQueriesContext(connection) as captured:
            call()
        counts[name] = len(captured)
    return counts


def minimal_view(request, page: str):
    """The floor: run the page's SQL and return the API's JSON, with nothing else."""
    from django.http import JsonResponse

    rows = run_sql(page)
    results = [row_json(row) for row in rows[:50]]
    base = request.build_absolute_uri(request.path)
    last = rows[49] if len(rows) > 50 else None
    next_link = f"{base}?cursor={encode_cursor(last[11], last[0])}" if last else None
    previous = f"{base}?cursor={encode_cursor(rows[0][11], rows[0][0], 'p')}" if page == "deep" else None
    return JsonResponse({"next": next_link, "previous": previous, "results": results})


def run_sql(page: str) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(PAGES[page]["sql"], PAGES[page]["params"])
        return cursor.fetchall()


STATUS_NAMES = {"01": "delivered", "02": "rejected", "03": "accepted", "04": "assigned",
                "05": "in_progress", "06": "completed", "13": "recall_requested",
                "15": "recall_accepted", "16": "recall_refused"}


def row_json(row: tuple) -> dict:
    from django.utils import timezone

    (id_, status, sender_code, sender_name, number, notation, issued_on, doc_type, subject,
     urgency, secrecy, delivered_at, year, incoming_number, received_at, due_date, completed_at,
     username, full_name, first_name, last_name) = row

    def dt(value):
        return timezone.localtime(value).isoformat() if value else None

    lead = None
    if username is not None:
        name = full_name or f"{first_name} {last_name}".strip() or username
        lead = {"username": username, "full_name": name}
    return {
        "id": str(id_), "status_code": status, "status": STATUS_NAMES[status],
        "sender_code": sender_code, "sender_name": sender_name, "number": number,
        "notation": notation, "issued_on": issued_on.isoformat() if issued_on else None,
        "doc_type": doc_type, "subject": subject, "urgency": urgency, "secrecy": secrecy,
        "delivered_at": dt(delivered_at), "incoming_year": year,
        "incoming_number": incoming_number, "received_at": dt(received_at),
        "due_date": due_date.isoformat() if due_date else None,
        "is_overdue": bool(due_date and status in ("04", "05") and due_date < timezone.localdate()),
        "completed_at": dt(completed_at), "lead": lead,
    }


def encode_cursor(delivered_at, id_, direction: str = "n") -> str:
    raw = json.dumps({"d": direction, "v": [{"dt": delivered_at.isoformat()}, {"u": str(id_)}]},
                     separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(url: str) -> list:
    from urllib.parse import parse_qs, urlsplit

    from docflow.api.pagination import _decode_value

    raw = parse_qs(urlsplit(url).query).get("cursor")
    if not raw:
        return []
    return [_decode_value(v) for v in json.loads(base64.urlsafe_b64decode(raw[0]))["v"]]


def follow(client, url: str, pages: int) -> str:
    """The URL of the page ``pages`` pages after ``url``, following ``next`` links."""
    for _ in range(pages):
        url = client.get(url).json()["next"]
        if url is None:
            sys.exit("not enough rows for that depth")
    return url.replace("http://testserver", "")


def check_same_json(client, url: str, page: str) -> None:
    api = client.get(url).json()["results"]
    minimal = client.get(f"/bench/minimal/{page}/").json()["results"]
    if api != minimal:
        sys.exit(f"the minimal view's JSON differs from the API's on the {page} page")


def report(timings: dict[str, list[float]], args) -> None:
    print(f"\n{args.requests} requests per series, times in ms")
    stats = {name: (s.p50, s.p99) for name, s in series_table(timings, width=22).items()}
    d = args.depth
    print("\nratios")
    for label, a, b in (
        (f"API page {d} / first page, p50", f"API page {d}", "API first page"),
        (f"API page {d} / first page, p99", f"API page {d}", "API first page"),
        (f"SQL page {d} / first page, p50", f"SQL page {d}", "SQL first page"),
        ("API / minimal view, first page, p99", "API first page", "view first page"),
        (f"API / minimal view, page {d}, p99", f"API page {d}", f"view page {d}"),
        ("API / bare SQL, first page, p50", "API first page", "SQL first page"),
        ("per-request work / minimal view, p50", "per-request work", "view first page"),
    ):
        i = 0 if label.endswith("p50") else 1
        print(f"  {label:<40}{stats[a][i] / stats[b][i]:>6.2f}")


def explain_plans(*, big, small, reader, depth: int) -> None:
    """EXPLAIN ANALYZE of the API's own query (the selector's, paginated as the API does)."""
    from docflow.api.pagination import keyset_filter
    from docflow.routing.selectors import LIST_ORDERING, incoming_list
    from docflow.tenancy.models import Membership
    from docflow.core.scoping import agency_scope

    print("\nplans of the API's query (EXPLAIN ANALYZE, BUFFERS)")
    for agency in (big, small):
        member_user = reader if agency == big else Membership.objects.with_scope(agency=agency).filter(
            is_staff_member=True).first().user
        with agency_scope(agency):
            rows = incoming_list(user_id=member_user.pk)
            total = rows.count()
            pages = min(depth, max(1, total // 50))
            last = list(rows[(pages - 1) * 50 - 1:(pages - 1) * 50]) if pages > 1 else []
            for label, qs in (
                ("first page", rows),
                (f"page {pages}", rows.filter(keyset_filter(
                    LIST_ORDERING, [last[0].delivered_at, last[0].id], reverse=False)) if last else rows),
            ):
                plan = qs[:51].explain(analyze=True, buffers=True)
                print(f"- agency with {total:,} copies, {label}:")
                for line in plan.splitlines():
                    if any(k in line for k in ("Limit", "Scan", "Index Cond", "Sort", "Buffers",
                                               "Execution Time", "Rows Removed")):
                        print(f"    {line.strip()}")
            if agency == big:
                term = rows.values_list("notation", flat=True).first()
                generic_plan({
                    f"page {pages}": qs[:51],
                    f"search q={term!r}, first page": incoming_list(user_id=member_user.pk, q=term)[:51],
                })


def generic_plan(queries: dict) -> None:
    """Each query's plan as a prepared statement, custom against generic, for the big agency.

    Django's cursors bind on the client, so the list is never prepared server-side and every
    execution is planned with its own values (a custom plan); only what runs through
    ``docflow.core.db.prepared_cursor`` is prepared (the token's lookup, whose plan no value
    changes). Were the list prepared, PostgreSQL would switch after 5 executions to a generic
    plan built for an *average* agency when it looks no costlier; this shows what that plan
    would be. The keyset page keeps its index either way; a search (``q``) is where a plan for
    the average agency goes wrong in the big one (seconds instead of a millisecond, measured
    here), which is why lists stay unprepared (tests/routing/test_selectors.py).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        print(f"- connection: Django's cursor {type(cursor.cursor).__name__} (client-side binding)")
        for label, qs in queries.items():
            sql, params = qs.query.sql_with_params()
            parts = sql.split("%s")
            numbered = "".join(f"{part}${i + 1}" if i < len(params) else part for i, part in enumerate(parts))
            literals = ", ".join(cursor.mogrify("%s", [p]) for p in params)
            cursor.execute("DEALLOCATE ALL")
            cursor.execute(f"PREPARE bench_q AS {numbered}")
            for mode in ("force_custom_plan", "force_generic_plan"):
                cursor.execute(f"SET plan_cache_mode = {mode}")
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_q({literals})")
                lines = [r[0].strip() for r in cursor.fetchall()]
                keep = [ln for ln in lines if any(k in ln for k in ("Scan", "Index Cond", "Sort", "Execution Time"))]
                print(f"- big agency, {label} as a prepared statement, {mode}:")
                for line in keep:
                    print(f"    {line}")
            cursor.execute("RESET plan_cache_mode")
            cursor.execute("DEALLOCATE bench_q")


if __name__ == "__main__":
    main()
