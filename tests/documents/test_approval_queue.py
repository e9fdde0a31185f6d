"""The approval queue is filtered in the database and agrees with ``may_approve_step`` — for
leaders, the named signer, unit heads by position, and people of other units — at any length."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docflow.documents.models import OutgoingDocument, OutgoingState
from docflow.documents.selectors import approval_queue, may_approve_step
from docflow.documents.services import approval_chain_set, document_approve, document_create, document_submit
from docflow.core.scoping import agency_scope
from tests.documents.story import sending_office
from tests.factories import MembershipFactory, UnitFactory

pytestmark = pytest.mark.django_db


def python_queue(member) -> set:
    with agency_scope(member.agency_id):
        pending = OutgoingDocument.objects.filter(state=OutgoingState.PENDING_APPROVAL)
        return {
            d.pk for d in pending
            if may_approve_step(member=member, document=d, step=d.approval_chain[d.current_step],
                                last=d.current_step == len(d.approval_chain) - 1)
        }


def db_queue(member) -> set:
    with agency_scope(member.agency_id):
        return set(approval_queue(member=member).values_list("pk", flat=True))


def submitted(office, by, unit="VP", signer=None):
    document = document_create(actor=by, doc_type="thong_bao", subject="Thông báo lịch họp", unit=unit,
                               signer=signer, external_places=["Các thôn"])
    return document_submit(actor=by, document_id=document.pk)


def test_the_database_queue_is_the_rule_for_every_kind_of_approver():
    office = sending_office()
    other_unit = UnitFactory(agency=office.agency, symbol="TCKH", name="Phòng Tài chính")
    admin = MembershipFactory(agency=office.agency, admin=True)
    approval_chain_set(actor=admin, steps=[
        {"label": "Trưởng phòng", "role": "unit_head", "positions": ["Trưởng phòng", "Chánh Văn phòng"]},
        {"label": "Lãnh đạo ký", "role": "leader"},
    ])
    head = MembershipFactory(agency=office.agency, unit=office.unit, position="Chánh văn phòng")
    other_head = MembershipFactory(agency=office.agency, unit=other_unit, position="Trưởng phòng")
    second_leader = MembershipFactory(agency=office.agency, leader=True, position="Phó Chủ tịch")
    at_unit = submitted(office, office.staff)
    named = submitted(office, office.staff, signer=office.leader.user.username)
    unnamed = submitted(office, office.staff)
    for document in (named, unnamed):
        document_approve(actor=head, document_id=document.pk)  # on to the leader's step
    people = [office.leader, second_leader, head, other_head, office.staff, office.clerk]
    for member in people:
        assert db_queue(member) == python_queue(member), member.position
    assert db_queue(head) == {at_unit.pk}
    assert db_queue(office.leader) == {named.pk, unnamed.pk} and db_queue(second_leader) == {unnamed.pk}
    assert db_queue(other_head) == set()


def test_the_queue_goes_past_two_hundred_documents_in_one_query():
    office = sending_office()
    for _ in range(205):
        submitted(office, office.staff)
    with agency_scope(office.agency.pk), CaptureQueriesContext(connection) as ctx:
        queue = list(approval_queue(member=office.leader))
    assert len(queue) == 205 and len(ctx.captured_queries) == 1
