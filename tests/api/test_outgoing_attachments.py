"""Uploading and downloading attachments over the API, and Idempotency-Key on create endpoints."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from docflow.api.models import IdempotencyRecord
from docflow.core.scoping import cross_agency
from docflow.documents.models import Attachment, OutgoingDocument, StoredFile
from tests.documents import hostile_files as hostile, story
from tests.documents.story import draft, sending_office

pytestmark = pytest.mark.django_db

URL = "/api/v1/outgoing/"


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.DOCFLOW_MAX_UPLOAD_BYTES = 1024 * 1024
    settings.DOCFLOW_ZIP_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    return Path(settings.MEDIA_ROOT)


def stored(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(client, doc, data: bytes, name: str = "phu-luc.pdf", **headers):
    return client.post(f"{URL}{doc.pk}/attachments/", {"file": SimpleUploadedFile(name, data)},
                       format="multipart", **headers)


def test_drafter_uploads_and_downloads_an_attachment(client_for, storage):
    office = sending_office()
    doc = draft(office)
    data = story.office_zip("docx")
    response = upload(client_for(office.staff), doc, data, name="Dự thảo.docx")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= {"id", "name", "size", "sha256"}
    assert (body["name"], body["size"], body["sha256"]) == ("Dự thảo.docx", len(data), hashlib.sha256(data).hexdigest())
    download = client_for(office.leader).get(f"{URL}{doc.pk}/attachments/{body['id']}/", HTTP_ACCEPT="application/octet-stream")
    assert download.status_code == 200 and b"".join(download.streaming_content) == data
    assert download["X-Content-Type-Options"] == "nosniff"
    detail = client_for(office.staff).get(f"{URL}{doc.pk}/").json()
    assert [a["id"] for a in detail["attachments"]] == [body["id"]]


@pytest.mark.parametrize("kind, make", [
    ("wrong content", lambda: b"#!/bin/sh\nrm -rf /\n"),
    ("active pdf", story.pdf_with_javascript),
    ("zip bomb", lambda: story.zip_bomb(8 * 1024 * 1024)),
    ("too large", lambda: story.pdf_bytes() + b"%" + b"x" * (1024 * 1024)),
])
def test_each_refused_kind_is_400_on_file_and_leaves_nothing(client_for, storage, kind, make):
    office = sending_office()
    doc = draft(office)
    response = upload(client_for(office.staff), doc, make())
    assert response.status_code == 400 and "file" in response.json(), (kind, response.content)
    assert stored(storage) == []
    with cross_agency("system"):
        assert not StoredFile.objects.exists() and not Attachment.objects.exists()


def test_a_declared_body_far_over_the_limit_is_refused_before_reading(client_for, storage):
    office = sending_office()
    doc = draft(office)
    response = client_for(office.staff).post(
        f"{URL}{doc.pk}/attachments/", data=b"x", content_type="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 400 and "file" in response.json()


def test_upload_without_a_file_names_the_field(client_for):
    office = sending_office()
    response = client_for(office.staff).post(f"{URL}{draft(office).pk}/attachments/", {}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


# --- Idempotency-Key --------------------------------------------------------------------------

BODY = {"doc_type": "thong_bao", "subject": "Thông báo lịch tiếp công dân"}


def test_repeated_key_with_the_same_body_returns_the_first_response(client_for):
    office = sending_office()
    client = client_for(office.staff)
    first = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="tao-1")
    again = client.post(URL, dict(reversed(list(BODY.items()))), format="json", HTTP_IDEMPOTENCY_KEY="tao-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    with cross_agency("system"):
        assert OutgoingDocument.objects.count() == 1


def test_repeated_key_with_another_body_is_409(client_for):
    office = sending_office()
    client = client_for(office.staff)
    assert client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="tao-2").status_code == 201
    other = client.post(URL, {**BODY, "subject": "Khác"}, format="json", HTTP_IDEMPOTENCY_KEY="tao-2")
    assert other.status_code == 409 and other.json()["state"] == "idempotency_key_reused"


def test_a_refused_request_keeps_no_key_so_it_can_be_corrected(client_for):
    office = sending_office()
    client = client_for(office.staff)
    bad = client.post(URL, {**BODY, "subject": ""}, format="json", HTTP_IDEMPOTENCY_KEY="tao-3")
    assert bad.status_code == 400
    assert client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="tao-3").status_code == 201


def test_keys_belong_to_their_sender(client_for):
    office = sending_office()
    mine = client_for(office.staff).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="chung")
    theirs = client_for(office.staff2).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="chung")
    assert mine.status_code == theirs.status_code == 201 and mine.json()["id"] != theirs.json()["id"]
    assert mine.json()["drafter"] != theirs.json()["drafter"]


def test_uploading_twice_with_one_key_attaches_once(client_for, storage):
    office = sending_office()
    doc = draft(office)
    client = client_for(office.staff)
    data = story.pdf_bytes("Phụ lục")
    first = upload(client, doc, data, HTTP_IDEMPOTENCY_KEY="tep-1")
    again = upload(client, doc, data, HTTP_IDEMPOTENCY_KEY="tep-1")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    other = upload(client, doc, story.pdf_bytes("Khác"), HTTP_IDEMPOTENCY_KEY="tep-1")
    assert other.status_code == 409
    with cross_agency("system"):
        assert Attachment.objects.count() == 1


def test_a_malformed_key_is_400(client_for):
    office = sending_office()
    response = client_for(office.staff).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="x" * 300)
    assert response.status_code == 400 and "idempotency_key" in response.json()
    with cross_agency("system"):
        assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("name, make", [
    ("du-thao.docx", lambda: hostile.docx_with_dtd(entities=True)),
    ("x.pdf", lambda: story.PNG_BYTES + story.pdf_bytes()),
    ("ke-hoach.exe", story.pdf_bytes),
    ("trang.html", story.pdf_bytes),
])
def test_drafter_uploading_a_hostile_file_gets_400_naming_file(client_for, storage, name, make):
    office = sending_office()
    doc = draft(office)
    response = upload(client_for(office.staff), doc, make(), name=name)
    assert response.status_code == 400 and list(response.json()) == ["file"], response.content
    assert stored(storage) == []
