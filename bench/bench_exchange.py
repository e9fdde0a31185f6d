"""Benchmark: the exchange API in-process — an external system's POST to 1 and to 50 of our
agencies, and its pull of 1,000 waiting documents page by page.

Run from the repository root on PostgreSQL (migrated first; each run uses a fresh tag):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docflow_bench_exchange \\
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docflow_bench_exchange \\
        .venv/bin/python bench/bench_exchange.py [--runs 30] [--waiting 1000]

A POST carries one small PDF (content-checked and stored by hash) and an Idempotency-Key; the
time is the whole request through Django's test client (key lookup, parsing, validation,
copies, attachment rows, audit events, notifications, commit). After-commit work goes to an
in-memory broker, as it would to Redis. The pull walks ``?since=`` pages of 50.
Prints medians and 95th percentiles. Not a test: never asserted in the suite.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "0")

from bench.harness import Stopwatch, Summary  # noqa: E402
from bench.datagen import Dataset, django_setup  # noqa: E402


def small_pdf() -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    page = Canvas(buffer)
    page.drawString(72, 720, "Cong van thu nghiem lien thong")
    page.save()
    return buffer.getvalue()


def external_agency():
    from docflow.exchange.clients import exchange_client_create
    from docflow.tenancy.models import Agency

    while True:
        code = f"{random.randrange(1000):03d}.{random.randrange(100):02d}.77.G{random.randrange(100):02d}"
        if not Agency.objects.filter(code=code).exists():
            return exchange_client_create(code=code, name="Sở Nội vụ (benchmark)")


def bench_post(api, issued, codes: list[str], runs: int, pdf: str) -> list[float]:
    times = []
    for i in range(runs):
        body = {
            "sender_code": issued.client.external_agency.code, "recipients": codes, "number": i + 1,
            "notation": f"{i + 1:02d}/SNV-VP", "issued_at": "2026-03-05", "doc_type": "cong_van",
            "subject": "Về việc rà soát biên chế năm 2026", "urgency": "urgent",
            "signer": {"full_name": "Cầm Văn Xuân", "position": "Phó Giám đốc"},
            "attachments": [{"name": "cv.pdf", "content_base64": pdf}],
        }
        with Stopwatch() as watch:
            answer = api.post("/api/v1/exchange/documents/", body, content_type="application/json",
                              HTTP_IDEMPOTENCY_KEY=f"bench-{len(codes)}-{i}")
        times.append(watch.seconds)
        assert answer.status_code == 201, answer.content
    return times


def waiting_documents(data: Dataset, external, count: int) -> None:
    """``count`` issued documents of the sender addressed to ``external`` (bulk, arranged)."""
    from django.utils import timezone

    from docflow.documents.models import OutgoingDocument
    from docflow.routing.models import Delivery

    staff = next(m for m in data.memberships if m.agency_id == data.sender.pk and m.is_staff_member)
    now = timezone.now()
    documents = OutgoingDocument.objects.cross_agency("system").bulk_create([
        OutgoingDocument(
            agency=data.sender, state="issued", doc_type="cong_van", subject=f"Về việc số {n}",
            drafter=staff.user, signed_by=staff.user, recipient_codes=[external.code],
            year=now.year, notation=f"{n + 1:02d}/UBND-VP", issued_at=now,
        )
        for n in range(count)
    ], batch_size=1000)
    Delivery.objects.cross_agency("system").bulk_create([
        Delivery(agency=data.sender, document=d, recipient_agency=external,
                 recipient_code=external.code, recipient_name=external.name)
        for d in documents
    ], batch_size=1000)


def bench_pull(api) -> list[float]:
    times, url = [], "/api/v1/exchange/documents/"
    while url:
        with Stopwatch() as watch:
            page = api.get(url).json()
        times.append(watch.seconds)
        url = page["next"]
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--waiting", type=int, default=1000)
    args = parser.parse_args()
    django_setup()
    from django.test import Client
    from django.test.utils import override_settings

    tag = f"X{random.randrange(10, 99)}"
    data = Dataset.create(tag=tag, agencies=51)
    issued = external_agency()
    api = Client(HTTP_AUTHORIZATION=f"Api-Key {issued.key}")
    pdf = base64.b64encode(small_pdf()).decode()
    codes = [a.code for a in data.recipients]
    bench_post(api, issued, codes[:1], 3, pdf)  # warm up
    print(f"POST to 1 agency:    {Summary.of(bench_post(api, issued, codes[:1], args.runs, pdf)).line(scale=1000)}")
    print(f"POST to 50 agencies: {Summary.of(bench_post(api, issued, codes[:50], args.runs, pdf)).line(scale=1000)}")
    waiting_documents(data, issued.client.external_agency, args.waiting)
    with override_settings(DOCFLOW_EXCHANGE_FEED_SETTLE_SECONDS=0):
        pages = bench_pull(api)
    print(f"pull {args.waiting} documents, page of 50: {Summary.of(pages).line(scale=1000)}")


if __name__ == "__main__":
    main()
