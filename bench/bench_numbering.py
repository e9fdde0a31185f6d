"""Benchmark: 16 concurrent issuers numbering in one register on PostgreSQL, against a bare
counter ``UPDATE … RETURNING`` on a one-row table in the same run.

Run from the repository root on PostgreSQL (migrated first):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docflow_fanout \\
        .venv/bin/python bench/bench_numbering.py [--threads 16] [--seconds 5] [--issue-seconds 10]

Each thread has its own connection. Series, one after the other, each for a fixed time:
- ``bare``: ``UPDATE counter SET n = n + 1 RETURNING n`` on a one-row table, one per transaction;
- ``number_take``: ``documents.numbering.number_take`` of one register and year, one number per
  transaction (the counter row moved on and locked by one UPDATE, as every issue takes it);
- ``document_issue``: whole issues of approved documents (one recipient each) in that register:
  the counter stays locked from the number to the commit (the PDF, the copies, the audit).
For each: numbers per second, and the numbers committed checked against 1..N: gaps and
duplicates (both must be 0). Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "0")

from bench.datagen import Dataset, django_setup, postgres_required  # noqa: E402

TAG = "NUMB"
BARE_TABLE = "bench_numbering_counter"


def run_threads(threads: int, seconds: float, take: Callable[[], int]) -> tuple[float, list[int]]:
    """``threads`` threads calling ``take`` (one committed number each) until ``seconds`` pass;
    numbers per second and every number taken."""
    from django.db import connection

    taken: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)
    stop_at: list[float] = []

    def worker() -> None:
        mine = []
        try:
            start.wait()
            while time.perf_counter() < stop_at[0]:
                mine.append(take())
        finally:
            with lock:
                taken.extend(mine)
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    stop_at.append(time.perf_counter() + seconds)
    started = time.perf_counter()
    start.wait()
    for t in pool:
        t.join()
    return len(taken) / (time.perf_counter() - started), taken


def checked(taken: list[int], first: int) -> tuple[int, int]:
    """(gaps, duplicates) of ``taken`` against first..first+N-1."""
    counts = Counter(taken)
    duplicates = sum(c - 1 for c in counts.values() if c > 1)
    expected = set(range(first, first + len(counts)))
    gaps = len(expected - set(counts))
    return gaps, duplicates


def bare_take() -> int:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{BARE_TABLE}" SET n = n + 1 RETURNING n')
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--issue-seconds", type=float, default=10.0)
    args = parser.parse_args()
    django_setup()
    from django.db import connection, transaction
    from django.utils import timezone
    from docflow.core.scoping import cross_agency

    from docflow.documents.models import OutgoingDocument, RegisterCounter, RegisterDirection
    from docflow.documents.numbering import number_take, register_for
    from docflow.routing.issuing import document_issue

    postgres_required("the contention is PostgreSQL's row locks")
    Dataset.delete(tag=TAG)
    data = Dataset.create(tag=TAG, agencies=2)
    sender, recipient = data.sender, data.recipients[0]
    clerk, leader, staff = (data.member(sender, r) for r in ("clerk", "leader", "staff"))
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{BARE_TABLE}"')
        cursor.execute(f'CREATE TABLE "{BARE_TABLE}" (id int PRIMARY KEY, n bigint NOT NULL)')
        cursor.execute(f'INSERT INTO "{BARE_TABLE}" VALUES (1, 0)')
    year = timezone.localdate().year
    with cross_agency("system"):
        register = register_for(agency=sender, direction=RegisterDirection.OUTGOING, doc_type="cong_van",
                                secrecy="normal")

    def counter_now() -> int:
        with cross_agency("system"):
            return RegisterCounter.objects.filter(register=register, year=year).values_list(
                "last_number", flat=True).first() or 0

    def take_number() -> int:
        with transaction.atomic():
            return number_take(register=register, year=year)

    documents: list = []
    documents_lock = threading.Lock()

    def issue_one() -> int:
        with documents_lock:
            document_id = documents.pop()
        return document_issue(actor=clerk, document_id=document_id).number

    results = []
    try:
        rate, taken = run_threads(args.threads, args.seconds, bare_take)
        results.append(("bare UPDATE … RETURNING", rate, *checked(taken, 1)))
        first = counter_now() + 1
        rate, taken = run_threads(args.threads, args.seconds, take_number)
        results.append(("number_take (one UPDATE … RETURNING)", rate, *checked(taken, first)))
        with cross_agency("system"):  # more approved documents than the issuers can issue in the time
            documents.extend(OutgoingDocument.objects.bulk_create([
                OutgoingDocument(
                    agency=sender, state="approved", doc_type="cong_van", unit=data.unit_of(sender),
                    subject=f"Về việc số {i}", body="Nội dung.", drafter=staff.user, signer=leader.user,
                    signed_by=leader.user, signer_position="Chủ tịch", recipient_codes=[recipient.code],
                ) for i in range(int(args.issue_seconds * 200))
            ]))
        documents[:] = [d.pk for d in documents]
        first = counter_now() + 1
        rate, taken = run_threads(args.threads, args.issue_seconds, issue_one)
        results.append(("document_issue (1 recipient each)", rate, *checked(taken, first)))
    finally:
        Dataset.delete(tag=TAG)
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{BARE_TABLE}"')
    print(f"{args.threads} threads, one register, one connection each")
    print(f"{'series':<38}{'numbers/s':>10}{'gaps':>6}{'dups':>6}")
    for label, rate, gaps, duplicates in results:
        print(f"{label:<38}{rate:>10.1f}{gaps:>6}{duplicates:>6}")
    print(f"number_take / bare: {results[1][1] / results[0][1]:.2f} of the bare rate (target: ≥ 300 numbers/s)")


if __name__ == "__main__":
    main()
