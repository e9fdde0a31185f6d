"""A commune's clerk registers what came by post, email, fax or by hand (no OCR involved)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from docflow.audit.models import AuditEvent
from docflow.core.errors import NotPermitted
from docflow.core.scoping import cross_agency
from docflow.documents.files import stored_file_open
from docflow.documents.models import StoredFile
from docflow.notifications.models import Notification
from docflow.routing import handling
from docflow.routing.intake import (
    DuplicateIncoming,
    PaperEnvelope,
    incoming_register,
    known_senders,
    ocr_prefill,
)
from docflow.routing.intake_scans import intake_scan_upload
from docflow.routing.models import IncomingDocument, IntakeScan, KnownSender
from docflow.core.scoping import agency_scope

pytestmark = pytest.mark.django_db
ISSUED = datetime.date(2026, 3, 5)


def envelope(**changes) -> PaperEnvelope:
    base = dict(sender_name="Công an huyện Bắc Yên", notation="15/CAH-TH", issued_on=ISSUED,
                doc_type="cong_van", subject="Phối hợp bảo đảm an ninh dịp Tết", medium="paper",
                page_count=2, copy_count=1, signer_name="Lò Văn Sơn")
    return PaperEnvelope(**{**base, **changes})


def test_clerk_registers_a_paper_document_with_the_next_incoming_number(commune, copy_for):
    handling.incoming_accept(membership=commune.clerk, incoming_id=copy_for(commune).id)
    copy = incoming_register(membership=commune.clerk, envelope=envelope())
    assert (copy.status_code, copy.incoming_number, copy.register.name) == ("03", 2, "Sổ văn bản đến")
    assert (copy.medium, copy.page_count, copy.sender_code) == ("paper", 2, "")
    assert copy.received_by == commune.clerk.user and copy.received_at is not None
    with cross_agency("system"):
        event = AuditEvent.objects.get(object_id=copy.pk, action="incoming.register")
        assert event.data["incoming_number"] == 2 and event.data["medium"] == "paper"
        assert Notification.objects.filter(recipient=commune.leader.user, kind="incoming_to_assign").count() == 2


def test_a_paper_copy_is_handled_like_any_other(commune):
    copy = incoming_register(membership=commune.clerk, envelope=envelope())
    handling.incoming_assign(membership=commune.leader, incoming_id=copy.id, lead=commune.staff.user.username)
    done = handling.incoming_complete(membership=commune.staff, incoming_id=copy.id, note="Đã phối hợp.")
    assert done.status_code == "06"


def test_a_sender_of_the_directory_is_taken_from_it(commune, district):
    copy = incoming_register(membership=commune.clerk,
                             envelope=envelope(sender_code=district.code, sender_name=""))
    assert (copy.sender_agency, copy.sender_name) == (district, district.name)
    with agency_scope(commune.agency):
        assert not KnownSender.objects.exists()


def test_a_sender_outside_the_directory_is_remembered_with_its_code(commune):
    incoming_register(membership=commune.clerk, envelope=envelope(sender_code="H52.CA"))
    again = incoming_register(membership=commune.clerk,
                              envelope=envelope(sender_code="H52.CA", sender_name="", notation="16/CAH-TH"))
    assert (again.sender_code, again.sender_name) == ("H52.CA", "Công an huyện Bắc Yên")
    with agency_scope(commune.agency):
        assert [k.name for k in known_senders(q="cong an")] == ["Công an huyện Bắc Yên"]


def test_secret_documents_go_to_the_secret_register_without_their_subject(commune):
    incoming_register(membership=commune.clerk, envelope=envelope())
    secret = incoming_register(membership=commune.clerk,
                               envelope=envelope(secrecy="confidential", notation="02/CAH-M"))
    assert (secret.register.name, secret.incoming_number) == ("Sổ văn bản đến mật", 1)
    assert "an ninh" not in secret.subject and secret.signer_name == ""
    assert "an ninh" not in secret.search_text
    with cross_agency("system"):
        event = AuditEvent.objects.get(object_id=secret.pk, action="incoming.register")
        assert "an ninh" not in str(event.data)


def test_the_same_sender_notation_and_date_is_refused_unless_a_reason_is_given(commune):
    first = incoming_register(membership=commune.clerk, envelope=envelope())
    with pytest.raises(DuplicateIncoming) as refused:
        incoming_register(membership=commune.clerk, envelope=envelope(notation="15/cah-th", medium="fax"))
    assert refused.value.duplicates == [first.pk]
    second = incoming_register(membership=commune.clerk,
                               envelope=envelope(duplicate_reason="Bản gốc sau bản fax"))
    assert second.incoming_number == 2 and second.duplicate_reason == "Bản gốc sau bản fax"
    with cross_agency("system"):
        event = AuditEvent.objects.get(object_id=second.pk, action="incoming.register")
        assert event.data["duplicates"] == [str(first.pk)]


def test_an_electronic_copy_already_held_is_a_duplicate_too(commune, copy_for, district):
    electronic = copy_for(commune)
    with pytest.raises(DuplicateIncoming) as refused:
        incoming_register(membership=commune.clerk, envelope=envelope(
            sender_code=district.code, sender_name="", notation=electronic.notation,
            issued_on=electronic.issued_on))
    assert refused.value.duplicates == [electronic.pk]


def test_another_agencys_copy_is_no_duplicate(commune, other_commune):
    incoming_register(membership=other_commune.clerk, envelope=envelope())
    assert incoming_register(membership=commune.clerk, envelope=envelope()).incoming_number == 1


@pytest.mark.parametrize("changes, field", [
    ({"notation": " "}, "notation"),
    ({"issued_on": None}, "issued_on"),
    ({"doc_type": "thu_tay"}, "doc_type"),
    ({"subject": ""}, "subject"),
    ({"medium": "electronic"}, "medium"),
    ({"sender_name": ""}, "sender_name"),
    ({"received_at": timezone.now() + datetime.timedelta(days=1)}, "received_at"),
    ({"issued_on": timezone.localdate() + datetime.timedelta(days=2)}, "issued_on"),
    ({"sender_code": "KHONG.CO", "sender_name": ""}, "sender_code"),
])
def test_bad_input_names_the_field_and_writes_nothing(commune, changes, field):
    with pytest.raises(ValidationError) as refused:
        incoming_register(membership=commune.clerk, envelope=envelope(**changes))
    assert field in refused.value.message_dict
    with agency_scope(commune.agency):
        assert not IncomingDocument.objects.exists() and not KnownSender.objects.exists()


def test_only_a_clerk_registers(commune):
    with pytest.raises(NotPermitted):
        incoming_register(membership=commune.staff, envelope=envelope())


def test_a_refused_file_kind_stores_nothing(commune):
    copy = incoming_register(membership=commune.clerk, envelope=envelope())
    before = StoredFile.objects.count()
    with pytest.raises(ValidationError) as refused:
        intake_scan_upload(membership=commune.clerk, incoming_id=copy.id,
                           files=[("thu.docx", [b"PK\x03\x04 not a scan"])])
    assert "file" in refused.value.message_dict
    assert StoredFile.objects.count() == before
    with agency_scope(commune.agency):
        assert not IntakeScan.objects.exists()


def test_a_secret_copy_takes_no_scan(commune, tiny_pdf):
    secret = incoming_register(membership=commune.clerk, envelope=envelope(secrecy="secret"))
    with pytest.raises(ValidationError) as refused:
        intake_scan_upload(membership=commune.clerk, incoming_id=secret.id, files=[("a.pdf", [tiny_pdf])])
    assert "file" in refused.value.message_dict


def test_a_scan_of_another_agency_cannot_be_registered(commune, other_commune, tiny_pdf):
    theirs = intake_scan_upload(membership=other_commune.clerk, files=[("a.pdf", [tiny_pdf])])
    with pytest.raises(ValidationError) as refused:
        incoming_register(membership=commune.clerk, envelope=envelope(scan_ids=[theirs.pk]))
    assert "scan_ids" in refused.value.message_dict


def test_images_become_one_pdf_in_order_and_the_copy_is_stamped(
    commune, png_page, django_capture_on_commit_callbacks
):
    copy = incoming_register(membership=commune.clerk, envelope=envelope())
    with django_capture_on_commit_callbacks(execute=True):
        scan = intake_scan_upload(membership=commune.clerk, incoming_id=copy.id,
                                  files=[("trang1.png", [png_page(1)]), ("trang2.png", [png_page(2)])])
    assert (scan.name, scan.page_count) == ("trang1.pdf", 2)
    with agency_scope(commune.agency):
        attachment = IncomingDocument.objects.get(pk=copy.pk).attachments.get()
        assert attachment.content_type == "application/pdf"
        pages = PdfReader(stored_file_open(sha256=scan.original_id)).pages
        shades = [page_image_shade(page) for page in pages]
        assert shades == sorted(shades, reverse=True)  # page 1 (lighter) first
        assert attachment.stamped_sha256  # stamped after commit (eager worker)


def page_image_shade(page) -> int:
    """The grey level of the one image on a PDF page."""
    image = page.images[0].image
    return image.convert("L").getpixel((5, 5))


def test_what_ocr_read_prefills_the_form_with_the_directory_code_of_the_sender(commune, district):
    read = {"number": "15", "notation": "15/QĐ-UBND", "issued_on": "2026-03-05", "place": "Bắc Yên",
            "sender_name": "UBND HUYỆN BẮC YÊN", "type_name": "QUYẾT ĐỊNH", "subject": ""}
    with agency_scope(commune.agency):
        prefill = ocr_prefill(read)
    assert prefill == {"number": "15", "notation": "15/QĐ-UBND", "issued_on": "2026-03-05",
                       "sender_name": "UBND HUYỆN BẮC YÊN", "doc_type": "quyet_dinh",
                       "sender_code": district.code}


@pytest.mark.parametrize("name, data", [
    ("trang-1.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20 + b"IEND\xaeB`\x82" + b"%PDF-1.7\n%%EOF\n"),
    ("trang-1.exe", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"),
])
def test_a_scan_gets_the_same_checks_as_every_upload(commune, name, data):
    copy = incoming_register(membership=commune.clerk, envelope=envelope())
    with pytest.raises(ValidationError) as refused:
        intake_scan_upload(membership=commune.clerk, incoming_id=copy.id, files=[(name, [data])])
    assert "file" in refused.value.message_dict
