"""The web side's CPU per request of the load test's reads, endpoint by endpoint, in one process.

    DOCFLOW_ENV=production DATABASE_URL=postgres://…/docflow_load SECRET_KEY=… ALLOWED_HOSTS=127.0.0.1 \\
        python bench/load/cpu_profile.py --seed /tmp/docflow-load/seed.json [--requests 200] [--top 25]

Runs over the database ``scripts/loadtest.sh`` seeded, through Django's WSGI handler (every
middleware, as gunicorn calls it) without a socket: signs in a few members of each role, then
asks each read of the mix ``--requests`` times and prints the process CPU per request, the
queries per request and, with ``--top``, the functions that cost the most (cProfile, cumulative).
Reads only, so the database is as the load test left it.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import io
import json
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.datagen import django_setup  # noqa: E402

# As the load test's clients (Locust asks for gzip) behind the TLS proxy.
PROXY = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "127.0.0.1", "HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
READS = (
    ("clerk", "incoming?list=to_accept", "/api/v1/incoming/?list=to_accept"),
    ("clerk", "incoming", "/api/v1/incoming/"),
    ("clerk", "incoming/{id}", None),
    ("clerk", "outgoing?state=approved", "/api/v1/outgoing/?state=approved"),
    ("clerk", "notifications/unread-count", "/api/v1/notifications/unread-count/"),
    ("leader", "outgoing?state=pending_approval", "/api/v1/outgoing/?state=pending_approval"),
    ("leader", "incoming?list=to_approve", "/api/v1/incoming/?list=to_approve"),
    ("leader", "incoming?list=overdue", "/api/v1/incoming/?list=overdue"),
    ("leader", "statistics", "/api/v1/statistics/"),
    ("staff", "incoming?list=to_handle", "/api/v1/incoming/?list=to_handle&mine=1"),
    ("staff", "incoming?q=", "/api/v1/incoming/?q=ngan+sach"),
    ("staff", "outgoing", "/api/v1/outgoing/"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", required=True, help="the JSON bench/load/seed.py wrote")
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint")
    parser.add_argument("--members", type=int, default=5, help="members of each role signed in")
    parser.add_argument("--top", type=int, default=0, help="print this many functions per endpoint")
    parser.add_argument("--only", default="", help="profile only endpoints whose name contains this")
    parser.add_argument("--identity", action="store_true", help="ask for no compression")
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative or tottime")
    args = parser.parse_args()
    django_setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import RequestFactory

    if args.identity:
        PROXY["HTTP_ACCEPT_ENCODING"] = "identity"
    seed = json.loads(Path(args.seed).read_text(encoding="utf-8"))
    handler, factory = WSGIHandler(), RequestFactory()
    from docflow.core.runtime import process_ready

    process_ready()  # as docflow/wsgi.py does once the handler is made

    def call(method: str, path: str, token: str | None = None, body: dict | None = None) -> tuple[int, bytes]:
        extra = dict(PROXY)
        if token:
            extra["HTTP_AUTHORIZATION"] = f"Token {token}"
        if method == "POST":
            request = factory.post(path, data=json.dumps(body or {}), content_type="application/json", **extra)
        else:
            request = factory.get(path, **extra)
        status: list[str] = []
        chunks = handler(request.environ, lambda s, headers, exc_info=None: status.append(s))
        content = b"".join(chunks)
        getattr(chunks, "close", lambda: None)()
        if content[:2] == b"\x1f\x8b":
            content = gzip.decompress(content)
        return int(status[0].split()[0]), content

    tokens: dict[str, list[str]] = {}
    for role in ("clerk", "leader", "staff"):
        for agency in seed["agencies"][: args.members]:
            code, content = call("POST", "/api/v1/auth/token/",
                                 body={"username": agency[role], "password": seed["password"]})
            assert code == 200, (code, content[:200])
            tokens.setdefault(role, []).append(json.loads(content)["token"])
    copies = []
    for token in tokens["clerk"]:
        code, content = call("GET", "/api/v1/incoming/", token)
        copies.append([row["id"] for row in json.loads(content)["results"]][:5])

    print(f"{'endpoint':40} {'CPU ms/request':>15} {'queries':>8} {'status':>7}")
    total_cpu = total_n = 0.0
    for role, name, path in READS:
        if args.only and args.only not in name:
            continue

        def one(i: int) -> tuple[int, bytes]:
            token = tokens[role][i % len(tokens[role])]
            if path is None:
                ids = copies[i % len(copies)]
                return call("GET", f"/api/v1/incoming/{ids[i % len(ids)]}/", token)
            return call("GET", path, token)

        for i in range(10):  # warm: imports, the first connection, caches that fill once
            one(i)
        queries: list[str] = []
        with connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)):
            one(0)
        profiler = cProfile.Profile(time.process_time) if args.top else None  # CPU, not waits
        started = time.process_time()
        if profiler:
            profiler.enable()
        codes = set()
        for i in range(args.requests):
            codes.add(one(i)[0])
        if profiler:
            profiler.disable()
        cpu = (time.process_time() - started) * 1000 / args.requests
        total_cpu += cpu
        total_n += 1
        print(f"{name:40} {cpu:15.2f} {len(queries):8d} {','.join(map(str, sorted(codes))):>7}")
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(out.getvalue())
    print(f"{'mean of the endpoints':40} {total_cpu / max(total_n, 1):15.2f}")


if __name__ == "__main__":
    main()
