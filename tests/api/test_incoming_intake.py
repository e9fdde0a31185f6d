"""POST /api/v1/incoming/ and …/{id}/attachments/: a clerk registers what came on paper."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docflow.core.scoping import cross_agency
from docflow.documents.models import StoredFile
from docflow.routing.models import IncomingDocument
from tests.ocr.scans import official, require_ocr, scan_pdf
from tests.routing.conftest import commune, district, other_commune, png_page, tiny_pdf  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/incoming/"
BODY = {"sender_name": "Công an huyện Bắc Yên", "sender_code": "H52.CA", "notation": "15/CAH-TH",
        "issued_at": "2026-03-05", "doc_type": "cong_van", "subject": "Phối hợp bảo đảm an ninh",
        "urgency": "urgent", "secrecy": "normal", "medium": "paper", "pages": 2, "copies": 1}


def test_clerk_registers_and_gets_the_copy_numbered_at_03(client_for, commune):
    response = client_for(commune.clerk).post(URL, BODY, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status_code"], body["incoming_number"], body["register"]) == ("03", 1, "Sổ văn bản đến")
    assert (body["sender_code"], body["sender_name"], body["urgency"]) == ("H52.CA", BODY["sender_name"], "urgent")
    got = client_for(commune.clerk).get(f"{URL}{body['id']}/").json()
    assert got["notation"] == "15/CAH-TH" and got["issued_on"] == "2026-03-05"


def test_secret_goes_to_the_secret_register(client_for, commune):
    client_for(commune.clerk).post(URL, BODY, format="json")
    body = client_for(commune.clerk).post(URL, {**BODY, "secrecy": "secret", "notation": "03/CAH-M"},
                                          format="json").json()
    assert (body["register"], body["incoming_number"]) == ("Sổ văn bản đến mật", 1)
    assert "an ninh" not in body["subject"]


def test_a_duplicate_answers_409_with_the_earlier_copy_unless_a_reason_is_given(client_for, commune):
    clerk = client_for(commune.clerk)
    first = clerk.post(URL, BODY, format="json").json()
    again = clerk.post(URL, {**BODY, "medium": "fax"}, format="json")
    assert again.status_code == 409
    assert again.json()["duplicates"] == [first["id"]] and again.json()["detail"]
    second = clerk.post(URL, {**BODY, "duplicate_reason": "Bản gốc đến sau bản fax"}, format="json")
    assert second.status_code == 201 and second.json()["incoming_number"] == 2


@pytest.mark.parametrize("changes, field", [
    ({"notation": ""}, "notation"), ({"issued_at": "05/03/2026"}, "issued_at"),
    ({"doc_type": "thu_tay"}, "doc_type"), ({"medium": "pigeon"}, "medium"),
    ({"sender_name": "", "sender_code": ""}, "sender_name"), ({"subject": ""}, "subject"),
])
def test_bad_input_is_400_naming_the_field_and_nothing_is_stored(client_for, commune, changes, field):
    response = client_for(commune.clerk).post(URL, {**BODY, **changes}, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    with cross_agency("system"):
        assert not IncomingDocument.objects.exists()


def test_staff_may_not_register(client_for, commune):
    assert client_for(commune.staff).post(URL, BODY, format="json").status_code == 403


def test_an_uploaded_scan_becomes_the_copys_pdf_attachment(client_for, commune, png_page):
    clerk = client_for(commune.clerk)
    copy = clerk.post(URL, BODY, format="json").json()
    response = clerk.post(f"{URL}{copy['id']}/attachments/",
                          {"file": [_named(png_page(1), "t1.png"), _named(png_page(2), "t2.png")]},
                          format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["pages"] == 2 and response.json()["name"] == "t1.pdf"
    attachments = clerk.get(f"{URL}{copy['id']}/").json()["attachments"]
    assert [a["content_type"] for a in attachments] == ["application/pdf"]


def test_a_refused_file_kind_is_400_and_nothing_is_stored(client_for, commune):
    clerk = client_for(commune.clerk)
    copy = clerk.post(URL, BODY, format="json").json()
    before = StoredFile.objects.count()
    response = clerk.post(f"{URL}{copy['id']}/attachments/", {"file": [_named(b"GIF89a....", "a.gif")]},
                          format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    assert StoredFile.objects.count() == before


def test_another_agencys_copy_answers_404(client_for, commune, other_commune, tiny_pdf):
    theirs = client_for(other_commune.clerk).post(URL, BODY, format="json").json()
    mine = client_for(commune.clerk)
    assert mine.get(f"{URL}{theirs['id']}/").status_code == 404
    response = mine.post(f"{URL}{theirs['id']}/attachments/", {"file": [_named(tiny_pdf, "a.pdf")]},
                         format="multipart")
    assert response.status_code == 404


def test_registering_costs_the_same_queries_with_or_without_a_remembered_sender(client_for, commune):
    clerk = client_for(commune.clerk)
    counts = []
    for notation in ("15/CAH-TH", "16/CAH-TH"):
        with CaptureQueriesContext(connection) as queries:
            assert clerk.post(URL, {**BODY, "notation": notation}, format="json").status_code == 201
        counts.append(len(queries))
    assert counts[1] <= counts[0]


@pytest.mark.ocr
def test_a_word_only_in_the_scan_is_found_once_ocr_has_run(
    client_for, commune, django_capture_on_commit_callbacks
):
    require_ocr()
    clerk = client_for(commune.clerk)
    copy = clerk.post(URL, BODY, format="json").json()
    assert clerk.get("/api/v1/search/", {"q": "Quỳnh Nhai"}).json()["results"] == []
    scan = scan_pdf(official(subject="Về việc giải phóng mặt bằng tại Quỳnh Nhai"), angle=1.5, noise=0.005)
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(f"{URL}{copy['id']}/attachments/", {"file": [_named(scan, "scan.pdf")]},
                              format="multipart")
    assert response.status_code == 201, response.content
    found = clerk.get("/api/v1/search/", {"q": "quynh nhai"}).json()["results"]
    assert [hit["id"] for hit in found] == [copy["id"]]
    attachment = clerk.get(f"{URL}{copy['id']}/").json()["attachments"][0]
    assert attachment["sha256"] != response.json()["sha256"]  # the searchable PDF replaced the scan


def _named(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
