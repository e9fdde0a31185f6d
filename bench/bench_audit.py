"""Benchmark: the cost of the audit hash chain — events/s written through ``event_record``
(lock the agency's head, hash, insert, move the head) against a bare INSERT of the same rows
in the same run; the same for a fan-out of one event to each of 20 agencies; and events/s
checked by ``audit_verify``.

Run from the repository root (embedded SQLite unless DATABASE_URL is set):

    python bench/bench_audit.py               # 2,000 events, fan-outs of 20 agencies × 200
    python bench/bench_audit.py --events 500  # quicker

Each event is its own transaction, as a service writes it. Not a test: performance is
measured here, never asserted in the test suite.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

from bench.datagen import agencies_create, agency_code, django_setup  # noqa: E402

TAG = "AU"


def _agencies(count: int) -> list:
    from docflow.tenancy.models import Agency

    existing = list(Agency.objects.filter(code__in=[agency_code(TAG, i) for i in range(count)]).order_by("code"))
    return existing if len(existing) == count else agencies_create(tag=TAG, count=count, start=len(existing)) + existing


def _timed(label: str, count: int, run) -> float:
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    print(f"{label:<48} {count:>7} in {seconds:6.2f} s  {count / seconds:9.0f} events/s")
    return count / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--fanouts", type=int, default=200)
    parser.add_argument("--width", type=int, default=20)
    args = parser.parse_args()
    django_setup()

    from django.db import connection, transaction
    from django.db.models import Max

    from docflow.audit.models import AuditEvent
    from docflow.audit.selectors import chain_verify
    from docflow.audit.services import EventSpec, event_record, events_record
    from docflow.core.ids import uuid7

    agencies = _agencies(args.width + 1)
    chained, bare = agencies[0], agencies[1:]
    events = AuditEvent.objects.cross_agency("system")
    print(f"database: {connection.vendor}")

    def one_chained():
        for i in range(args.events):
            with transaction.atomic():
                event_record(agency_id=chained.pk, action="bench.chained", object_type="bench", object_id=uuid7(),
                             state_before="a", state_after="b", data={"i": i})

    def bare_rows(agency_ids: list[int], n: int):
        base = {a: (events.filter(agency_id=a).aggregate(m=Max("sequence"))["m"] or 0) + 1_000_000 for a in agency_ids}
        for i in range(n):
            with transaction.atomic():
                events.bulk_create([AuditEvent(
                    agency_id=a, action="bench.bare", object_type="bench", object_id=uuid7(), state_before="a",
                    state_after="b", data={"i": i}, sequence=base[a] + i, prev_hash="0" * 64, hash="0" * 64,
                ) for a in agency_ids])

    def fan_out():
        for i in range(args.fanouts):
            with transaction.atomic():
                events_record(events=[EventSpec(agency_id=a.pk, action="bench.fanout", object_type="bench",
                                                object_id=uuid7(), data={"i": i}) for a in bare])

    with_chain = _timed("event_record (chain, one event per transaction)", args.events, one_chained)
    without = _timed("bare INSERT (one row per transaction)", args.events, lambda: bare_rows([bare[0].pk], args.events))
    print(f"{'':<48} chain costs {without / with_chain:4.2f}× the bare INSERT")
    width = len(bare)
    fan_chain = _timed(f"events_record fan-out ({width} agencies per call)", args.fanouts * width, fan_out)
    fan_bare = _timed(f"bare INSERT fan-out ({width} rows per call)", args.fanouts * width,
                      lambda: bare_rows([a.pk for a in bare[1:]] + [bare[0].pk], args.fanouts))
    print(f"{'':<48} chain costs {fan_bare / fan_chain:4.2f}× the bare INSERT")
    total = events.filter(agency_id=chained.pk).count()
    _timed("audit_verify (read and re-hash one chain)", total, lambda: chain_verify(agency_ids=[chained.pk]))


if __name__ == "__main__":
    main()
