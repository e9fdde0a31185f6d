"""Chaos, as a test (issue #19): 30 documents issued to 10 agencies each (8 communes in Docflow,
2 external agencies with webhooks) through the API, while a whole worker (prefork, concurrency 2,
its process group) is SIGKILLed every few seconds and started again, and the broker — a Redis of
this test's own — is stopped once for 20 s. Beat runs as its own process. Within two minutes of
the last fault every copy, PDF, notification, e-mail (to an SMTP server in this process) and
webhook (to a receiver here counting X-Docflow-Id) exists exactly once; the counts are printed.

E-mails and webhooks are at least once with one message id (send, then record; see
``notification_email_send`` and ``exchange.webhooks``): a worker killed between the receiver's
accept and the record sends again under the same Message-ID / X-Docflow-Id, which the receiver
drops. None may be lost, none may arrive twice once de-duplicated by id; the raw repeats are
counted and printed.

Runs in the PostgreSQL pass only (marked ``worker`` and ``postgres``); takes about four minutes.
"""

from __future__ import annotations

import re
import socketserver
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import override_settings

from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument, StoredFile
from docflow.exchange.models import WebhookDelivery
from docflow.notifications.models import Notification
from docflow.notifications.services import notification_message_id
from docflow.outbox.models import OutboxTask
from docflow.routing.models import Delivery, IncomingDocument
from tests.conftest import api_client_for, start_celery_worker
from tests.documents.story import approved, sending_office
from tests.exchange.factories import ExternalAgencyFactory, issued_key
from tests.factories import AgencyFactory, MembershipFactory
from tests.workers.conftest import RedisServer, celery_app_broker

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DOCUMENTS = 30
COMMUNES = 8
EXTERNAL = 2
KILLS = 6
KILL_EVERY = 6.0  # seconds between a worker's restart and the next fault
ISSUE_EVERY = 1.0  # seconds between two documents issued
BROKER_DOWN = 20.0
CONVERGE_WITHIN = 120.0  # seconds after the last fault


class Mailbox(socketserver.ThreadingTCPServer):
    """An SMTP server that takes every message and counts it by its Message-ID."""

    daemon_threads = allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.ids: Counter[str] = Counter()
        self.lock = threading.Lock()

    def received(self, message: bytes) -> None:
        found = re.search(rb"^Message-ID:\s*(<[^>]+>)", message, flags=re.MULTILINE | re.IGNORECASE)
        with self.lock:
            self.ids[found.group(1).decode() if found else "?"] += 1


class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.wfile.write(b"220 localhost ESMTP\r\n")
        lines: list[bytes] | None = None
        while line := self.rfile.readline():
            if lines is not None:  # inside DATA
                if line.rstrip(b"\r\n") == b".":
                    self.server.received(b"".join(lines))
                    lines = None
                    self.wfile.write(b"250 OK queued\r\n")
                else:
                    lines.append(line)
                continue
            verb = line[:4].upper()
            if verb == b"DATA":
                lines = []
                self.wfile.write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # EHLO, MAIL, RCPT, RSET, NOOP
                self.wfile.write(b"250 localhost\r\n")


class Receiver(ThreadingHTTPServer):
    """An external system's webhook: answers 204 and counts each X-Docflow-Id."""

    daemon_threads = True

    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with server.lock:
                    server.ids[self.headers.get("X-Docflow-Id", "?")] += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


def serving(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


def start_beat(*, broker_url: str, directory: Path) -> subprocess.Popen:
    """``celery beat`` as in production: it sends ``outbox.sweep`` every DOCFLOW_OUTBOX_SWEEP_SECONDS."""
    import os

    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{connection.settings_dict['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": broker_url, "CELERY_TASK_ALWAYS_EAGER": "0"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "workers.celery", "beat", "-l", "info",
         "-s", str(directory / "beat-schedule")],
        cwd=Path(__file__).resolve().parents[2], env=env,
        stdout=open(directory / "beat.log", "a"), stderr=subprocess.STDOUT, start_new_session=True,
    )


def test_killed_workers_and_a_stopped_broker_lose_nothing_and_repeat_nothing(tmp_path):
    started = time.monotonic()
    # The stage, made in this process (tasks run eagerly here until the chaos starts).
    office = sending_office(name="Ủy ban nhân dân huyện Mường La")
    communes = [AgencyFactory() for _ in range(COMMUNES)]
    clerks = {MembershipFactory(agency=a, clerk=True).user_id for a in communes}
    receiver, mailbox = serving(Receiver()), serving(Mailbox())
    externals = [ExternalAgencyFactory() for _ in range(EXTERNAL)]
    for agency in externals:
        issued_key(agency=agency, webhook_url=receiver.url)
    codes = [a.code for a in communes + externals]
    documents = [approved(office, recipients=codes, subject=f"Về việc số {n}") for n in range(DOCUMENTS)]
    OutboxTask.objects.all().delete()  # the approvals' work ran eagerly; only the issue's counts

    print(f"\nchaos: the stage took {time.monotonic() - started:.0f} s")
    redis = RedisServer(tmp_path)
    redis.start()
    smtp = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(mailbox.server_address[1]), "EMAIL_USE_TLS": "0"}
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = [start_celery_worker(broker_url=redis.url, log_path=log, pool="prefork", concurrency=2, env=smtp)
               for log in logs]
    beat = start_beat(broker_url=redis.url, directory=tmp_path)
    faults: list[str] = []
    last_fault = [0.0]

    issuing = threading.Event()

    def chaos() -> None:
        """Faults for as long as documents are being issued (and at least KILLS of them)."""
        n = 0
        while n < KILLS or issuing.is_set():
            time.sleep(KILL_EVERY)
            victim = n % 2
            workers[victim].kill()  # the whole worker: main process and pool, no warm shutdown
            faults.append(f"kill {victim}")
            if n == 2:
                redis.stop()
                faults.append("broker down")
                time.sleep(BROKER_DOWN)
                redis.start()  # back empty: what it held is gone
                faults.append("broker up")
            last_fault[0] = time.monotonic()
            workers[victim] = start_celery_worker(broker_url=redis.url, log_path=logs[victim],
                                                  pool="prefork", concurrency=2, env=smtp)
            n += 1

    failed_requests = 0
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False), celery_app_broker(redis.url):
            issuing.set()
            fault_thread = threading.Thread(target=chaos, daemon=True)
            fault_thread.start()
            clerk = api_client_for(office.clerk)
            issue_started = time.monotonic()
            for document in documents:
                answer = clerk.post(f"/api/v1/outgoing/{document.pk}/issue/")
                failed_requests += answer.status_code != 200
                time.sleep(ISSUE_EVERY)
            issuing.clear()
            issue_took = time.monotonic() - issue_started
            fault_thread.join()

            expected_notifications = DOCUMENTS * (len(clerks) + 1)  # each clerk, and the drafter
            expected_webhooks = {str(d) for d in Delivery.objects.cross_agency("system").filter(
                document__in=documents, recipient_agency__in=externals).values_list("id", flat=True)}

            def converged() -> bool:
                with cross_agency("system"):
                    mails = Notification.objects.filter(emailed_at__isnull=False).count()
                return (
                    not OutboxTask.objects.filter(done_at__isnull=True).exists()
                    and mails >= expected_notifications
                    and len(mailbox.ids) >= expected_notifications
                    and set(receiver.ids) >= expected_webhooks
                )

            while not converged() and time.monotonic() < last_fault[0] + CONVERGE_WITHIN:
                time.sleep(1)
            took = time.monotonic() - last_fault[0]
    finally:
        for worker in workers:
            worker.kill()
        beat.kill()
        beat.wait(timeout=20)
        redis.stop()
        receiver.shutdown()
        mailbox.shutdown()

    with cross_agency("system"):
        issued = OutgoingDocument.objects.filter(pk__in=[d.pk for d in documents])
        copies = Counter(IncomingDocument.objects.filter(source_document_id__in=[d.pk for d in documents])
                         .values_list("source_document_id", "agency_id"))
        pdfs = [d.pdf_sha256 for d in issued]
        stored_pdfs = Counter(StoredFile.objects.filter(sha256__in=pdfs).values_list("sha256", flat=True))
        notes = Notification.objects.filter(kind__in=["incoming_delivered", "outgoing.issued"])
        told = Counter(notes.values_list("kind", "recipient_id", "object_id"))
        expected_mails = {notification_message_id(notification_id=n) for n in notes.values_list("id", flat=True)}
        recorded = notes.filter(emailed_at__isnull=False).count()
        pushes_logged = WebhookDelivery.objects.filter(ok=True).count()
    undone = list(OutboxTask.objects.filter(done_at__isnull=True).values_list("task_name", "send_count"))
    rows, resent = OutboxTask.objects.count(), OutboxTask.objects.filter(send_count__gt=1).count()
    mails = Counter(mailbox.ids)
    mails_lost = expected_mails - set(mails)
    mails_unknown = set(mails) - expected_mails  # after de-duplication by id, anything else is a duplicate
    mail_repeats = sum(mails.values()) - len(mails)  # the raw repeats the receiver dropped by Message-ID
    webhook_posts = sum(receiver.ids[i] for i in expected_webhooks)
    print(
        f"\nchaos: faults {faults}; documents issued over {issue_took:.0f} s; "
        f"converged {took:.0f} s after the last fault; requests failed {failed_requests}/{DOCUMENTS}\n"
        f"  issued {sum(d.state == 'issued' for d in issued)}/{DOCUMENTS}; "
        f"copies {sum(copies.values())} (distinct {len(copies)}, expected {DOCUMENTS * COMMUNES}); "
        f"PDFs {len(set(pdfs))} stored {sum(stored_pdfs.values())} (expected {DOCUMENTS})\n"
        f"  notifications {sum(told.values())} (distinct {len(told)}, expected {expected_notifications}); "
        f"e-mails received {sum(mails.values())} in {len(mails)} Message-IDs of {len(expected_mails)} "
        f"(lost {len(mails_lost)}, duplicated after de-duplication {len(mails_unknown)}, "
        f"raw repeats dropped by Message-ID {mail_repeats}); recorded emailed {recorded}\n"
        f"  webhooks received {len(set(receiver.ids) & expected_webhooks)} ids of {len(expected_webhooks)} "
        f"in {webhook_posts} posts (repeats dropped by the receiver: {webhook_posts - len(expected_webhooks)}); "
        f"logged ok {pushes_logged}\n"
        f"  outbox rows {rows}, sent more than once {resent}, undone {len(undone)}"
    )

    assert failed_requests == 0
    assert took <= CONVERGE_WITHIN, f"not converged {CONVERGE_WITHIN:.0f} s after the last fault; undone: {undone}"
    assert undone == []
    assert all(d.state == "issued" for d in issued)
    assert len(copies) == DOCUMENTS * COMMUNES and set(copies.values()) == {1}
    assert len(set(pdfs)) == DOCUMENTS and all(pdfs) and set(stored_pdfs.values()) == {1}
    assert len(told) == expected_notifications and set(told.values()) == {1}
    # E-mails: every notification's Message-ID arrived (0 lost) and, as the receiver drops a repeat
    # by its Message-ID, none arrived twice (a repeat is a worker killed between the SMTP accept
    # and the record, so it carries the same id); each one is recorded as emailed.
    assert len(expected_mails) == expected_notifications
    assert mails_lost == set()
    assert mails_unknown == set(), sorted(mails_unknown)[:5]
    assert recorded == expected_notifications
    # Webhooks: every message reached the receiver under its one id; a repeat (a worker killed
    # between the receiver's answer and the log's commit) is dropped there by that id.
    assert set(receiver.ids) >= expected_webhooks
    assert webhook_posts - len(expected_webhooks) <= len(faults) * 2
