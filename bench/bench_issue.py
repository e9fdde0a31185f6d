"""Benchmark: issuing one document to 1,000 recipient agencies, against a bare multi-row INSERT.

Run from the repository root on PostgreSQL (migrated first):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docflow_bench_outgoing \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docflow_bench_outgoing \\
        .venv/bin/python bench/bench_issue.py [--recipients 1000] [--runs 7]

To issue as the app role, as production does (row-level security checks every row), name it in
``DATABASE_URL`` and the owner in ``DATABASE_OWNER_URL`` (the floor's COPY runs as the owner).

Each run issues one approved document through ``document_issue`` (lock, number, notation, the
official PDF rendered and stored once, 1,000 Delivery rows, 1,000 incoming copies each with
the PDF as its main file, 1,001 audit events, the outbox rows, commit) and,
in the same run, writes the same 1,000 Delivery rows and 1,000 incoming copies with one bare
multi-row INSERT per table and a commit (parameters prepared beforehand: the floor of what the
database needs). Outbox rows go to an in-memory broker, as they would go to Redis, so the
after-commit work (notifications) is not timed. Prints the medians and their ratio.
Not a test: performance is measured here, never asserted in the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# After-commit work goes to a broker instead of running here: what production times too.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "0")

from bench.harness import Phases, Stopwatch, Summary, times  # noqa: E402
from bench.datagen import Dataset, django_setup, postgres_required  # noqa: E402

TAG = "ISSUE"
FLOOR_TABLE = "bench_issue_floor"


def approved_document(data: Dataset, codes: list[str]):
    from docflow.core.scoping import cross_agency

    from docflow.documents.models import OutgoingDocument

    leader, staff = data.member(data.sender, "leader"), data.member(data.sender, "staff")
    with cross_agency("system"):
        return OutgoingDocument.objects.create(
            agency=data.sender, state="approved", doc_type="cong_van", unit=data.unit_of(data.sender),
            subject="Về việc triển khai kế hoạch chuyển đổi số năm 2026 trên địa bàn huyện",
            body="Thực hiện Kế hoạch số 15/KH-UBND ngày 10/01/2026 của UBND tỉnh.\n" * 20,
            drafter=staff.user, signer=leader.user, signed_by=leader.user,
            signer_position="Chủ tịch", recipient_codes=codes,
        )


def copy_rows(data: Dataset, source) -> tuple[list[str], list[tuple]]:
    """The incoming-copy rows document_issue writes for these recipients (every column, every
    value already adapted to the database): the columns and one tuple per copy."""
    from django.db import connection
    from django.utils import timezone

    from docflow.core.scoping import cross_agency
    from docflow.routing import issuing
    from docflow.routing.models import IncomingDocument
    from docflow.routing.texts import copy_texts_store

    source.number, source.notation, source.issued_at = 1, "01/UBND-VP", timezone.now()
    source.agency = data.sender
    fields = list(IncomingDocument._meta.concrete_fields)
    rows = []
    with cross_agency("system"):  # the one shared search text the copies point to
        (text_id,) = copy_texts_store([issuing._incoming_copy(source, data.sender, None, source.issued_at)
                                       .build_search_text()]).values()
    for agency in data.recipients:
        copy = issuing._incoming_copy(source, agency, issuing.uuid7(), source.issued_at)
        copy.search_id = text_id
        copy.created_at = copy.updated_at = source.issued_at
        rows.append(tuple(f.get_db_prep_save(getattr(copy, f.attname), connection) for f in fields))
    return [f.column for f in fields], rows


def floor_table_create() -> None:
    """FLOOR_TABLE: the incoming-copy table's columns with only its primary key."""
    from django.db import connection

    from docflow.core.db.owner import as_owner

    with as_owner(), connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{FLOOR_TABLE}"')
        cursor.execute(f'CREATE TABLE "{FLOOR_TABLE}" (LIKE "routing_incomingdocument" INCLUDING DEFAULTS)')
        cursor.execute(f'ALTER TABLE "{FLOOR_TABLE}" ADD PRIMARY KEY ("id")')


def time_bare_copy(data: Dataset, codes: list[str], table: str) -> float:
    """One COPY of the copies' rows into ``table`` and the commit (rows prepared beforehand), as
    the tables' owner: COPY is refused under row-level security, so with the app role the
    floor is written the way only the owner can."""
    from django.db import connection, transaction

    from docflow.core.db.owner import as_owner

    columns, rows = copy_rows(data, approved_document(data, codes))
    names = ", ".join(f'"{c}"' for c in columns)
    with as_owner():
        if table == FLOOR_TABLE:
            with connection.cursor() as cursor:
                cursor.execute(f'TRUNCATE "{FLOOR_TABLE}"')
        connection.ensure_connection()
        with Stopwatch() as watch, transaction.atomic(), connection.cursor() as cursor, \
                cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    return watch.seconds


def phases_wrapped():
    """The breakdown of one issue: each step of document_issue and what it calls, by name."""
    from django.db import connection
    from django.db.models import QuerySet

    from docflow.audit import services as audit
    from docflow.documents import numbering
    from docflow.routing import copies, issuing

    phases = Phases()
    for owner, attr, label in (
        (issuing, "_locked", "lock document"),
        (issuing, "_recipients_checked", "recipients read and checked"),
        (numbering, "number_take", "numbering (counter locked)"),
        (numbering, "register_for", "numbering (register)"),
        (issuing, "official_pdf_store", "PDF render and store"),
        (issuing, "_files", "files (attachments signed)"),
        (issuing, "_deliver", "deliveries and copies built"),
        (issuing, "incoming_copies_deliver", "copies built (identifier)"),
        (copies, "copy_texts_set", "search text folded and stored"),
        (QuerySet, "bulk_create", "rows written: bulk INSERT"),
        (issuing, "rows_copy", "rows written: COPY (deliveries)"),
        (copies, "rows_copy", "rows written: COPY (copies, attachments)"),
        (audit, "rows_copy", "rows written: COPY (audit events)"),
        (copies, "events_record", "audit: recipients' events built, hashed"),
        (issuing, "events_record", "audit: sender's event"),
        (audit, "_heads_locked", "audit: chain heads locked"),
        (audit, "_heads_move", "audit: chain heads moved"),
        (issuing, "notifications_done", "notifications done"),
        (issuing, "outbox_enqueue_many", "outbox rows"),
        (issuing, "verification_work", "verification work"),
        (connection, "commit", "commit (deferred FKs checked)"),
    ):
        phases.wrap(owner, attr, label)
    return phases


def time_issue(data: Dataset, codes: list[str], phases: Phases | None = None) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from docflow.routing.issuing import document_issue

    document = approved_document(data, codes)
    clerk = data.member(data.sender, "clerk")
    with CaptureQueriesContext(connection) as queries, Stopwatch() as watch:
        document_issue(actor=clerk, document_id=document.pk)
    return watch.seconds, len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also profile one more issue (cProfile) and print its N costliest functions")
    args = parser.parse_args()
    django_setup()
    from django.db import connection

    from docflow.core.db.owner import as_owner

    postgres_required("the floor is PostgreSQL's COPY")
    with connection.cursor() as cursor:  # who issues: the app role (row-level security) or the owner
        cursor.execute("SELECT current_user, (SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = current_user)")
        user, bypasses = cursor.fetchone()
    print(f"issuing as {user}: " + ("no row-level security (owner)" if bypasses else "row-level security applies"))
    Dataset.delete(tag=TAG)
    with Stopwatch() as watch:
        data = Dataset.create(tag=TAG, agencies=args.recipients + 1)
    print(f"data: {args.recipients + 1} agencies with members in {watch.seconds:.2f} s")
    codes = [a.code for a in data.recipients]
    floor_table_create()
    table = "routing_incomingdocument"
    try:
        time_issue(data, codes)  # warm-up: the register and its counter are created here
        time_bare_copy(data, codes, FLOOR_TABLE)
        issue_times, floor_times, table_times, queries = [], [], [], 0
        for _ in range(args.runs):  # interleaved, so drift hits every series alike
            elapsed, queries = time_issue(data, codes)
            issue_times.append(elapsed)
            floor_times.append(time_bare_copy(data, codes, FLOOR_TABLE))
            table_times.append(time_bare_copy(data, codes, table))
        phases = phases_wrapped()
        try:  # one more issue, timed per phase (the wrappers cost a little: not in the medians)
            with Stopwatch() as watch:
                time_issue(data, codes)
        finally:
            phases.unwrap()
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(time_issue, data, codes)
    finally:
        Dataset.delete(tag=TAG)
        with as_owner(), connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{FLOOR_TABLE}"')
    issue, floor, into_table = Summary.of(issue_times), Summary.of(floor_times), Summary.of(table_times)
    n = args.recipients
    print(f"issue to {n} agencies ({queries} queries): {issue.line(scale=1000)}")
    print(f"bare COPY of the same {n} copies' rows, primary key only: {floor.line(scale=1000)}")
    print(f"bare COPY of the same {n} rows into {table} (its indexes, FKs): {into_table.line(scale=1000)}")
    print(f"ratio issue / bare COPY (primary key only): {times(issue.p50, floor.p50)} (target: within 3×)")
    print(f"where one issue's {watch.seconds * 1000:.0f} ms go:")
    phases.table(watch.seconds)
    if args.profile:
        print(f"one more issue under cProfile, its {args.profile} costliest functions (own time):")
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
