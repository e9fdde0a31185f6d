"""Benchmark: search over 1,000,000 incoming documents, a selective and a common term, through
the search selector and the API, against the bare SQL of the same search in the same run.

Run from the repository root on PostgreSQL (the script migrates, builds the data once with the
shared generator and reuses it on later runs; ``--fresh`` rebuilds it):

    createdb -h 127.0.0.1 -U postgres docflow_bench_search
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docflow_bench_search \\
        .venv/bin/python bench/bench_search.py                    # 200 requests per series

Data: ``--agencies`` agencies (one sender) and ``--copies`` incoming copies with a body each
(``datagen.INCOMING_CONTENTS``), ``--big`` of them in the one agency that searches (all of
them by default: every search runs over the whole million), arrival times over two years.
Each copy's search text is a row of ``routing_copytext`` (one per distinct text: here almost
every copy has its own, the worst case for the join; copies of one issued document share
theirs). The trigram index over the texts is dropped for the bulk load and built afterwards,
as it would be for an import; the tables are ANALYZEd.

Terms, as a clerk types them (no diacritics):
- selective: a file code ``HS-0nnnnn`` found in the bodies of 1 copy in 50,000 (its ``hs``
  trigrams are in every body, so the trigram index reads one posting list of every row: the
  worst case of a rare term; the digits alone read 20 times fewer index pages);
- common: ``ngan sach``, in the subject of 1 copy in 8.

Series, interleaved request by request in one warm process (Django's test Client, in-process):
- ``selector``: ``routing.search.documents_search`` (incoming), the ranked top 20;
- ``API``: ``GET /api/v1/search/?q=…&kind=incoming`` (token auth, scope, selector, JSON);
- ``SQL``: the same ranked query written by hand, through Django's connection;
- ``list API``: ``GET /api/v1/incoming/?q=…`` (the work list's ``q``, newest first, 50 rows);
- ``list SQL``: its bare keyset query;
- ``API floor``: ``GET /api/v1/me/``, what any authenticated request costs before its own work.
Then, for information, the naive ranked SQL (every match ranked, no recency window) a few
times, and EXPLAIN ANALYZE of the selector's query with a check that the trigram index is used.
Not a test: performance is measured here, never asserted in the test suite.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import Summary, elapsed_ms, interleaved, series_table  # noqa: E402
from bench.datagen import (  # noqa: E402
    postgres_required,
    CONTENT_CODES,
    INCOMING_CONTENTS,
    Dataset,
    agency_code,
    django_setup,
    incoming_copies_create,
)

TABLE = "routing_incomingdocument"
TEXTS = "routing_copytext"  # the copies' search texts, one row per distinct text
INDEX = "copytext_search_trgm"
COMMON = "ngan sach"
LIMIT = 20
# The selector's ranked query, by hand: the 200 newest matches, ranked by word similarity to
# the head of their text.
SQL = f"""
    SELECT d.id, d.notation, d.subject, d.sender_name, d.signer_name, d.content, d.delivered_at,
           d.status_code, word_similarity(%(query)s, left(dt.text, 200)) AS rank
    FROM {TABLE} d JOIN {TEXTS} dt ON dt.id = d.search_id
    WHERE d.agency_id = %(agency)s AND d.id IN (
        SELECT w.id FROM {TABLE} w JOIN {TEXTS} wt ON wt.id = w.search_id
        WHERE w.agency_id = %(agency)s AND {{like}}
        ORDER BY w.delivered_at DESC, w.id DESC LIMIT 200)
    ORDER BY rank DESC, d.delivered_at DESC, d.id DESC
    LIMIT {LIMIT}
"""
NAIVE_SQL = f"""
    SELECT d.id, d.subject, word_similarity(%(query)s, left(dt.text, 200)) AS rank
    FROM {TABLE} d JOIN {TEXTS} dt ON dt.id = d.search_id WHERE d.agency_id = %(agency)s AND {{like}}
    ORDER BY rank DESC, d.delivered_at DESC, d.id DESC LIMIT {LIMIT}
"""
LIST_SQL = f"""
    SELECT d.id, d.status_code, d.sender_code, d.sender_name, d.number, d.notation, d.issued_on,
           d.doc_type, d.subject, d.urgency, d.secrecy, d.delivered_at, d.incoming_year,
           d.incoming_number, d.received_at, d.due_date, d.completed_at,
           u.username, u.full_name, u.first_name, u.last_name
    FROM {TABLE} d JOIN {TEXTS} dt ON dt.id = d.search_id LEFT JOIN tenancy_user u ON u.id = d.lead_id
    WHERE d.agency_id = %(agency)s AND d.status_code <> '15' AND {{like}}
    ORDER BY d.delivered_at DESC, d.id DESC LIMIT 51
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tag", default="SRCH1", help="data set tag (datagen)")
    parser.add_argument("--agencies", type=int, default=10)
    parser.add_argument("--copies", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=None, help="copies in the searching agency (default: all)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per series")
    parser.add_argument("--naive", type=int, default=10, help="runs of the naive ranked SQL per term")
    parser.add_argument("--fresh", action="store_true", help="rebuild the data set")
    args = parser.parse_args()
    args.big = args.copies if args.big is None else args.big

    django_setup()
    from django.conf import settings
    from django.core.management import call_command

    postgres_required("this benchmark is about PostgreSQL plans")
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    big, reader = prepare_data(args)

    from django.test import Client

    from docflow.api.tokens import token_issue

    from docflow.core.search import search_terms
    from docflow.routing.search import documents_search
    from docflow.core.scoping import agency_scope

    client = Client(HTTP_AUTHORIZATION=f"Token {token_issue(user=reader, device='bench')[1]}")
    terms = {"selective": f"HS-{(777 * 7919) % CONTENT_CODES:06d}", "common": COMMON}
    series, naive = {}, {}
    for kind, term in terms.items():
        words = search_terms(term)
        params = {"agency": big.pk, "query": " ".join(words)}
        params.update({f"w{i}": f"%{w}%" for i, w in enumerate(words)})
        like = " AND ".join(f"{{alias}}.text LIKE %(w{i})s" for i in range(len(words)))
        ranked = SQL.format(like=like.format(alias="wt"))
        listed = LIST_SQL.format(like=like.format(alias="dt"))
        naive[kind] = (NAIVE_SQL.format(like=like.format(alias="dt")), params)

        def selector(term=term):
            with agency_scope(big):
                return documents_search(q=term, kinds=["incoming"], limit=LIMIT)

        series[f"{kind} selector"] = selector
        series[f"{kind} API"] = lambda term=term: client.get(
            "/api/v1/search/", {"q": term, "kind": "incoming", "limit": LIMIT})
        series[f"{kind} SQL"] = lambda sql=ranked, p=params: run_sql(sql, p)
        series[f"{kind} list API"] = lambda term=term: client.get("/api/v1/incoming/", {"q": term})
        series[f"{kind} list SQL"] = lambda sql=listed, p=params: run_sql(sql, p)
        check_same_rows(kind, term, series, client)

    # The fixed cost of any authenticated API request here (token, membership, scope, JSON).
    series["API floor (GET /me/)"] = lambda: client.get("/api/v1/me/")
    matches = count_matches(big, terms)
    timings = interleaved(series, args.requests)
    naive_timings = {kind: [elapsed_ms(lambda s=sql, p=p: run_sql(s, p)) for _ in range(args.naive)]
                     for kind, (sql, p) in naive.items()}
    report(timings, naive_timings, matches, args)
    worst_cases(client)
    explain(big, terms)


def worst_cases(client) -> None:
    """Words the trigram index cannot narrow, once each through the list API: ``zq`` has no
    trigram (checked row by row down the recency index); ``5/u`` has only trigrams found in
    nearly every row (every notation ends in /UBND-VP)."""
    print("\nweak words through GET /api/v1/incoming/?q=… (one call each, ms)")
    for term in ("d", "zq", "5/u"):
        started = time.perf_counter_ns()
        response = client.get("/api/v1/incoming/", {"q": term})
        elapsed = (time.perf_counter_ns() - started) / 1e6
        print(f"  {term!r:<8}{elapsed:>10.1f}   {len(response.json()['results'])} rows")


def prepare_data(args):
    """The data set of ``args.tag``: reused when complete, else (re)built with datagen."""
    from django.db import connection
    from docflow.core.scoping import cross_agency

    from docflow.core.search_index import trigram_index_sql
    from docflow.routing.models import IncomingDocument
    from docflow.tenancy.models import Agency, User

    big_code = agency_code(args.tag, 1)
    ready = False
    if not args.fresh and Agency.objects.filter(code=big_code).exists():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE} d JOIN tenancy_agency a ON a.id = d.agency_id "
                           "WHERE a.code = %s", [big_code])
            ready = cursor.fetchone()[0] == args.big
    if not ready:
        started = time.perf_counter()
        print(f"building the data set {args.tag}: {args.agencies} agencies, {args.copies:,} copies "
              f"with bodies ({args.big:,} in the searching agency)…", flush=True)
        Dataset.delete(tag=args.tag)
        data = Dataset.create(tag=args.tag, agencies=args.agencies)
        leads = {m.agency_id: m.user_id for m in data.memberships if m.is_staff_member}
        with connection.cursor() as cursor:
            cursor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')  # built once after the load
        incoming_copies_create(
            sender=data.sender, agencies=data.recipients, leads=leads, total=args.copies,
            big_agency=data.recipients[0], big_count=args.big, contents=INCOMING_CONTENTS,
            progress=lambda done, total: print(
                f"  {done:,}/{total:,} copies, {time.perf_counter() - started:.0f} s", flush=True),
        )
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute(trigram_index_sql(table=TEXTS, name=INDEX, column="text"))
            cursor.execute(f'ANALYZE "{TABLE}"')
            cursor.execute(f'ANALYZE "{TEXTS}"')
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
        with cross_agency("system"):
            sample = IncomingDocument.objects.filter(agency=data.recipients[0]).first()
        if sample.search_text != sample.build_search_text():
            sys.exit("datagen's search text differs from IncomingDocument.build_search_text()")
    big = Agency.objects.get(code=big_code)
    return big, User.objects.get(username=f"b{args.tag.lower()}_{big.pk}_staff")


def run_sql(sql: str, params: dict) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def check_same_rows(kind: str, term: str, series: dict, client) -> None:
    """The selector, the API and the bare SQL find the same documents in the same order."""
    by_selector = [str(hit.id) for hit in series[f"{kind} selector"]()]
    by_api = [r["id"] for r in series[f"{kind} API"]().json()["results"]]
    by_sql = [str(row[0]) for row in series[f"{kind} SQL"]()]
    listed = [r["id"] for r in series[f"{kind} list API"]().json()["results"]]
    list_sql = [str(row[0]) for row in series[f"{kind} list SQL"]()][:50]
    if not (by_selector == by_api == by_sql) or listed != list_sql or not by_sql:
        sys.exit(f"{kind} ({term!r}): the selector, the API and the bare SQL disagree, or found nothing")


def count_matches(big, terms: dict) -> dict[str, int]:
    from docflow.core.search import search_filter
    from docflow.routing.models import IncomingDocument
    from docflow.core.scoping import agency_scope

    with agency_scope(big):
        total = IncomingDocument.objects.count()
        return {"total": total, **{k: search_filter(IncomingDocument.objects.all(), t).count()
                                   for k, t in terms.items()}}


def report(timings: dict, naive: dict, matches: dict, args) -> None:
    print(f"\nthe searching agency has {matches['total']:,} copies; matches: selective "
          f"{matches['selective']:,}, common {matches['common']:,}")
    print(f"{args.requests} calls per series, times in ms")
    stats = {name: (s.p50, s.p99) for name, s in series_table(timings, width=24).items()}
    for kind, values in naive.items():
        print(f"{kind + ' naive SQL':<24}{Summary.of(values).p50:>9.2f}{max(values):>9.2f}"
              f"   ({len(values)} runs, max for p99: every match ranked, no window)")
    print("\nratios (p50, p99)")
    for kind in ("selective", "common"):
        for label, a, b in (("selector / SQL", "selector", "SQL"), ("API / SQL", "API", "SQL"),
                            ("list API / list SQL", "list API", "list SQL")):
            sa, sb = stats[f"{kind} {a}"], stats[f"{kind} {b}"]
            print(f"  {kind + ' ' + label:<34}{sa[0] / sb[0]:>7.2f}{sa[1] / sb[1]:>7.2f}")


def explain(big, terms: dict) -> None:
    """EXPLAIN ANALYZE of the selector's own queries: ranked search and the list's ``q``."""
    from docflow.core.search import search_ranked
    from docflow.routing.models import IncomingDocument
    from docflow.routing.search import INCOMING_FIELDS
    from docflow.routing.selectors import incoming_list
    from docflow.tenancy.models import User
    from docflow.core.scoping import agency_scope

    print("\nplans (EXPLAIN ANALYZE, BUFFERS)")
    user = User.objects.filter(memberships__agency=big).first()
    with agency_scope(big):
        for kind, term in terms.items():
            queries = {
                "ranked search": search_ranked(IncomingDocument.objects.only(*INCOMING_FIELDS), term,
                                               recency=("-delivered_at", "-id"), limit=LIMIT),
                "list q": incoming_list(user_id=user.pk, q=term)[:51],
            }
            for label, qs in queries.items():
                plan = qs.explain(analyze=True, buffers=True)
                print(f"- {kind} ({term!r}), {label}: trigram index "
                      f"{'USED' if INDEX in plan else 'not used'}")
                for line in plan.splitlines():
                    if any(k in line for k in ("Scan", "Index Cond", "Recheck", "Sort Key", "Execution Time",
                                               "Rows Removed", "Limit")):
                        print(f"    {line.strip()}")


if __name__ == "__main__":
    main()
