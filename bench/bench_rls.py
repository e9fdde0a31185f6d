"""Benchmark: what row-level security and the per-transaction settings cost on a list query.

Run from the repository root on PostgreSQL (migrates, builds the data once, reuses it):

    createdb -h 127.0.0.1 -U postgres docflow_rls_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docflow_rls_bench \\
        .venv/bin/python bench/bench_rls.py          # 300 queries per series

Data: 20 agencies, 200,000 incoming copies, 50,000 of them in one agency. The query is the
incoming work list's first page (``routing.selectors.incoming_list`` for the big agency's staff
member, 50 rows), evaluated inside that agency's scope.

Four series, interleaved query by query, in one warm process:

- bare: the stock Django PostgreSQL backend connected as the owner (a superuser: no RLS is
  applied, no settings are set) — the baseline;
- RLS: Docflow's backend connected as the app role (``docflow_app_bench``, made here), so the
  policies apply; once in autocommit (the settings travel with the statement) and once inside
  ``transaction.atomic()`` (one ``set_config`` statement, then the query); the bare backend
  inside a transaction too, for the same comparison.

It also counts the statements the server ran per transaction for three queries in one scope
(``pg_stat_statements`` is not needed: the backend's own counter of ``set_config`` calls).
Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.datagen import Dataset, agency_code, django_setup, incoming_copies_create, postgres_required  # noqa: E402
from bench.harness import interleaved, series_table  # noqa: E402

ROLE = "docflow_app_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tag", default="RLS1")
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--copies", type=int, default=200_000)
    parser.add_argument("--big", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()

    django_setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    postgres_required("row-level security is PostgreSQL's")
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    big, reader = prepare(args)

    from docflow.core import rls

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        for statement in rls.role_sql(ROLE) + rls.grant_sql(ROLE, owner=owner):
            cursor.execute(statement)
    owner_dict = dict(connection.settings_dict)
    connections.settings["bare"] = {**owner_dict, "ENGINE": "django.db.backends.postgresql"}
    connection.close()
    connection.settings_dict.update({"USER": ROLE, "PASSWORD": ""})

    from django.db import transaction

    from docflow.core.scoping import agency_scope
    from docflow.routing.selectors import incoming_list

    def page(using: str):
        return list(incoming_list(user_id=reader.pk).using(using)[:50])

    def in_transaction(using: str):
        with transaction.atomic(using=using):
            return page(using)

    with agency_scope(big):
        rows_rls, rows_bare = page("default"), page("bare")
        if [r.pk for r in rows_rls] != [r.pk for r in rows_bare] or len(rows_rls) != 50:
            sys.exit("the two backends answered different rows")
        timings = interleaved({
            "bare, autocommit": lambda: page("bare"),
            "RLS, autocommit": lambda: page("default"),
            "bare, transaction": lambda: in_transaction("bare"),
            "RLS, transaction": lambda: in_transaction("default"),
        }, args.queries)
        sets = count_sets(lambda: [page("default") for _ in range(3)])
    print(f"\nincoming list, first page (50 rows) of an agency with {args.big:,} of "
          f"{args.copies:,} copies; {args.queries} queries per series, ms")
    summary = series_table(timings)
    for mode in ("autocommit", "transaction"):
        bare, with_rls = summary[f"bare, {mode}"], summary[f"RLS, {mode}"]
        print(f"{mode}: RLS p50 {with_rls.p50 - bare.p50:+.3f} ms against bare "
              f"({with_rls.p50 / bare.p50:.2f}x)")
    print(f"set_config statements for one transaction of three list queries: {sets}")


def count_sets(work) -> int:
    """How many separate set_config statements the backend sent during ``work`` in one
    transaction (autocommit statements carry theirs inside the statement itself)."""
    from django.db import connection, transaction

    calls = 0
    with transaction.atomic():
        connection.ensure_connection()
        raw = connection.connection
        original = raw.execute

        def counting(query, *args, **kwargs):
            nonlocal calls
            calls += "set_config" in str(query)
            return original(query, *args, **kwargs)

        raw.execute = counting
        try:
            work()
        finally:
            raw.execute = original
    return calls


def prepare(args):
    from docflow.core.scoping import cross_agency
    from docflow.routing.models import IncomingDocument
    from docflow.tenancy.models import Agency, User

    big_code = agency_code(args.tag, 1)
    with cross_agency("system"):
        ready = (Agency.objects.filter(code=big_code).exists()
                 and IncomingDocument.objects.filter(agency__code=big_code).count() == args.big)
    if not ready:
        print(f"building {args.tag}: {args.agencies} agencies, {args.copies:,} copies…", flush=True)
        Dataset.delete(tag=args.tag)
        data = Dataset.create(tag=args.tag, agencies=args.agencies)
        leads = {m.agency_id: m.user_id for m in data.memberships if m.is_staff_member}
        incoming_copies_create(sender=data.sender, agencies=data.recipients, leads=leads,
                               total=args.copies, big_agency=data.recipients[0], big_count=args.big)
    big = Agency.objects.get(code=big_code)
    reader = User.objects.get(username=f"b{args.tag.lower()}_{big.pk}_staff")
    return big, reader


if __name__ == "__main__":
    main()
