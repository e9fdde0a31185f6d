"""Benchmark: three communes holding 100,000 incoming copies in all merge into a fourth
(``agencies_merge``: the plan, the open copies with their attachments and assignments, drafts,
files, people, registers, aliases and the audit, in one transaction), against a bare
``UPDATE … SET agency_id`` of the same copies in the same run.

Run from the repository root on PostgreSQL (the data generator writes with generate_series):

    DATABASE_URL=postgres://… python bench/bench_merge.py                  # 100,000 copies
    DATABASE_URL=postgres://… python bench/bench_merge.py --copies 20000   # quicker

The baseline runs first inside a transaction that is rolled back, so both move the same rows;
then the dry run (the plan alone) and the merger are timed. The run's rows are removed at the
end. Not a test: performance is measured here, never asserted in the test suite.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.datagen import Dataset, django_setup, incoming_copies_create, postgres_required  # noqa: E402

TAG = "MRG1"


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=100_000)
    args = parser.parse_args()
    django_setup()
    import datetime

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from docflow.restructuring.merging import agencies_merge, merger_plan

    postgres_required("the data generator needs PostgreSQL")
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    Dataset.delete(tag=TAG)
    data = Dataset.create(tag=TAG, agencies=5)
    district, successor, *predecessors = data.agencies
    try:
        leads = {a.pk: data.member(a, "staff").user_id for a in predecessors}
        started = time.perf_counter()
        incoming_copies_create(sender=district, agencies=predecessors, leads=leads, total=args.copies)
        print(f"{args.copies:,} copies in {len(predecessors)} communes, made in {time.perf_counter() - started:.0f} s")
        codes = [a.code for a in predecessors]
        on = datetime.date.today()

        start = time.perf_counter()
        plan = merger_plan(successor_code=successor.code, predecessor_codes=codes, on=on)
        dry = time.perf_counter() - start

        start = time.perf_counter()
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute('UPDATE "routing_incomingdocument" SET "agency_id" = %s WHERE "id" = ANY(%s)',
                               [successor.pk, plan.copies])
                bare_rows = cursor.rowcount
                raise Rollback
        except Rollback:
            pass
        bare = time.perf_counter() - start

        start = time.perf_counter()
        done = agencies_merge(successor_code=successor.code, predecessor_codes=codes, on=on)
        merge = time.perf_counter() - start
    finally:
        Dataset.delete(tag=TAG)
    counts = done.counts()
    print(f"  moved: {counts['copies']:,} open copies (of {args.copies:,}), {counts['members_moved']} people")
    print(f"  dry run (the plan):              {dry:7.2f} s")
    print(f"  merge_agencies (one transaction): {merge:6.2f} s")
    print(f"  bare UPDATE of the same copies:  {bare:7.2f} s   ({bare_rows:,} rows)")
    print(f"  merge / bare: {merge / bare:.1f}×")


if __name__ == "__main__":
    main()
