"""Clerks issuing at the same moment into one register: no duplicate, no gap (PostgreSQL).

Eight threads, each with its own database connection, issue fifty documents each. The numbers
that come out are exactly 1..N, also when one issue in ten fails after it took its number.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument, RegisterCounter
from docflow.routing import issuing
from docflow.routing.issuing import document_issue
from docflow.routing.models import Delivery, IncomingDocument
from tests.documents.story import sending_office
from tests.factories import AgencyFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS, PER_THREAD = 8, 50


@pytest.fixture(autouse=True)
def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.fail("row locks across connections need PostgreSQL: run scripts/test.sh postgres")


@pytest.fixture(autouse=True)
def _outbox_rows_stay_unsent(monkeypatch):
    """The work recorded for after commit (PDF, notifications) is other tests' subject; run
    eagerly here it would only make the threads queue on the PDF renderer's lock."""
    from docflow.outbox import services as outbox

    monkeypatch.setattr(outbox, "outbox_send", lambda *, outbox_id: False)


def approved_documents(office, count: int, recipient_codes: list[str]) -> list[OutgoingDocument]:
    """Approved documents arranged in bulk: the story up to approval is tested elsewhere."""
    with cross_agency("system"):
        return OutgoingDocument.objects.bulk_create([
            OutgoingDocument(
                agency=office.agency, state="approved", doc_type="quyet_dinh", unit=office.unit,
                subject=f"Quyết định số thứ tự {i}", drafter=office.staff.user,
                signer=office.leader.user, signed_by=office.leader.user,
                recipient_codes=recipient_codes,
            )
            for i in range(count)
        ])


def issue_in_threads(office, documents) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def clerk_at_work(batch):
        try:
            barrier.wait()
            for document in batch:
                try:
                    document_issue(actor=office.clerk, document_id=document.pk)
                except RuntimeError as exc:
                    errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=clerk_at_work, args=(documents[i::THREADS],)) for i in range(THREADS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "an issuing thread hung"
    return errors


def numbers_issued(office) -> list[int]:
    with cross_agency("system"):
        return sorted(
            OutgoingDocument.objects.filter(agency=office.agency, state="issued")
            .values_list("number", flat=True)
        )


def test_eight_clerks_issuing_400_documents_get_exactly_1_to_400():
    office = sending_office()
    communes = [AgencyFactory().code for _ in range(3)]
    documents = approved_documents(office, THREADS * PER_THREAD, communes)
    errors = issue_in_threads(office, documents)
    assert errors == []
    assert numbers_issued(office) == list(range(1, THREADS * PER_THREAD + 1))
    with cross_agency("system"):
        assert RegisterCounter.objects.get(agency=office.agency).last_number == THREADS * PER_THREAD
        assert Delivery.objects.filter(agency=office.agency).count() == 3 * THREADS * PER_THREAD
        notations = set(OutgoingDocument.objects.filter(agency=office.agency).values_list("notation", flat=True))
    assert len(notations) == THREADS * PER_THREAD


def test_one_issue_in_ten_failing_after_taking_its_number_leaves_no_gap(monkeypatch):
    office = sending_office()
    communes = [AgencyFactory().code for _ in range(2)]
    documents = approved_documents(office, THREADS * PER_THREAD, communes)
    failing = {d.pk for d in documents[::10]}
    real_events_record = issuing.events_record

    def events_record_failing_for_some(*, events):
        # Runs after number_take, inside the issue's transaction: the number is already taken.
        if events[0].object_id in failing:
            raise RuntimeError("the audit log refused the write")
        return real_events_record(events=events)

    monkeypatch.setattr(issuing, "events_record", events_record_failing_for_some)
    errors = issue_in_threads(office, documents)
    assert len(errors) == len(failing) == THREADS * PER_THREAD // 10
    issued_count = THREADS * PER_THREAD - len(failing)
    assert numbers_issued(office) == list(range(1, issued_count + 1))
    with cross_agency("system"):
        assert RegisterCounter.objects.get(agency=office.agency).last_number == issued_count
        left = OutgoingDocument.objects.filter(pk__in=failing)
        assert set(left.values_list("state", flat=True)) == {"approved"}
        assert set(left.values_list("number", flat=True)) == {None}
        assert not IncomingDocument.objects.filter(source_document_id__in=failing).exists()
