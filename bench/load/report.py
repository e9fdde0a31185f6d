"""The load test's two readers: the workers' backlog sampled while it runs, and the figures at the end.

    python bench/load/report.py sample --out backlog.csv [--interval 5]   # until killed
    python bench/load/report.py summary --locust-csv PREFIX --backlog backlog.csv --seconds 120

``sample`` writes one line per queue every ``interval`` seconds: the messages waiting in Redis
(``LLEN`` of the queue on the broker's database) and the outbox rows of that queue not done yet,
with the age of the oldest of them (only rows written since sampling began, so work an earlier
run left behind is counted apart, as ``older``). ``summary`` prints requests per second,
p50/p95/p99 and failures per endpoint from Locust's CSV, the backlog over time, and exits 1 on
any failed request or when PDFs or notifications waited more than ``--backlog-limit`` seconds.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

QUEUES = ("default", "delivery", "pdf", "notify")
WATCHED = ("pdf", "notify")  # the queues that must not fall behind
FIELDS = ("t", "load", "queue", "redis", "pending", "oldest_s", "older")


def sample(out: Path, interval: float) -> None:
    from bench.datagen import django_setup

    django_setup()
    import redis
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count, Min, Q
    from django.utils import timezone

    from docflow.outbox.models import OutboxTask

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    started, began = time.monotonic(), timezone.now()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with out.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(FIELDS)
        while not stop:
            now, t, load = timezone.now(), round(time.monotonic() - started), os.getloadavg()[0]
            rows = {r["queue"]: r for r in OutboxTask.objects.filter(done_at__isnull=True).values("queue").annotate(
                pending=Count("id", filter=Q(created_at__gte=began)),
                oldest=Min("created_at", filter=Q(created_at__gte=began)),
                older=Count("id", filter=Q(created_at__lt=began)))}
            for queue in QUEUES:
                row = rows.get(queue, {})
                oldest = row.get("oldest")
                writer.writerow((t, f"{load:.1f}", queue, broker.llen(queue), row.get("pending", 0),
                                 round((now - oldest).total_seconds(), 1) if oldest else 0, row.get("older", 0)))
            f.flush()
            connection.close()
            for _ in range(int(interval * 10)):
                if stop:
                    break
                time.sleep(0.1)


def _num(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


def summary(prefix: str, backlog: Path, seconds: float, backlog_limit: float, cpu: dict[str, float]) -> int:
    with open(f"{prefix}_stats.csv", newline="") as f:
        stats = list(csv.DictReader(f))
    width = max(len(s["Name"]) for s in stats) + 2
    print(f"\n== requests ({seconds:.0f} s measured after the ramp; times in ms)")
    print(f"{'endpoint':<{width}}{'requests':>9}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>8}{'errors':>8}")
    failures = 0
    for s in stats:
        name = "ALL (the mix)" if s["Name"] == "Aggregated" else s["Name"]
        count, failed = int(s["Request Count"]), int(s["Failure Count"])
        if s["Name"] == "Aggregated":
            failures = failed
            print("-" * (width + 54))
        print(f"{name:<{width}}{count:>9}{_num(s['Requests/s']):>8.1f}{_num(s['50%']):>7.0f}{_num(s['95%']):>7.0f}"
              f"{_num(s['99%']):>7.0f}{_num(s['Max Response Time']):>8.0f}{failed:>8}")
    failures_csv = Path(f"{prefix}_failures.csv")
    if failures_csv.exists():
        with failures_csv.open(newline="") as f:
            for row in csv.DictReader(f):
                print(f"  error: {row['Method']} {row['Name']}: {row['Error'][:200]} × {row['Occurrences']}")

    worst: dict[str, float] = {}
    if backlog.exists():
        with backlog.open(newline="") as f:
            samples = list(csv.DictReader(f))
        print("\n== workers' backlog every sample (Redis messages / outbox rows not done / oldest of them, s;"
              " load: the machine's 1-minute load average, 2 cores shared)")
        times = sorted({int(r["t"]) for r in samples})
        by = {(int(r["t"]), r["queue"]): r for r in samples}
        print(f"{'t (s)':>6}{'load':>6}" + "".join(f"{q:>22}" for q in QUEUES))
        for t in times:
            cells = []
            for q in QUEUES:
                r = by.get((t, q))
                cells.append(f"{r['redis']}/{r['pending']}/{_num(r['oldest_s']):.0f}" if r else "-")
                if r:
                    worst[q] = max(worst.get(q, 0.0), _num(r["oldest_s"]))
            load = next((by[(t, q)]["load"] for q in QUEUES if (t, q) in by), "")
            print(f"{t:>6}{load:>6}" + "".join(f"{c:>22}" for c in cells))
        older = {r["queue"]: r["older"] for r in samples if int(r["t"]) == times[-1]} if times else {}
        print("longest wait per queue (s): " + ", ".join(f"{q} {worst.get(q, 0):.0f}" for q in QUEUES)
              + "; rows left from before the run: " + ", ".join(f"{q} {older.get(q, 0)}" for q in QUEUES))
    behind = [q for q in WATCHED if worst.get(q, 0) > backlog_limit]
    aggregated = next(s for s in stats if s["Name"] == "Aggregated")
    rps, p99 = _num(aggregated["Requests/s"]), _num(aggregated["99%"])
    print(f"\nthe mix: {rps:.1f} requests/s, p99 {p99:.0f} ms (target ≥ 150 requests/s, p99 ≤ 300 ms: "
          f"{'met' if rps >= 150 and p99 <= 300 else 'not met'}); errors {failures}; "
          + (f"behind more than {backlog_limit:.0f} s: {', '.join(behind)}" if behind
             else f"PDFs and notifications never behind more than {backlog_limit:.0f} s"))
    served = int(aggregated["Request Count"])
    if cpu and served:
        per = {name: 1000 * value / served for name, value in cpu.items()}
        total = sum(per.values())
        print("CPU per request of the mix (measured window): "
              + ", ".join(f"{name} {ms:.1f} ms" for name, ms in per.items())
              + (f"; {os.cpu_count()} cores to themselves would serve about {os.cpu_count() * 1000 / total:.0f} requests/s"
                 if total else ""))
    return 1 if failures or behind else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    s = commands.add_parser("sample")
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--interval", type=float, default=5.0)
    r = commands.add_parser("summary")
    r.add_argument("--locust-csv", required=True, help="the --csv prefix Locust wrote")
    r.add_argument("--backlog", type=Path, required=True)
    r.add_argument("--seconds", type=float, required=True, help="the measured time (after the ramp)")
    r.add_argument("--backlog-limit", type=float, default=60.0)
    r.add_argument("--cpu", action="append", default=[], metavar="NAME=SECONDS",
                   help="CPU seconds a part of the stack used in the measured window (web, db)")
    args = parser.parse_args()
    if args.command == "sample":
        sample(args.out, args.interval)
    else:
        cpu = {name: float(value) for name, value in (item.split("=", 1) for item in args.cpu)}
        sys.exit(summary(args.locust_csv, args.backlog, args.seconds, args.backlog_limit, cpu))


if __name__ == "__main__":
    main()
