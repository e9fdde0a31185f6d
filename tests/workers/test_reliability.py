"""Issuing to fifty agencies with Redis and a real Celery worker process: every intended person
is notified once and one PDF is made; every task sent a second time changes nothing; and with
the broker stopped during the issue, everything arrives once it is back.

Runs in the PostgreSQL pass (the worker shares the test database).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from docflow.audit.models import AuditEvent
from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument, StoredFile
from docflow.notifications.models import Notification
from docflow.notifications.services import notification_preference_set
from docflow.outbox.models import OutboxTask
from docflow.outbox.services import outbox_send, outbox_sweep
from docflow.routing.models import IncomingDocument
from docflow.tenancy.models import Agency
from tests.conftest import api_client_for
from tests.documents.story import Office, approved, sending_office
from tests.factories import AgencyFactory, MembershipFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

AGENCIES = 50


@dataclass
class Issue:
    office: Office
    document: OutgoingDocument
    recipients: list[Agency]
    clerks: set[int]  # the recipients' clerks who should hear of it


def issue_ready(count: int = AGENCIES) -> Issue:
    """An approved document addressed to ``count`` communes, each with a clerk; five have a
    second clerk, one clerk turned this kind off, one clerk has left (inactive)."""
    office = sending_office(name="Ủy ban nhân dân huyện Bắc Yên")
    recipients = [AgencyFactory() for _ in range(count)]
    clerks = {MembershipFactory(agency=a, clerk=True).user_id for a in recipients}
    clerks |= {MembershipFactory(agency=a, clerk=True).user_id for a in recipients[:5]}
    quiet = MembershipFactory(agency=recipients[5], clerk=True)
    notification_preference_set(agency_id=quiet.agency_id, user_id=quiet.user_id,
                                kind="incoming_delivered", in_app=False, email=False)
    MembershipFactory(agency=recipients[6], clerk=True, is_active=False)
    MembershipFactory(agency=recipients[7], staff=True)  # not a clerk: not told
    document = approved(office, recipients=[a.code for a in recipients])
    return Issue(office, document, recipients, clerks)


def issue_through_the_api(issue: Issue) -> float:
    """The clerk presses "Phát hành"; returns how long the request took (seconds)."""
    started = time.monotonic()
    answer = api_client_for(issue.office.clerk).post(f"/api/v1/outgoing/{issue.document.pk}/issue/")
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == "issued"
    return time.monotonic() - started


def settled(*, sweep: bool = False, timeout: float = 120.0) -> None:
    """Wait until no recorded work is left undone (with ``sweep``: beat's sweeper runs too)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sweep:
            outbox_sweep(now=timezone.now() + timedelta(minutes=5))
        if OutboxTask.objects.exists() and not OutboxTask.objects.filter(done_at__isnull=True).exists():
            return
        time.sleep(0.5)
    undone = list(OutboxTask.objects.filter(done_at__isnull=True).values_list("task_name", "send_count"))
    pytest.fail(f"work still undone after {timeout:.0f} s: {undone}")


def notified(kind: str) -> list[int]:
    with cross_agency("system"):
        return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def assert_everyone_told_once_and_one_pdf(issue: Issue) -> None:
    assert notified("incoming_delivered") == sorted(issue.clerks)  # once each, nobody else
    assert notified("outgoing.issued") == [issue.office.staff.user_id]
    with cross_agency("system"):
        document = OutgoingDocument.objects.get(pk=issue.document.pk)
        assert IncomingDocument.objects.filter(source_document_id=document.pk).count() == AGENCIES
        assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert document.pdf_sha256
    assert list(StoredFile.objects.filter(content_type="application/pdf").values_list("sha256", flat=True)) == [
        document.pdf_sha256
    ]


def emails_sent(worker) -> int:
    """Messages the worker's console email backend wrote to its log."""
    return len(re.findall(r"^To: ", worker.log(), flags=re.MULTILINE))


def test_issuing_to_fifty_agencies_tells_each_intended_person_once_and_makes_one_pdf(celery_worker_process):
    issue = issue_ready()
    settled()  # the approval's own notifications
    emails_before = emails_sent(celery_worker_process)
    issue_through_the_api(issue)
    settled()

    assert_everyone_told_once_and_one_pdf(issue)
    # One email per notification that asked for one: the clerks' and the drafter's.
    assert emails_sent(celery_worker_process) - emails_before == len(issue.clerks) + 1
    assert "notify.document_issued" in celery_worker_process.log()


def snapshot(document_id) -> dict:
    with cross_agency("system"):
        return {
            "notifications": sorted(Notification.objects.values_list(
                "id", "kind", "recipient_id", "dedup_key", "read_at", "emailed_at")),
            "copies": sorted(IncomingDocument.objects.values_list("id", "status_code", "updated_at")),
            "pdf": OutgoingDocument.objects.get(pk=document_id).pdf_sha256,
            "files": sorted(StoredFile.objects.values_list("sha256", flat=True)),
            "work": sorted(OutboxTask.objects.values_list("id", "task_name", "kwargs", "dedup_key")),
            "events": AuditEvent.objects.count(),
        }


def test_every_task_sent_a_second_time_changes_nothing(celery_worker_process):
    issue = issue_ready()
    issue_through_the_api(issue)
    settled()
    before, emails_before = snapshot(issue.document.pk), emails_sent(celery_worker_process)

    # Every recorded task is sent again by name with the same kwargs, as a lost
    # acknowledgement or the sweeper would, and the worker runs each of them again.
    rows = list(OutboxTask.objects.values_list("id", flat=True))
    OutboxTask.objects.update(done_at=None)
    assert all(outbox_send(outbox_id=row) for row in rows)
    settled()

    assert snapshot(issue.document.pk) == before
    assert emails_sent(celery_worker_process) == emails_before
    assert OutboxTask.objects.filter(send_count=2).count() == len(rows)


def test_with_the_broker_stopped_during_the_issue_everything_arrives_once_it_is_back(own_broker):
    redis, worker = own_broker
    issue = issue_ready()
    settled()  # the approval's notifications went out while the broker was up
    emails_before = emails_sent(worker)

    redis.stop()
    took = issue_through_the_api(issue)  # the issue itself succeeds, the broker down
    assert took < 10  # one failed send, then the rest is left to the sweeper at once
    work = OutboxTask.objects.filter(done_at__isnull=True)
    # The notifications, and the check of the issued PDF's signatures (once per file content).
    assert set(work.values_list("task_name", flat=True)) == {"notify.document_issued", "signing.verify_file"}
    assert not work.filter(sent_at__isnull=False).exists()
    assert notified("incoming_delivered") == []

    redis.start()  # back, empty: nothing that was sent before is in it
    settled(sweep=True)  # beat's sweeper re-sends what never left; the worker has reconnected

    assert_everyone_told_once_and_one_pdf(issue)
    assert emails_sent(worker) - emails_before == len(issue.clerks) + 1
