"""A leader signs on paper; the clerk issues the signed scan as the original, the same day."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from docflow.audit.models import AuditEvent
from docflow.core.errors import InvalidState
from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument, RegisterCounter
from docflow.documents.services import document_approve, document_create, document_submit
from docflow.routing.models import IncomingAttachment, IncomingDocument
from docflow.routing.paper_signed import document_issue_paper_signed
from docflow.tenancy.models import Membership
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(commune, other_commune):
    unit = UnitFactory(agency=commune.agency, symbol="VP")
    with cross_agency("system"):
        Membership.objects.filter(pk=commune.staff.pk).update(unit=unit)
        commune.staff.refresh_from_db()

    def make(secrecy: str = "normal", recipients=None):
        document = document_create(
            actor=commune.staff, doc_type="cong_van", subject="Về việc báo cáo kết quả thu ngân sách",
            body="Kính gửi.", unit="VP", signer=commune.leader.user.username, secrecy=secrecy,
            recipients=[other_commune.agency.code] if recipients is None else recipients,
            **({"external_places": ["Lưu: VT"]} if recipients == [] else {}),
        )
        document_submit(actor=commune.staff, document_id=document.pk)
        document_approve(actor=commune.leader, document_id=document.pk)
        return document

    return make


def test_the_signed_scan_is_the_original_every_recipient_receives(commune, other_commune, approved, tiny_pdf):
    document = approved()
    issued = document_issue_paper_signed(actor=commune.clerk, document_id=document.pk, number=1,
                                         files=[("ky-tay.pdf", [tiny_pdf])])
    assert (issued.state, issued.number) == ("issued", 1) and issued.notation.startswith("01/")
    with cross_agency("system"):
        copy = IncomingDocument.objects.get(agency=other_commune.agency, source_document_id=document.pk)
        main = IncomingAttachment.objects.get(incoming=copy, is_main=True)
        assert main.file_id == issued.pdf_sha256 == OutgoingDocument.objects.get(pk=document.pk).pdf_sha256
        assert AuditEvent.objects.filter(object_id=document.pk, action="outgoing.signed_scan").count() == 1


def test_a_number_other_than_the_registers_next_takes_nothing(commune, approved, tiny_pdf):
    document = approved()
    with pytest.raises(InvalidState) as refused:
        document_issue_paper_signed(actor=commune.clerk, document_id=document.pk, number=7,
                                    files=[("ky-tay.pdf", [tiny_pdf])])
    assert refused.value.state == "number_changed"
    with cross_agency("system"):
        assert OutgoingDocument.objects.get(pk=document.pk).state == "approved"
        assert not RegisterCounter.objects.filter(agency=commune.agency, last_number__gt=0).exists()


def test_a_secret_documents_scan_is_refused(commune, approved, tiny_pdf):
    document = approved(secrecy="confidential", recipients=[])
    with pytest.raises(ValidationError) as refused:
        document_issue_paper_signed(actor=commune.clerk, document_id=document.pk, number=1,
                                    files=[("ky-tay.pdf", [tiny_pdf])])
    assert "file" in refused.value.message_dict


def test_through_the_api_with_images_and_another_agency_answers_404(
    client_for, commune, other_commune, approved, png_page
):
    document = approved()
    url = f"/api/v1/outgoing/{document.pk}/issue-signed-scan/"
    pages = [SimpleUploadedFile("t1.png", png_page(1)), SimpleUploadedFile("t2.png", png_page(2))]
    assert client_for(other_commune.clerk).post(url, {"file": pages, "number": 1}, format="multipart").status_code == 404
    bad = client_for(commune.clerk).post(url, {"file": [SimpleUploadedFile("a.docx", b"PK\x03\x04")], "number": 1}, format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()
    no_number = client_for(commune.clerk).post(url, {"file": [SimpleUploadedFile("t1.png", png_page(1))]}, format="multipart")
    assert no_number.status_code == 400 and "number" in no_number.json()
    pages = [SimpleUploadedFile("t1.png", png_page(1)), SimpleUploadedFile("t2.png", png_page(2))]
    response = client_for(commune.clerk).post(url, {"file": pages, "number": 1}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "issued" and response.json()["number"] == 1
