"""Benchmark: issuing one document to 1,000 recipient agencies, against a bare multi-row INSERT.

Run from the repository root on PostgreSQL (migrated first):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docflow_bench_outgoing \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docflow_bench_outgoing \\
        .venv/bin/python bench/bench_issue.py [--recipients 1000] [--runs 7]

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
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# After-commit work goes to a broker instead of running here: what production times too.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "0")

from bench.harness import Stopwatch, Summary, times  # noqa: E402
from bench.datagen import Dataset, django_setup  # noqa: E402

TAG = "ISSUE"


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


def bare_insert_statements(data: Dataset, source) -> list[tuple[str, list]]:
    """The same Delivery and incoming-copy rows document_issue writes, as two INSERT statements
    with every parameter already adapted to the database."""
    from django.db import connection
    from django.utils import timezone

    from docflow.routing import issuing
    from docflow.routing.models import Delivery, IncomingDocument

    source.number, source.notation, source.issued_at = 1, "01/UBND-VP", timezone.now()
    source.agency = data.sender
    deliveries, copies = [], []
    for agency in data.recipients:
        delivery = Delivery(id=issuing.uuid7(), agency_id=data.sender.pk, document_id=source.pk,
                            recipient_agency_id=agency.pk, recipient_code=agency.code,
                            recipient_name=agency.name, created_at=source.issued_at,
                            updated_at=source.issued_at)
        copy = issuing._incoming_copy(source, agency, delivery.id, source.issued_at)
        copy.created_at = copy.updated_at = source.issued_at
        delivery.incoming_id = copy.id
        deliveries.append(delivery)
        copies.append(copy)
    statements = []
    for model, rows in ((Delivery, deliveries), (IncomingDocument, copies)):
        fields = [f for f in model._meta.concrete_fields]
        columns = ", ".join(f'"{f.column}"' for f in fields)
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        params = [f.get_db_prep_save(getattr(row, f.attname), connection) for row in rows for f in fields]
        sql = f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES {", ".join([one] * len(rows))}'
        statements.append((sql, params))
    return statements


def time_issue(data: Dataset, codes: list[str]) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from docflow.routing.issuing import document_issue

    document = approved_document(data, codes)
    clerk = data.member(data.sender, "clerk")
    with CaptureQueriesContext(connection) as queries, Stopwatch() as watch:
        document_issue(actor=clerk, document_id=document.pk)
    return watch.seconds, len(queries.captured_queries)


def time_bare_insert(data: Dataset, codes: list[str]) -> float:
    from django.db import connection, transaction

    source = approved_document(data, codes)
    statements = bare_insert_statements(data, source)
    with Stopwatch() as watch, transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
    return watch.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    django_setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench_issue needs PostgreSQL: set DATABASE_URL=postgres://… (and migrate)")
    Dataset.delete(tag=TAG)
    with Stopwatch() as watch:
        data = Dataset.create(tag=TAG, agencies=args.recipients + 1)
    print(f"data: {args.recipients + 1} agencies with members in {watch.seconds:.2f} s")
    codes = [a.code for a in data.recipients]
    try:
        time_issue(data, codes)  # warm-up: the register and its counter are created here
        time_bare_insert(data, codes)
        issue_times, bare_times, queries = [], [], 0
        for _ in range(args.runs):  # interleaved, so drift hits both sides alike
            elapsed, queries = time_issue(data, codes)
            issue_times.append(elapsed)
            bare_times.append(time_bare_insert(data, codes))
    finally:
        Dataset.delete(tag=TAG)
    issue, bare = Summary.of(issue_times), Summary.of(bare_times)
    print(f"issue to {args.recipients} agencies ({queries} queries): {issue.line(scale=1000)}")
    print(f"bare multi-row INSERT of the same {args.recipients} deliveries + {args.recipients} copies: "
          f"{bare.line(scale=1000)}")
    print(f"ratio issue / bare insert: {times(issue.p50, bare.p50)} (target: within 5×)")


if __name__ == "__main__":
    main()
