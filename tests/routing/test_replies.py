"""Replying to an incoming document: a draft to its sender, linked to it; once issued, the
sender's copy knows which of its documents it answers, and completing offers it."""

from __future__ import annotations

import pytest

from docflow.core.errors import InvalidState, NotFound, NotPermitted
from docflow.core.scoping import cross_agency
from docflow.documents.services import document_approve, document_submit
from docflow.routing.handling import incoming_accept, incoming_assign, incoming_complete
from docflow.routing.issuing import document_issue
from docflow.routing.models import IncomingDocument
from docflow.routing.replies import incoming_reply_draft
from tests.factories import MembershipFactory, UnitFactory
from tests.web.conftest import Office

pytestmark = pytest.mark.django_db


def received(office: Office, commune_index: int = 0) -> IncomingDocument:
    sent = office.issued("Về việc báo cáo tình hình thu hoạch lúa")
    commune = office.communes[commune_index]
    with cross_agency("system"):
        copy = IncomingDocument.objects.get(agency=commune, source_document_id=sent.pk)
    return incoming_accept(membership=office.commune_clerks[commune_index], incoming_id=copy.pk)


def test_a_reply_is_a_cong_van_draft_to_the_sender_in_the_drafters_unit():
    office = Office()
    copy = received(office)
    commune = office.communes[0]
    unit = UnitFactory(agency=commune, symbol="VP", name="Văn phòng")
    staff = MembershipFactory(agency=commune, staff=True, unit=unit)
    draft = incoming_reply_draft(actor=staff, incoming_id=copy.pk)
    assert draft.state == "draft" and draft.doc_type == "cong_van" and draft.unit_id == unit.pk
    assert draft.recipient_codes == [office.district.code] and draft.reply_to_incoming_id == copy.pk
    assert draft.subject == "báo cáo tình hình thu hoạch lúa"
    assert copy.notation in draft.body and office.district.name in draft.body


def test_issuing_the_reply_tells_the_senders_copy_what_it_answers_and_completion_can_name_it():
    office = Office()
    copy = received(office)
    commune = office.communes[0]
    unit = UnitFactory(agency=commune, symbol="VP", name="Văn phòng")
    staff = MembershipFactory(agency=commune, staff=True, unit=unit)
    leader = office.commune_leaders[0]
    incoming_assign(membership=leader, incoming_id=copy.pk, lead=staff.user.username)
    draft = incoming_reply_draft(actor=staff, incoming_id=copy.pk)
    document_submit(actor=staff, document_id=draft.pk)
    document_approve(actor=leader, document_id=draft.pk)
    reply = document_issue(actor=office.commune_clerks[0], document_id=draft.pk)
    with cross_agency("system"):
        back = IncomingDocument.objects.get(agency=office.district, source_document_id=reply.pk)
    assert back.response_for_document_id == copy.source_document_id
    assert back.response_for_notation == copy.notation
    done = incoming_complete(membership=staff, incoming_id=copy.pk, note="Đã báo cáo.", reply_outgoing_id=reply.pk)
    assert done.status_code == "06" and done.reply_outgoing_id == reply.pk


def test_an_unregistered_copy_cannot_be_answered_yet():
    office = Office()
    sent = office.issued()
    with cross_agency("system"):
        copy = IncomingDocument.objects.get(agency=office.communes[0], source_document_id=sent.pk)
    staff = MembershipFactory(agency=office.communes[0], staff=True)
    with pytest.raises(InvalidState):
        incoming_reply_draft(actor=staff, incoming_id=copy.pk)


def test_another_agency_cannot_reply_to_our_copy_and_an_admin_only_member_may_not_draft():
    office = Office()
    copy = received(office)
    with pytest.raises(NotFound):
        incoming_reply_draft(actor=office.commune_clerks[1], incoming_id=copy.pk)
    admin = MembershipFactory(agency=office.communes[0], admin=True)
    with pytest.raises(NotPermitted):
        incoming_reply_draft(actor=admin, incoming_id=copy.pk)
