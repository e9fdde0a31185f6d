"""Issuing: the number, the notation and the delivery to every recipient in one transaction."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docflow.audit.models import AuditEvent
from docflow.audit.selectors import chain_verify
from docflow.core.errors import InvalidState, NotPermitted
from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument, RegisterCounter
from docflow.documents.numbering import SERIES_SECRET
from docflow.outbox.models import OutboxTask
from docflow.routing import issuing
from docflow.routing.issuing import document_issue
from docflow.routing.models import Delivery, IncomingAttachment, IncomingDocument
from tests.documents.story import approved, draft, issued, recipients, sending_office
from tests.factories import AgencyFactory, AttachmentFactory

pytestmark = pytest.mark.django_db


def issue_counting_queries(office, document) -> int:
    with CaptureQueriesContext(connection) as ctx:
        document_issue(actor=office.clerk, document_id=document.pk)
    return len(ctx.captured_queries)


def test_issuing_to_5_and_to_200_agencies_costs_the_same_queries():
    office = sending_office()
    issued(office, recipients=[AgencyFactory().code])  # the register and its counter exist now
    few = approved(office, recipients=[a.code for a in recipients(5)])
    many = approved(office, recipients=[a.code for a in recipients(200)])
    for doc in (few, many):
        AttachmentFactory(document=doc)
        AttachmentFactory(document=doc)
    assert issue_counting_queries(office, few) == issue_counting_queries(office, many)
    with cross_agency("system"):
        assert IncomingDocument.objects.filter(source_document_id=many.pk).count() == 200
        # Each copy carries the official PDF (its main file) and the drafter's two attachments.
        assert IncomingAttachment.objects.filter(incoming__source_document_id=many.pk).count() == 600
        assert IncomingAttachment.objects.filter(incoming__source_document_id=many.pk, is_main=True).count() == 200
        assert Delivery.objects.filter(document=many).exclude(incoming_id=None).count() == 200
        assert AuditEvent.objects.filter(action="incoming.delivered", data__source_document_id=str(many.pk)).count() == 200


def test_issuing_twice_to_many_agencies_keeps_every_recipients_chain_and_stamps_every_row():
    """The fan-out's rows go in one statement per table (COPY on PostgreSQL) and every
    recipient's chain head moves in one UPDATE: each chain still links, event by event."""
    office = sending_office()
    agencies = recipients(30)
    for _ in range(2):
        issued(office, recipients=[a.code for a in agencies])
    checked = chain_verify(agency_ids=[a.pk for a in agencies] + [office.agency.pk])
    with cross_agency("system"):
        for agency in agencies:
            assert checked[agency.pk] == AuditEvent.objects.filter(agency=agency).count() >= 2
        copies = list(IncomingDocument.objects.filter(agency__in=agencies))
    assert len(copies) == 60
    assert all(c.search_text == c.build_search_text() and c.created_at and c.updated_at for c in copies)


def test_each_recipient_gets_its_own_copy_with_the_envelope_and_attachments():
    office = sending_office()
    commune = AgencyFactory()
    doc = approved(office, recipients=[commune.code], urgency="flash", due_date=datetime.date(2026, 12, 31))
    AttachmentFactory(document=doc, name="ke-hoach.pdf")
    doc = document_issue(actor=office.clerk, document_id=doc.pk)
    with cross_agency("system"):
        copy = IncomingDocument.objects.get(agency=commune)
        delivery = Delivery.objects.get(document=doc)
        main, attachment = copy.attachments.all()
        source = doc.attachments.get()
    assert main.is_main and main.file_id == doc.pdf_sha256 and main.name.endswith(".pdf")
    assert not attachment.is_main
    assert copy.status_code == "01" and copy.urgency == "flash" and str(copy.sender_due_date) == "2026-12-31"
    assert copy.source_delivery_id == delivery.pk and delivery.incoming_id == copy.pk
    assert copy.search_text and "ve viec" in copy.search_text
    assert attachment.name == "ke-hoach.pdf" and attachment.file_id == source.file_id


def test_issue_makes_the_pdf_at_once_and_records_notification_work_for_after_commit():
    office = sending_office()
    doc = issued(office, recipients=[AgencyFactory().code])
    names = set(OutboxTask.objects.filter(kwargs__document_id=str(doc.pk)).values_list("task_name", flat=True))
    assert names == {"notify.document_issued"}
    assert doc.pdf_sha256


def test_a_copy_without_attachments_still_carries_the_issued_document():
    office = sending_office()
    commune = AgencyFactory()
    doc = issued(office, recipients=[commune.code])
    with cross_agency("system"):
        (main,) = IncomingAttachment.objects.filter(incoming__source_document_id=doc.pk)
    assert main.is_main and main.file_id == doc.pdf_sha256 and main.content_type == "application/pdf"
    assert main.name == doc.notation.replace("/", "-").replace("Đ", "D") + ".pdf"


def test_issue_that_reaches_nobody_is_refused_and_takes_no_number():
    office = sending_office()
    doc = approved(office, recipients=[], external_places=[])
    with pytest.raises(ValidationError) as exc:
        document_issue(actor=office.clerk, document_id=doc.pk)
    assert "recipients" in exc.value.message_dict
    with cross_agency("system"):
        doc.refresh_from_db()
    assert doc.state == "approved" and doc.number is None


def test_a_paper_only_issue_is_numbered_and_delivers_to_no_agency():
    office = sending_office()
    doc = approved(office, recipients=[], external_places=["Sở Nội vụ tỉnh Sơn La (bản giấy)"])
    doc = document_issue(actor=office.clerk, document_id=doc.pk)
    assert doc.state == "issued" and doc.number and doc.pdf_sha256


def test_issuing_twice_is_refused_with_409_and_keeps_the_first_number():
    office = sending_office()
    doc = issued(office)
    with pytest.raises(InvalidState) as refused:
        document_issue(actor=office.clerk, document_id=doc.pk)
    assert refused.value.state == "issued"
    with cross_agency("system"):
        assert OutgoingDocument.objects.get(pk=doc.pk).number == 1
        assert RegisterCounter.objects.get(register=doc.register).last_number == 1


def test_only_a_clerk_issues():
    office = sending_office()
    doc = approved(office)
    for member in (office.staff, office.leader):
        with pytest.raises(NotPermitted):
            document_issue(actor=member, document_id=doc.pk)


def test_secret_document_with_electronic_recipients_is_refused_naming_recipients():
    office = sending_office()
    doc = approved(office)
    with cross_agency("system"):  # a draft cannot be saved like this; an old row could be
        OutgoingDocument.objects.filter(pk=doc.pk).update(secrecy="secret", recipient_codes=[AgencyFactory().code])
    with pytest.raises(ValidationError) as refused:
        document_issue(actor=office.clerk, document_id=doc.pk)
    assert "recipients" in refused.value.message_dict
    with cross_agency("system"):
        assert not Delivery.objects.filter(document=doc).exists()
        assert OutgoingDocument.objects.get(pk=doc.pk).state == "approved"


def test_secret_document_for_paper_only_is_numbered_in_the_secret_series():
    office = sending_office()
    normal = issued(office)
    secret = issued(office, secrecy="confidential", external_places=["Thường trực Huyện ủy"])
    assert secret.register.series == SERIES_SECRET and secret.number == 1
    assert normal.register_id != secret.register_id
    with cross_agency("system"):
        assert not Delivery.objects.filter(document=secret).exists()


def test_numbers_restart_from_one_in_a_new_year(monkeypatch):
    from django.utils import timezone

    office = sending_office()
    assert issued(office).number == 1
    assert issued(office).number == 2
    next_year = timezone.now() + datetime.timedelta(days=366)
    monkeypatch.setattr(issuing.timezone, "now", lambda: next_year)
    doc = issued(office)
    assert (doc.year, doc.number, doc.notation) == (next_year.year, 1, "01/QĐ-UBND")


def test_a_type_the_agency_numbers_separately_has_its_own_series():
    from tests.factories import RegisterFactory

    office = sending_office()
    RegisterFactory(agency=office.agency, series="quyet_dinh", name="Sổ quyết định")
    assert issued(office, doc_type="cong_van").notation == "01/UBND-VP"
    decision = issued(office, doc_type="quyet_dinh")
    assert decision.register.series == "quyet_dinh" and decision.notation == "01/QĐ-UBND"
    assert issued(office, doc_type="thong_bao").notation == "02/TB-UBND"


def test_a_failure_after_taking_the_number_leaves_no_gap(monkeypatch):
    office = sending_office()
    first = approved(office, recipients=[AgencyFactory().code])
    second = approved(office, recipients=[AgencyFactory().code])

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(issuing, "events_record", broken)
    with pytest.raises(RuntimeError):
        document_issue(actor=office.clerk, document_id=first.pk)
    monkeypatch.undo()
    with cross_agency("system"):
        assert not Delivery.objects.exists() and not IncomingDocument.objects.exists()
    assert document_issue(actor=office.clerk, document_id=second.pk).number == 1
    assert document_issue(actor=office.clerk, document_id=first.pk).number == 2


def test_replacement_carries_the_replaced_notation_to_recipients():
    from docflow.documents.drafting import document_create

    office = sending_office()
    commune = AgencyFactory()
    original = issued(office, recipients=[commune.code])
    correction = document_create(
        actor=office.staff, doc_type="quyet_dinh", subject="Về việc đính chính", unit="VP",
        recipients=[commune.code], replaces=original.pk,
    )
    correction = issued(office, correction)
    with cross_agency("system"):
        copy = IncomingDocument.objects.get(source_document_id=correction.pk)
        assert OutgoingDocument.objects.get(pk=original.pk).replaced_by.pk == correction.pk
    assert copy.replaces_notation == original.notation == "01/QĐ-UBND"


def test_external_recipient_gets_a_delivery_and_a_push_but_no_copy():
    office = sending_office()
    external = AgencyFactory(is_external=True)
    doc = issued(office, recipients=[external.code])
    with cross_agency("system"):
        delivery = Delivery.objects.get(document=doc)
        assert not IncomingDocument.objects.filter(source_document_id=doc.pk).exists()
    assert delivery.recipient_agency_id == external.pk and delivery.incoming_id is None
    push = OutboxTask.objects.get(task_name="exchange.document_push")
    assert push.kwargs == {"agency_id": office.agency.pk, "document_id": str(doc.pk),
                           "external_agency_id": external.pk}


def test_draft_cannot_be_issued():
    office = sending_office()
    doc = draft(office)
    with pytest.raises(InvalidState):
        document_issue(actor=office.clerk, document_id=doc.pk)
