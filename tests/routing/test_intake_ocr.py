"""OCR after the scan's upload: it runs once, feeds the copy's search text, and its absence
leaves everything usable (the scan attached as it came, the stamp made)."""

from __future__ import annotations

import datetime

import pytest

from docflow.audit.models import AuditEvent
from docflow.core.scoping import cross_agency
from docflow.core.search import search_filter
from docflow.routing import intake_scans
from docflow.routing.intake import PaperEnvelope, incoming_register
from docflow.routing.intake_scans import intake_scan_ocr, intake_scan_upload
from docflow.routing.models import IncomingDocument, IntakeScan
from docflow.core.scoping import agency_scope
from tests.ocr.scans import official, require_ocr, scan_pdf

pytestmark = pytest.mark.django_db


def registered(office):
    return incoming_register(membership=office.clerk, envelope=PaperEnvelope(
        sender_name="Sở Nội vụ", notation="15/QĐ-SNV", issued_on=datetime.date(2026, 3, 5),
        doc_type="quyet_dinh", subject="Về việc giao chỉ tiêu biên chế", medium="paper"))


def test_without_tesseract_the_scan_is_attached_as_it_came_and_stamped(
    commune, tiny_pdf, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(intake_scans, "ocr_available", lambda: False)
    copy = registered(commune)
    with django_capture_on_commit_callbacks(execute=True):
        scan = intake_scan_upload(membership=commune.clerk, incoming_id=copy.id, files=[("a.pdf", [tiny_pdf])])
    with agency_scope(commune.agency):
        scan = IntakeScan.objects.get(pk=scan.pk)
        attachment = scan.attachment
        assert (scan.ocr_state, scan.searchable_id, attachment.file_id) == ("unavailable", None, scan.original_id)
        assert attachment.stamped_sha256 and attachment.is_main


@pytest.mark.ocr
def test_ocr_runs_once_and_the_copy_is_found_by_a_word_of_the_scan(
    commune, django_capture_on_commit_callbacks
):
    require_ocr()
    copy = registered(commune)
    pdf = scan_pdf(official(subject="Về việc kiểm kê rừng tại Tà Xùa"), angle=-1.0)
    with django_capture_on_commit_callbacks(execute=True):
        scan = intake_scan_upload(membership=commune.clerk, incoming_id=copy.id, files=[("qd.pdf", [pdf])])
    assert intake_scan_ocr(agency_id=commune.agency.pk, scan_id=scan.pk) == "done"  # again: no change
    with agency_scope(commune.agency):
        assert list(search_filter(IncomingDocument.objects.all(), "ta xua")) == [IncomingDocument.objects.get(pk=copy.pk)]
        scan = IntakeScan.objects.get(pk=scan.pk)
        assert scan.attachment.file_id == scan.searchable_id != scan.original_id
        assert scan.ocr_fields["notation"] == "15/QĐ-UBND"
    with cross_agency("system"):
        assert AuditEvent.objects.filter(object_id=copy.pk, action="incoming.ocr_done").count() == 1
