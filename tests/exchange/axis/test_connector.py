"""The connector against the stand-in axis: documents and statuses out, packages in, each once;
an axis that fails or is down delays the exchange and never loses it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from docflow.core.scoping import agency_scope, cross_agency
from docflow.exchange.axis import packages
from docflow.exchange.axis.models import AxisMessage, State
from docflow.exchange.axis.services import axis_carries, axis_document_send, axis_poll
from docflow.exchange.edxml import edxml_envelope, edxml_package
from docflow.exchange.edxml_status import status_package_parse, status_package_render
from docflow.outbox.models import OutboxTask
from docflow.outbox.services import outbox_sweep
from docflow.routing.deliveries import document_recall_request
from docflow.routing.handling import incoming_accept
from docflow.routing.models import Delivery, IncomingDocument, StatusReport
from tests.documents.story import sending_office
from tests.exchange.axis.conftest import vendor_package
from tests.exchange.factories import issued_key
from tests.exchange.test_outbound import issue_to
from tests.signing.pki import pki_make

pytestmark = pytest.mark.django_db(transaction=True)


def messages(**filters) -> list[AxisMessage]:
    with cross_agency("system"):
        return list(AxisMessage.objects.filter(**filters).order_by("created_at"))


def test_a_document_issued_to_an_agency_on_the_axis_reaches_it_once_though_the_axis_fails_twice(
        axis, province_department, tmp_path, settings):
    office = sending_office()
    pki_make(tmp_path, settings).keys_for(office)  # the package goes signed with the agency's key
    axis.fail_next = 2
    document = issue_to(office, province_department.code, attachments=["phu-luc.pdf"])

    [sent] = axis.sent_of("edoc")
    assert (sent.sender_code, sent.to_codes) == (office.agency.code, [province_department.code])
    assert b"<edXML " in sent.content.split(b"\n", 2)[1][:20] + b" "  # the axis form's root
    parsed = edxml_package(sent.content)
    assert parsed.signature.state == "valid" and parsed.document_id == packages.outgoing_identifier(document)
    envelope, files = edxml_envelope(sent.content)
    assert envelope["notation"] == document.notation and envelope["recipients"] == [province_department.code]
    assert [name for name, _type, _data in files][1:] == ["phu-luc.pdf"] and files[0][1] == "application/pdf"
    [message] = messages(direction="out", kind="edoc")
    assert (message.state, message.attempts, message.remote_id, message.last_error) == ("sent", 3, sent.id, "")
    assert message.document_identifier == packages.outgoing_identifier(document)
    assert message.document_identifier.startswith(f"{office.agency.code},") and message.agency_id == office.agency.pk
    # Sent again (a re-driven outbox row, a second worker): the axis still has it once.
    assert axis_document_send(agency_id=office.agency.pk, document_id=document.pk,
                              external_agency_id=province_department.pk) is True
    assert len(axis.sent_of("edoc")) == 1 and len(messages(direction="out")) == 1


def test_an_axis_that_is_down_delays_the_document_and_never_loses_it(axis, province_department, settings):
    axis.stop()
    office = sending_office()
    issue_to(office, province_department.code)  # issuing does not wait on the axis, nor fail with it
    [message] = messages(direction="out")
    # Every try the task's retries allow (workers/base.py), then it waits for the sweeper.
    assert message.state == State.PENDING and message.attempts == settings.DOCFLOW_TASK_MAX_RETRIES + 1
    assert message.last_error
    with cross_agency("system"):
        row = OutboxTask.objects.get(task_name="exchange.document_push")
    assert row.done_at is None  # the outbox still owes the send

    axis.start()
    assert outbox_sweep(now=timezone.now() + timedelta(hours=1)) >= 1
    [sent] = axis.sent_of("edoc")
    [message] = messages(direction="out")
    assert message.state == State.SENT and message.remote_id == sent.id
    assert message.attempts == settings.DOCFLOW_TASK_MAX_RETRIES + 2
    with cross_agency("system"):  # the test reads outside any scope
        row.refresh_from_db()
    assert row.done_at is not None


def test_a_package_the_axis_refuses_is_marked_failed_and_not_sent_again(axis, province_department):
    axis.refuse_send = "Gói tin không hợp lệ"
    office = sending_office()
    document = issue_to(office, province_department.code)
    [message] = messages(direction="out")
    assert message.state == State.FAILED and message.attempts == 1 and "không hợp lệ" in message.last_error
    assert axis_document_send(agency_id=office.agency.pk, document_id=document.pk,
                              external_agency_id=province_department.pk) is False
    assert axis.operations().count("sendEdoc") == 1


def test_an_agency_with_a_docflow_api_key_is_not_reached_by_the_axis(axis, province_department):
    assert axis_carries(external_agency_id=province_department.pk)
    issued_key(agency=province_department)
    assert not axis_carries(external_agency_id=province_department.pk)
    issue_to(sending_office(), province_department.code)
    assert axis.sent == [] and messages() == []


def test_without_the_connector_nothing_goes_to_the_axis(settings, province_department):
    settings.DOCFLOW_AXIS = None
    assert not axis_carries(external_agency_id=province_department.pk)
    issue_to(sending_office(), province_department.code)
    assert messages() == [] and axis_poll().received == 0


def test_a_received_package_becomes_one_incoming_copy_though_polled_twice(axis, province_department):
    office = sending_office()
    package = axis.deliver(vendor_package(sender=province_department, to_codes=[office.agency.code, "000.00.99.H99"]),
                           sender_code=province_department.code, to_codes=[office.agency.code])
    axis.fail_operation["updateStatus"] = 1  # our "done" is lost: the axis lists the package again

    first = axis_poll()
    assert first.received == 1 and package.status == "initial"
    second = axis_poll()
    assert (second.received, second.duplicates) == (0, 1) and package.status == "done"
    assert axis_poll().received == 0  # taken: no longer listed

    with agency_scope(office.agency):
        [copy] = IncomingDocument.objects.all()
        assert (copy.notation, copy.number, copy.sender_code) == ("45/STC-NS", 45, province_department.code)
        assert copy.subject.startswith("Về việc hướng dẫn") and copy.urgency == "urgent"
        assert copy.attachments.count() == 1
    [message] = messages(direction="in")
    assert (message.state, message.remote_id, message.object_id) == ("received", package.id, copy.id)
    assert message.document_identifier == f"{province_department.code},2026/03/05,45/STC-NS"
    # getEdoc once: the second poll knew the package without fetching it again.
    assert axis.operations().count("getEdoc") == 1


def test_a_poll_while_the_axis_is_down_waits_for_the_next_one(axis, province_department):
    office = sending_office()
    axis.deliver(vendor_package(sender=province_department, to_codes=[office.agency.code]),
                 sender_code=province_department.code, to_codes=[office.agency.code])
    axis.stop()
    assert axis_poll().unavailable == 2
    axis.start()
    assert axis_poll().received == 1


def test_the_same_document_under_a_second_axis_id_is_one_copy_reported_as_duplicate(axis, province_department):
    office = sending_office()
    raw = vendor_package(sender=province_department, to_codes=[office.agency.code])
    for _ in range(2):
        axis.deliver(raw, sender_code=province_department.code, to_codes=[office.agency.code])
    result = axis_poll()
    assert (result.received, result.duplicates) == (1, 1)
    with agency_scope(office.agency):
        assert IncomingDocument.objects.count() == 1
    assert sorted(m.state for m in messages(direction="in")) == ["duplicate", "received"]
    assert [p.status for p in axis.waiting] == ["done", "done"]


def test_a_package_we_cannot_read_is_refused_to_the_axis_and_logged(axis, province_department):
    office = sending_office()
    bad = vendor_package(sender=province_department, to_codes=[office.agency.code],
                         signer={"full_name": "", "position": "", "competence": ""})
    package = axis.deliver(bad, sender_code=province_department.code, to_codes=[office.agency.code])
    assert axis_poll().failed == 1 and package.status == "fail"
    [message] = messages(direction="in")
    assert message.state == State.FAILED and "SignerInfo" in message.last_error
    with agency_scope(office.agency):
        assert IncomingDocument.objects.count() == 0


def test_our_handling_of_an_axis_document_goes_back_as_a_status_package(axis, province_department, tmp_path,
                                                                         settings):
    office = sending_office()
    pki_make(tmp_path, settings).keys_for(office)
    axis.deliver(vendor_package(sender=province_department, to_codes=[office.agency.code]),
                 sender_code=province_department.code, to_codes=[office.agency.code])
    axis_poll()
    with agency_scope(office.agency):
        copy = IncomingDocument.objects.get()
    incoming_accept(membership=office.clerk, incoming_id=copy.id)

    [status] = axis.sent_of("status")
    assert (status.sender_code, status.to_codes) == (office.agency.code, [province_department.code])
    assert status.content.lstrip().startswith(b"<?xml") and b"<edXML" in status.content
    parsed = status_package_parse(status.content)
    assert parsed["status_code"] == "03" and parsed["sender_code"] == office.agency.code
    assert parsed["signature"] == "valid"
    assert parsed["document_id"] == f"{province_department.code},2026/03/05,45/STC-NS"
    assert parsed["staff"] == office.clerk.user.get_full_name()
    [message] = messages(direction="out", kind="status")
    assert (message.state, message.status_code) == ("sent", "03")
    with agency_scope(office.agency):
        assert StatusReport.objects.get().sent_at is not None


def _status_from(sender, *, document_id: str, code: str) -> bytes:
    """A status package as another vendor's system sends it: the axis form, unsigned."""
    return status_package_render(
        response_for={"sender_code": "", "notation": "", "issued_at": None, "document_id": document_id},
        sender={"OrganId": sender.code, "OrganName": sender.name}, status_code=code,
        description="Đã vào sổ văn bản đến", timestamp=timezone.now(),
        staff={"Department": "Văn phòng", "Staff": "Quàng Thị Hoa", "Mobile": "", "Email": ""},
    )


def test_a_status_package_from_the_axis_updates_our_tracking_of_that_recipient(axis, province_department):
    office = sending_office()
    document = issue_to(office, province_department.code)
    name = packages.outgoing_identifier(document)
    axis.deliver(_status_from(province_department, document_id=name, code="03"),
                 sender_code=province_department.code, to_codes=[office.agency.code], message_type="status")
    assert axis_poll().received == 1
    with agency_scope(office.agency):
        delivery = Delivery.objects.get(document=document)
    assert delivery.status_code == "03" and "Quàng Thị Hoa" in delivery.status_note
    [message] = messages(direction="in", kind="status")
    assert (message.state, message.status_code, message.agency_id) == ("applied", "03", office.agency.pk)


@pytest.mark.parametrize("case", ["unknown code", "unknown document"])
def test_a_wrong_status_package_changes_nothing_and_is_refused(axis, province_department, case):
    office = sending_office()
    document = issue_to(office, province_department.code)
    name = (f"{province_department.code},2026/01/01,99/XX" if case == "unknown document"
            else packages.outgoing_identifier(document))
    raw = _status_from(province_department, document_id=name, code="03")
    if case == "unknown code":
        raw = raw.replace(b"StatusCode>03<", b"StatusCode>07<")
    package = axis.deliver(raw, sender_code=province_department.code, to_codes=[office.agency.code],
                           message_type="status")
    assert axis_poll().failed == 1 and package.status == "fail"
    with agency_scope(office.agency):
        assert Delivery.objects.get(document=document).status_code == "01"
    [message] = messages(direction="in", kind="status")
    assert message.state == State.FAILED and message.last_error


def test_our_recall_goes_to_an_axis_recipient_as_a_revocation_package(axis, province_department):
    office = sending_office()
    document = issue_to(office, province_department.code)
    document_recall_request(actor=office.clerk, document_id=document.pk, reason="Sai số liệu phụ lục")
    new, revoke = axis.sent_of("edoc")
    business = edxml_package(revoke.content).business
    assert (business.kind, business.reason) == ("revocation", "Sai số liệu phụ lục")
    assert [m.business for m in messages(direction="out")] == ["new", "revocation"]
