"""Every event of the issue reaches the people it concerns, once: a document's whole life from the
drafter's first submit to the recipient's late handling and the sender's recall."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from docflow.core.scoping import cross_agency
from docflow.documents.approval import document_approve, document_return, document_submit
from docflow.notifications.models import Notification
from docflow.outbox.models import OutboxTask
from docflow.outbox.services import outbox_sweep
from docflow.routing import handling
from docflow.routing.deliveries import document_recall_request
from docflow.routing.issuing import document_issue
from docflow.routing.models import IncomingDocument
from docflow.routing.reminders import agency_deadline_remind
from tests.documents.story import draft, sending_office
from tests.routing.conftest import office

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def received(kind: str) -> set[int]:
    with cross_agency("system"):
        return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_each_event_notifies_the_people_it_concerns_once(agency_b, client_for, django_capture_on_commit_callbacks):
    district = sending_office(name="Ủy ban nhân dân huyện Bắc Yên")
    commune = office(agency_b)
    with django_capture_on_commit_callbacks(execute=True):
        document = draft(district, recipients=[commune.agency.code])
        document_submit(actor=district.staff, document_id=document.pk)
        document_return(actor=district.leader, document_id=document.pk, comment="Sửa trích yếu.")
        document_submit(actor=district.staff, document_id=document.pk)
        document_approve(actor=district.leader, document_id=document.pk)
        document_issue(actor=district.clerk, document_id=document.pk)
    with cross_agency("system"):
        copy = IncomingDocument.objects.get(source_document_id=document.pk)
    with django_capture_on_commit_callbacks(execute=True):
        handling.incoming_accept(membership=commune.clerk, incoming_id=copy.id)
        handling.incoming_assign(membership=commune.leader, incoming_id=copy.id,
                                 lead=commune.staff.user.username, due_date=TODAY + timedelta(days=1))
        agency_deadline_remind(agency_id=commune.agency.pk, day=TODAY)
        agency_deadline_remind(agency_id=commune.agency.pk, day=TODAY + timedelta(days=3))
        document_recall_request(actor=district.clerk, document_id=document.pk, reason="Sai thể thức.")

    drafter, leader, clerk = district.staff.user_id, district.leader.user_id, district.clerk.user_id
    assert received("outgoing.to_approve") == {leader}  # waiting for my approval
    assert received("outgoing.returned") == {drafter}  # returned to me
    assert received("outgoing.issued") == {drafter}  # issued
    assert received("incoming_delivered") == {commune.clerk.user_id}  # a new incoming document
    assert received("incoming_assigned") == {commune.staff.user_id}  # assigned to me
    assert received("delivery_status") == {drafter, clerk}  # a recipient's status changed
    assert received("incoming_due_tomorrow") == {commune.staff.user_id}  # due tomorrow
    assert received("incoming_overdue") == {commune.staff.user_id, commune.leader.user_id}  # overdue
    assert received("incoming_recall") == {commune.clerk.user_id}  # recall requested
    with cross_agency("system"):
        rows = list(Notification.objects.values_list("kind", "recipient_id", "object_type", "dedup_key"))
    # Two submits are two events; everything else came once per event and person.
    counts = Counter((kind, user) for kind, user, _, _ in rows)
    assert counts[("outgoing.to_approve", leader)] == 2
    assert {n for n in counts.values()} == {1, 2}
    assert {about for _, _, about, _ in rows} == {"outgoing_document", "incoming_document"}

    # The bell's number, in each person's own agency.
    unread = client_for(commune.staff).get("/api/v1/notifications/unread-count/")
    assert unread.status_code == 200 and unread.json() == {"unread": 3}

    # Every task run a second time (the sweeper re-sending all of them) changes nothing.
    emails, before = len(mail.outbox), sorted(rows)
    OutboxTask.objects.update(done_at=None, sent_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_sweep(now=timezone.now() + timedelta(minutes=5))
    with cross_agency("system"):
        assert sorted(Notification.objects.values_list("kind", "recipient_id", "object_type", "dedup_key")) == before
    assert len(mail.outbox) == emails
    assert not OutboxTask.objects.filter(done_at__isnull=True).exists()
