"""Revocation, update and replacement from an external sender, through the axis: the same
inbound path as the exchange API, never a second new document; our recall answer goes back."""

from __future__ import annotations

from datetime import date

import pytest

from docflow.audit.models import AuditEvent
from docflow.core.scoping import agency_scope, cross_agency
from docflow.exchange.axis.models import AxisMessage, State
from docflow.exchange.axis.services import axis_poll
from docflow.exchange.edxml_status import status_package_parse
from docflow.exchange.edxml_tables import BUSINESS_REPLACEMENT, BUSINESS_REVOCATION, BUSINESS_UPDATE
from docflow.routing.handling import incoming_recall_decide
from docflow.routing.models import IncomingDocument, Status
from docflow.tenancy.models import AgencyAlias
from tests.documents.story import sending_office
from tests.exchange.axis.conftest import vendor_package
from tests.signing.pki import pki_make

pytestmark = pytest.mark.django_db(transaction=True)


def received(axis, office, sender, **package) -> None:
    """The sender's system puts a package on the axis for our office; we poll."""
    axis.deliver(vendor_package(sender=sender, to_codes=[office.agency.code], **package),
                 sender_code=sender.code, to_codes=[office.agency.code])
    axis_poll()


def copies(office) -> list[IncomingDocument]:
    with agency_scope(office.agency):
        return list(IncomingDocument.objects.order_by("delivered_at", "id"))


def logged() -> list[tuple[str, str]]:
    with cross_agency("system"):
        return list(AxisMessage.objects.filter(direction="in").order_by("created_at").values_list("business", "state"))


def test_a_revocation_from_the_axis_reaches_the_clerk_as_a_recall_and_the_answer_goes_back(
        axis, province_department, tmp_path, settings):
    office = sending_office()
    pki_make(tmp_path, settings).keys_for(office)
    received(axis, office, province_department)
    [copy] = copies(office)
    identifier = copy.exchange_document_id
    assert identifier == f"{province_department.code},2026/03/05,45/STC-NS"

    revocation = {"type": BUSINESS_REVOCATION, "document_id": identifier, "reason": "Ban hành nhầm phụ lục"}
    received(axis, office, province_department, business=revocation)
    [copy] = copies(office)  # no second document: the one we hold goes to 13
    assert (copy.status_code, copy.status_before_recall, copy.recall_reason) == (
        Status.RECALL_REQUESTED, Status.DELIVERED, "Ban hành nhầm phụ lục")
    received(axis, office, province_department, business=revocation)  # the same request again
    assert [c.status_code for c in copies(office)] == [Status.RECALL_REQUESTED]
    assert logged() == [("new", State.RECEIVED), ("revocation", State.APPLIED), ("revocation", State.DUPLICATE)]
    assert all(p.status == "done" for p in axis.waiting)

    incoming_recall_decide(membership=office.clerk, incoming_id=copy.id, accept=True, reason="Đồng ý thu hồi")
    [answer] = axis.sent_of("status")
    assert answer.to_codes == [province_department.code]
    status = status_package_parse(answer.content)
    assert (status["status_code"], status["document_id"]) == ("15", identifier)
    assert status["sender_code"] == office.agency.code
    assert status["staff_info"]["Staff"] == office.clerk.user.get_full_name()
    assert status["signature"] == "valid"  # signed with our agency's key


def test_a_refused_recall_goes_back_as_16_and_the_copy_resumes(axis, province_department):
    office = sending_office()
    received(axis, office, province_department)
    [copy] = copies(office)
    received(axis, office, province_department,
             business={"type": BUSINESS_REVOCATION, "document_id": copy.exchange_document_id})
    incoming_recall_decide(membership=office.clerk, incoming_id=copy.id, accept=False, reason="Đã xử lý xong")
    [answer] = axis.sent_of("status")
    assert status_package_parse(answer.content)["status_code"] == "16"
    assert copies(office)[0].status_code == Status.DELIVERED


def test_a_revocation_of_a_document_we_do_not_hold_is_refused_to_the_axis(axis, province_department):
    office = sending_office()
    received(axis, office, province_department, business={
        "type": BUSINESS_REVOCATION, "document_id": f"{province_department.code},2026/01/02,9/STC-NS"})
    assert copies(office) == [] and [p.status for p in axis.waiting] == ["fail"]
    with cross_agency("system"):
        [message] = AxisMessage.objects.filter(direction="in")
    assert message.state == State.FAILED and "Bussiness/DocumentId" in message.last_error


def test_a_replacement_from_the_axis_is_a_new_copy_marking_the_copy_it_replaces(axis, province_department):
    office = sending_office()
    received(axis, office, province_department)
    [old] = copies(office)
    received(axis, office, province_department, number=47, notation="47/STC-NS",
             business={"type": BUSINESS_REPLACEMENT, "concerns": [old.exchange_document_id],
                       "organs": [office.agency.code], "reason": "Thay thế văn bản 45"})
    old_now, new = copies(office)
    assert old_now.id == old.id and (new.notation, new.replaces_notation) == ("47/STC-NS", "45/STC-NS")
    with cross_agency("system"):
        [event] = AuditEvent.objects.filter(action="incoming.replaced")
    assert (event.object_id, event.data["by_incoming_id"]) == (old.id, str(new.id))
    assert logged() == [("new", State.RECEIVED), ("replacement", State.RECEIVED)]


def test_an_update_from_the_axis_under_the_same_identifier_is_not_a_duplicate(axis, province_department):
    office = sending_office()
    received(axis, office, province_department)
    [old] = copies(office)
    update = {"type": BUSINESS_UPDATE, "concerns": [old.exchange_document_id], "reason": "Cập nhật phụ lục"}
    received(axis, office, province_department, business=update)
    received(axis, office, province_department, business=update)  # the same update twice: once
    old_now, new = copies(office)
    assert old_now.id == old.id and new.exchange_document_id == old.exchange_document_id
    with cross_agency("system"):
        [event] = AuditEvent.objects.filter(action="incoming.updated")
    assert (event.object_id, event.data["by_incoming_id"]) == (old.id, str(new.id))
    assert logged() == [("new", State.RECEIVED), ("update", State.RECEIVED), ("update", State.DUPLICATE)]


def test_a_package_to_a_merged_agencys_old_code_reaches_its_successor_once(axis, province_department):
    office = sending_office()
    with cross_agency("system"):
        AgencyAlias.objects.create(code="000.00.77.H52", agency=office.agency, since=date(2026, 1, 1))
    axis.deliver(vendor_package(sender=province_department, to_codes=["000.00.77.H52", "000.00.99.H99"]),
                 sender_code=province_department.code, to_codes=["000.00.77.H52"])
    assert axis_poll().received == 1
    [copy] = copies(office)
    assert copy.notation == "45/STC-NS" and logged() == [("new", State.RECEIVED)]
