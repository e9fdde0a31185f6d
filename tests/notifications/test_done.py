"""A notification that asks for work is marked done when the work is done, by that person or
anyone else of the agency: it leaves the bell's number and stays in the list, marked done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from docflow.core.scoping import cross_agency
from docflow.documents.approval import document_approve, document_return, document_submit
from docflow.documents.drafting import document_delete
from docflow.notifications.models import Notification
from docflow.notifications.selectors import unread_count
from docflow.notifications.services import notifications_done
from docflow.routing import handling
from docflow.routing.deliveries import document_recall_request
from docflow.routing.issuing import document_issue
from docflow.routing.models import IncomingDocument
from docflow.routing.issue_notifications import document_issued_notify, document_recall_notify
from docflow.routing.reminders import agency_deadline_remind
from docflow.core.scoping import agency_scope
from tests.documents.story import approved, draft, sending_office
from tests.factories import MembershipFactory
from tests.routing.conftest import office

pytestmark = pytest.mark.django_db


def of_kind(kind: str, **filters) -> list[Notification]:
    with cross_agency("system"):
        return list(Notification.objects.filter(kind=kind, **filters).order_by("recipient_id"))


def undone(kind: str) -> set[int]:
    return {n.recipient_id for n in of_kind(kind) if n.done_at is None}


def bell(member) -> int:
    with agency_scope(member.agency_id):
        return unread_count(user_id=member.user_id)


def test_the_leaders_to_approve_is_done_after_approving():
    district = sending_office()
    document = draft(district)
    document_submit(actor=district.staff, document_id=document.pk)
    assert undone("outgoing.to_approve") == {district.leader.user_id}
    assert bell(district.leader) == 1

    document_approve(actor=district.leader, document_id=document.pk)

    [waiting] = of_kind("outgoing.to_approve")
    assert waiting.done_at is not None and waiting.read_at is None  # done, not read, not deleted
    assert bell(district.leader) == 0


def test_another_leaders_approval_marks_both_leaders_to_approve_done():
    district = sending_office()
    deputy = MembershipFactory(agency=district.agency, leader=True)
    document = draft(district)
    document_submit(actor=district.staff, document_id=document.pk)
    assert undone("outgoing.to_approve") == {district.leader.user_id, deputy.user_id}

    document_approve(actor=deputy, document_id=document.pk)

    assert undone("outgoing.to_approve") == set()
    assert bell(district.leader) == 0 and bell(deputy) == 0


def test_returning_clears_to_approve_and_resubmitting_clears_returned():
    district = sending_office()
    document = draft(district)
    document_submit(actor=district.staff, document_id=document.pk)
    document_return(actor=district.leader, document_id=document.pk, comment="Sửa trích yếu.")
    assert undone("outgoing.to_approve") == set()
    assert undone("outgoing.returned") == {district.staff.user_id}

    document_submit(actor=district.staff, document_id=document.pk)

    assert undone("outgoing.returned") == set()
    assert undone("outgoing.to_approve") == {district.leader.user_id}  # the new submit asks again


def test_ready_to_issue_is_done_for_every_clerk_when_one_issues(agency_b):
    district = sending_office()
    second_clerk = MembershipFactory(agency=district.agency, clerk=True)
    document = approved(district, recipients=[agency_b.code])
    assert undone("outgoing.approved") >= {district.clerk.user_id, second_clerk.user_id}

    document_issue(actor=district.clerk, document_id=document.pk)

    assert undone("outgoing.approved") == set()


def issued_to(commune_office):
    district = sending_office()
    document = approved(district, recipients=[commune_office.agency.code])
    document_issue(actor=district.clerk, document_id=document.pk)
    document_issued_notify(agency_id=district.agency.pk, document_id=document.pk)
    with cross_agency("system"):
        return district, document, IncomingDocument.objects.get(source_document_id=document.pk)


@pytest.mark.parametrize("step", ["accept", "reject"])
def test_new_incoming_is_done_for_every_clerk_when_one_accepts_or_rejects(agency_a, step):
    commune = office(agency_a)
    other_clerk = MembershipFactory(agency=agency_a, clerk=True)
    _district, _document, copy = issued_to(commune)
    assert undone("incoming_delivered") == {commune.clerk.user_id, other_clerk.user_id}

    if step == "accept":
        handling.incoming_accept(membership=other_clerk, incoming_id=copy.id)
    else:
        handling.incoming_reject(membership=other_clerk, incoming_id=copy.id, reason="Gửi nhầm.")

    assert undone("incoming_delivered") == set()
    assert bell(commune.clerk) == 0


def test_assignment_clears_to_assign_and_completion_clears_assigned_and_reminders(agency_a):
    commune = office(agency_a)
    _district, _document, copy = issued_to(commune)
    handling.incoming_accept(membership=commune.clerk, incoming_id=copy.id)
    assert undone("incoming_to_assign") == {commune.leader.user_id}

    handling.incoming_assign(membership=commune.leader, incoming_id=copy.id,
                             lead=commune.staff.user.username, due_date=timezone.localdate())
    assert undone("incoming_to_assign") == set()
    assert undone("incoming_assigned") == {commune.staff.user_id}
    agency_deadline_remind(agency_id=agency_a.pk, day=timezone.localdate() + timedelta(days=2))
    assert undone("incoming_overdue") == {commune.staff.user_id, commune.leader.user_id}

    handling.incoming_complete(membership=commune.staff, incoming_id=copy.id, note="Đã báo cáo.")

    assert undone("incoming_assigned") == set() and undone("incoming_overdue") == set()
    assert bell(commune.staff) == 0


def test_forwarding_clears_the_previous_leads_assigned_only(agency_a):
    commune = office(agency_a)
    _district, _document, copy = issued_to(commune)
    handling.incoming_accept(membership=commune.clerk, incoming_id=copy.id)
    handling.incoming_assign(membership=commune.leader, incoming_id=copy.id,
                             lead=commune.staff.user.username, informed=[commune.staff3.user.username])

    handling.incoming_forward(membership=commune.staff, incoming_id=copy.id, to=commune.staff2.user.username)

    assert undone("incoming_assigned") == {commune.staff2.user_id, commune.staff3.user_id}


@pytest.mark.parametrize("accept", [True, False])
def test_the_recall_request_is_done_when_the_clerk_decides(agency_a, accept):
    commune = office(agency_a)
    district, document, copy = issued_to(commune)
    handling.incoming_accept(membership=commune.clerk, incoming_id=copy.id)
    document_recall_request(actor=district.clerk, document_id=document.pk, reason="Sai thể thức.")
    document_recall_notify(agency_id=district.agency.pk, document_id=document.pk)
    assert undone("incoming_recall") == {commune.clerk.user_id}

    handling.incoming_recall_decide(membership=commune.clerk, incoming_id=copy.id, accept=accept)

    assert undone("incoming_recall") == set()
    # Withdrawn, the copy asks nothing more of anyone; refused, its handling goes on.
    assert undone("incoming_to_assign") == (set() if accept else {commune.leader.user_id})


def test_done_touches_only_the_named_kinds_object_and_agency(agency_a, agency_b):
    district = sending_office()
    first, second = draft(district), draft(district)
    for document in (first, second):
        document_submit(actor=district.staff, document_id=document.pk)
    with agency_scope(district.agency):
        assert notifications_done(agency_id=agency_b.pk, object_type="outgoing_document",
                                  object_id=first.pk, kinds=["outgoing.to_approve"]) == 0
        assert notifications_done(agency_id=district.agency.pk, object_type="outgoing_document",
                                  object_id=first.pk, kinds=["outgoing.returned"]) == 0
        assert notifications_done(agency_id=district.agency.pk, object_type="outgoing_document",
                                  object_id=first.pk, kinds=["outgoing.to_approve"]) == 1
    assert [n.object_id for n in of_kind("outgoing.to_approve", done_at__isnull=True)] == [second.pk]


def test_deleting_a_returned_draft_clears_its_returned_notification():
    district = sending_office()
    document = draft(district)
    document_submit(actor=district.staff, document_id=document.pk)
    document_return(actor=district.leader, document_id=document.pk, comment="Không cần ban hành.")
    assert undone("outgoing.returned") == {district.staff.user_id}

    document_delete(actor=district.staff, document_id=document.pk)

    assert undone("outgoing.returned") == set() and bell(district.staff) == 0
