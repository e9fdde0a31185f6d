"""Attachments: the type comes from the bytes, active and oversized content is refused, and the
same bytes are stored once. A refused upload leaves nothing behind."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from docflow.core.errors import InvalidState
from docflow.core.scoping import cross_agency
from docflow.documents.attachments import attachment_add, attachment_name_clean
from docflow.documents.content_checks import DOCX, JPEG, ODT, PDF, PNG, XLSX
from docflow.documents.models import Attachment, StoredFile
from tests.documents import story
from tests.documents.story import draft, issued, sending_office

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.DOCFLOW_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    settings.DOCFLOW_ZIP_MAX_UNCOMPRESSED_BYTES = 3 * 1024 * 1024
    settings.DOCFLOW_ZIP_MAX_RATIO = 50
    settings.DOCFLOW_ZIP_MAX_ENTRIES = 50
    return Path(settings.MEDIA_ROOT)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def add(office, document, data: bytes, name: str = "tep", chunk: int = 64 * 1024):
    chunks = (data[i:i + chunk] for i in range(0, len(data), chunk))
    return attachment_add(actor=office.staff, document_id=document.pk, name=name, chunks=chunks)


ACCEPTED = [
    ("quyet-dinh.pdf", story.pdf_bytes, PDF),
    ("bang-tinh.xlsx", lambda: story.office_zip("xlsx"), XLSX),
    ("du-thao.docx", lambda: story.office_zip("docx"), DOCX),
    ("du-thao.odt", lambda: story.office_zip("odt"), ODT),
    ("anh.png", lambda: story.PNG_BYTES, PNG),
    ("anh.jpg", lambda: story.JPEG_BYTES, JPEG),
]


@pytest.mark.parametrize("name, make, content_type", ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_allowed_kinds_are_stored_with_the_type_their_bytes_show(storage, name, make, content_type):
    office = sending_office()
    data = make()
    attachment = add(office, draft(office), data, name=name)
    assert attachment.content_type == content_type and attachment.size == len(data)
    assert attachment.name == name
    assert attachment.file_id == hashlib.sha256(data).hexdigest()
    assert [p.read_bytes() for p in stored_files(storage)] == [data]


REFUSED = [
    ("an executable", lambda: b"MZ\x90\x00" + b"\0" * 100),
    ("html named pdf", lambda: b"<html><script>alert(1)</script></html>"),
    ("pdf with javascript", story.pdf_with_javascript),
    ("pdf with open-action javascript in an object stream", story.pdf_with_open_action_js_in_object_stream),
    ("pdf with an escaped launch action", story.pdf_with_launch_action),
    ("pdf with an embedded file", story.pdf_with_embedded_file),
    ("zip bomb", lambda: story.zip_bomb(4 * 1024 * 1024)),
    ("zip over the compression ratio", lambda: story.zip_bomb(2 * 1024 * 1024)),
    ("zip with too many entries", lambda: story.office_zip("docx", extra={f"x/{i}.xml": b"<a/>" for i in range(60)})),
    ("docm with macros", lambda: story.office_zip("docx", extra={"word/vbaProject.bin": b"\0" * 10})),
    ("plain zip", lambda: story.office_zip("docx").replace(b"[Content_Types].xml", b"[Content_Typez].xml")),
    ("broken zip", lambda: b"PK\x03\x04" + b"\0" * 200),
    ("too large", lambda: story.pdf_bytes() + b"\n%" + b"x" * (2 * 1024 * 1024)),
]


@pytest.mark.parametrize("kind, make", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_kinds_answer_400_on_file_and_leave_nothing_stored(storage, kind, make):
    office = sending_office()
    document = draft(office)
    with pytest.raises(ValidationError) as refused:
        add(office, document, make(), name="tep.pdf")
    assert list(refused.value.message_dict) == ["file"], kind
    assert stored_files(storage) == []
    with cross_agency("system"):
        assert not StoredFile.objects.exists() and not Attachment.objects.exists()


def test_the_same_bytes_are_stored_once_for_every_agency(storage):
    first, second = sending_office(), sending_office()
    data = story.pdf_bytes("Kế hoạch chung")
    a = add(first, draft(first), data, name="ke-hoach.pdf")
    b = add(second, draft(second), data, name="ban-sao.pdf")
    assert a.file_id == b.file_id and a.agency_id != b.agency_id
    assert len(stored_files(storage)) == 1
    with cross_agency("system"):
        assert StoredFile.objects.count() == 1


def test_attaching_to_an_issued_document_is_409_and_stores_nothing(storage):
    office = sending_office()
    document = issued(office)
    before = stored_files(storage)  # the official PDF, made at issue
    with pytest.raises(InvalidState):
        attachment_add(actor=office.clerk, document_id=document.pk, name="a.pdf", chunks=[story.pdf_bytes()])
    assert stored_files(storage) == before


def test_an_oversized_upload_is_refused_without_reading_it_all():
    office = sending_office()
    read = []

    def endless():
        while True:
            read.append(1)
            yield b"\0" * (64 * 1024)

    with pytest.raises(ValidationError):
        attachment_add(actor=office.staff, document_id=draft(office).pk, name="a.pdf", chunks=endless())
    assert len(read) <= 2 * 1024 * 1024 // (64 * 1024) + 1


@pytest.mark.parametrize("raw, clean", [
    ("C:\\Users\\vt\\Quyết định.pdf", "Quyết định.pdf"),
    ("../../etc/passwd", "passwd"),
    ("ten\x00co\x07dieu-khien.docx", "tencodieu-khien.docx"),
    ("", "tep-dinh-kem"),
    ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
])
def test_attachment_names_are_cleaned(raw, clean):
    assert attachment_name_clean(raw) == clean
