"""The "ĐẾN" stamp on a received PDF: made after the clerk accepts the copy, made again with the
lead handler once a leader assigns it, stored beside the untouched original and served by
``GET /api/v1/incoming/{id}/attachments/{attachment_id}/?stamped=1``."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

import pytest
from celery import current_app
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas

from docflow.core.scoping import agency_scope, cross_agency
from docflow.documents.files import stored_file_open, stored_file_put_bytes
from docflow.outbox.services import outbox_sweep
from docflow.routing import handling, stamping
from docflow.routing.models import IncomingAttachment, IncomingDocument
from docflow.routing.stamping import incoming_attachments_stamp
from docflow.tenancy.models import Membership
from tests.documents.story import PNG_BYTES
from tests.factories import MembershipFactory, UnitFactory
from tests.routing.conftest import commune, district, other_commune  # noqa: F401
from tests.routing.factories import IncomingAttachmentFactory, sent_copy

pytestmark = pytest.mark.django_db


def two_page_pdf() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    for text in ("Trang một của công văn", "Trang hai của công văn"):
        canvas.drawString(72, 600, text)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(two_page_pdf()))
    writer.encrypt("mat-khau")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def attach(incoming, name: str, data: bytes, content_type: str) -> IncomingAttachment:
    stored = stored_file_put_bytes(data=data, content_type=content_type)
    return IncomingAttachmentFactory(incoming=incoming, name=name, file=stored, size=len(data),
                                     content_type=content_type)


def read(sha256: str) -> bytes:
    with stored_file_open(sha256=sha256) as fh:
        return fh.read()


def reload(attachment) -> IncomingAttachment:
    with cross_agency("system"):
        return IncomingAttachment.objects.get(pk=attachment.pk)


def first_page_text(sha256: str) -> str:
    return " ".join(PdfReader(io.BytesIO(read(sha256))).pages[0].extract_text().split())


@pytest.fixture
def arrived(district, commune):  # noqa: F811
    copy = sent_copy(sender=district, recipient=commune.agency)
    pdf = attach(copy, "cong-van.pdf", two_page_pdf(), "application/pdf")
    return copy, pdf


def accept(office, copy, callbacks):
    with callbacks(execute=True):
        return handling.incoming_accept(membership=office.clerk, incoming_id=copy.id)


def test_accepting_stamps_page_one_and_leaves_the_original_and_page_two_alone(
    commune, arrived, django_capture_on_commit_callbacks,  # noqa: F811
):
    copy, pdf = arrived
    photo = attach(copy, "anh.png", PNG_BYTES, "image/png")
    accepted = accept(commune, copy, django_capture_on_commit_callbacks)

    stamped = reload(pdf).stamped_sha256
    assert stamped and stamped != pdf.file_id
    assert read(pdf.file_id) == two_page_pdf()  # the original, as it arrived
    text = first_page_text(stamped)
    assert "ĐẾN" in text and "Số: 01" in text
    received = accepted.received_at.astimezone(stamping_tz())
    assert f"Ngày: {received:%d/%m/%Y}" in text and f"Giờ: {received:%H:%M}" in text
    assert commune.agency.short_name.upper() in text or commune.agency.name.upper() in text
    original, result = PdfReader(io.BytesIO(two_page_pdf())), PdfReader(io.BytesIO(read(stamped)))
    assert len(result.pages) == 2
    assert result.pages[1].extract_text() == original.pages[1].extract_text()
    assert reload(photo).stamped_sha256 == ""  # only PDFs carry the stamp


def stamping_tz():
    from docflow.rendering.stamp import VIETNAM_TZ

    return VIETNAM_TZ


def test_assignment_stamps_again_naming_the_lead_handler(
    commune, arrived, django_capture_on_commit_callbacks,  # noqa: F811
):
    copy, pdf = arrived
    accept(commune, copy, django_capture_on_commit_callbacks)
    at_acceptance = reload(pdf).stamped_sha256
    assert "Chuyển:" in first_page_text(at_acceptance)
    with django_capture_on_commit_callbacks(execute=True):
        handling.incoming_assign(membership=commune.leader, incoming_id=copy.id,
                                 lead=commune.staff.user.username)

    after = reload(pdf).stamped_sha256
    assert after != at_acceptance
    assert f"Chuyển: {commune.staff.user.get_full_name()}" in first_page_text(after)


def test_stamping_twice_changes_nothing_and_a_copy_gone_or_not_accepted_ends_quietly(
    district, commune, arrived, django_capture_on_commit_callbacks,  # noqa: F811
):
    copy, pdf = arrived
    accept(commune, copy, django_capture_on_commit_callbacks)
    stamped = reload(pdf).stamped_sha256
    task = current_app.tasks["pdf.stamp_incoming"]

    assert task.apply(kwargs={"agency_id": commune.agency.pk, "incoming_id": str(copy.id)}).get() == 0
    assert reload(pdf).stamped_sha256 == stamped
    waiting = sent_copy(sender=district, recipient=commune.agency)
    assert incoming_attachments_stamp(agency_id=commune.agency.pk, incoming_id=waiting.id) == 0
    gone = "0190a0c8-0000-7000-8000-000000000000"
    assert task.apply(kwargs={"agency_id": commune.agency.pk, "incoming_id": gone}).get() == 0


def test_an_encrypted_pdf_keeps_its_original_is_logged_and_never_retried(
    commune, district, django_capture_on_commit_callbacks, caplog,  # noqa: F811
):
    copy = sent_copy(sender=district, recipient=commune.agency)
    locked = attach(copy, "mat.pdf", encrypted_pdf(), "application/pdf")
    good = attach(copy, "cong-van.pdf", two_page_pdf(), "application/pdf")
    with caplog.at_level(logging.WARNING, logger="docflow.routing.stamping"):
        accept(commune, copy, django_capture_on_commit_callbacks)  # eager: a raise would fail here

    assert reload(locked).stamped_sha256 == ""
    assert reload(good).stamped_sha256
    assert locked.file_id in caplog.text
    assert not stamping.incoming_stamp_pending(incoming_id=copy.id)  # the work is done, not failed


def test_a_stamp_drawn_while_the_copy_was_assigned_is_drawn_again(
    commune, arrived, monkeypatch, django_capture_on_commit_callbacks,  # noqa: F811
):
    copy, pdf = arrived
    handling.incoming_accept(membership=commune.clerk, incoming_id=copy.id)  # its work not run yet
    real, calls = stamping.stamp_incoming, []

    def meanwhile_a_leader_assigns(data, **kwargs):
        if not calls:  # a concurrent assignment commits while the first stamp is drawn
            with cross_agency("system"):
                IncomingDocument.objects.filter(pk=copy.pk).update(lead=commune.staff2.user)
        calls.append(kwargs["handling_note"])
        return real(data, **kwargs)

    monkeypatch.setattr(stamping, "stamp_incoming", meanwhile_a_leader_assigns)
    assert incoming_attachments_stamp(agency_id=commune.agency.pk, incoming_id=copy.id) == 1

    name = commune.staff2.user.get_full_name()
    assert calls == ["", name]
    assert f"Chuyển: {name}" in first_page_text(reload(pdf).stamped_sha256)


def test_files_are_served_as_they_arrived_or_stamped(
    commune, other_commune, district, arrived, client_for, django_capture_on_commit_callbacks,  # noqa: F811
):
    copy, pdf = arrived
    photo = attach(copy, "anh.png", PNG_BYTES, "image/png")
    locked = attach(copy, "mat.pdf", encrypted_pdf(), "application/pdf")
    api = client_for(commune.staff)

    def url(attachment, stamped=False):
        return f"/api/v1/incoming/{copy.id}/attachments/{attachment.pk}/" + ("?stamped=1" if stamped else "")

    original = api.get(url(pdf))
    assert original.status_code == 200 and b"".join(original.streaming_content) == two_page_pdf()
    assert api.get(url(pdf, stamped=True)).status_code == 409  # not accepted yet
    handling.incoming_accept(membership=commune.clerk, incoming_id=copy.id)
    pending = api.get(url(pdf, stamped=True))  # accepted; the worker has not stamped it yet
    assert pending.status_code == 202 and int(pending["Retry-After"]) > 0

    outbox_sweep(now=timezone.now() + timedelta(minutes=5))  # the worker runs the recorded work
    stamped = api.get(url(pdf, stamped=True))
    assert stamped.status_code == 200 and stamped["Content-Type"] == "application/pdf"
    assert b"".join(stamped.streaming_content) == read(reload(pdf).stamped_sha256)
    assert 'filename="cong-van-den.pdf"' in stamped["Content-Disposition"]
    refused = api.get(url(locked, stamped=True))
    assert refused.status_code == 409 and refused.json()["state"] == "unstampable"
    assert api.get(url(photo, stamped=True)).json() == {"stamped": ["Chỉ tệp PDF mới có bản đóng dấu đến."]}
    assert api.get(url(photo)).status_code == 200
    assert client_for(other_commune.clerk).get(url(pdf)).status_code == 404


def test_the_note_names_the_leads_unit_in_the_copys_own_agency(
    district, commune, other_commune,  # noqa: F811
):

    lead = commune.staff.user
    with cross_agency("system"):
        Membership.objects.filter(pk=commune.staff.pk).update(
            unit=UnitFactory(agency=commune.agency, name="Văn phòng HĐND và UBND"))
        MembershipFactory(agency=other_commune.agency, user=lead, staff=True,
                          unit=UnitFactory(agency=other_commune.agency, name="Phòng Kinh tế"))
    copy = sent_copy(sender=district, recipient=commune.agency)
    copy.lead_id = lead.pk  # the copy as a service holds it: the lead's id only, not loaded
    with agency_scope(commune.agency.pk):
        assert stamping.stamp_note(copy) == f"{lead.get_full_name()} - Văn phòng HĐND và UBND"
        copy.lead_id = None
        assert stamping.stamp_note(copy) == ""
