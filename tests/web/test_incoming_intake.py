"""/van-ban-den/vao-so/: the clerk scans a paper document, checks what OCR read, registers it."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from docflow.core.scoping import cross_agency
from docflow.routing.models import IncomingDocument, IntakeScan
from tests.ocr.scans import official, require_ocr, scan_pdf
from tests.routing.conftest import commune, other_commune, tiny_pdf  # noqa: F401
from tests.web.conftest import web_client

pytestmark = pytest.mark.django_db
URL = "/van-ban-den/vao-so/"
FORM = {"sender_name": "Công an huyện Bắc Yên", "notation": "15/CAH-TH", "issued_on": "05/03/2026",
        "doc_type": "cong_van", "subject": "Phối hợp bảo đảm an ninh", "urgency": "normal",
        "secrecy": "normal", "medium": "hand"}


def post_form(client, **changes):
    return client.post(URL, {**FORM, **changes, "once": str(uuid.uuid4())})


def test_clerk_registers_without_a_scan_and_lands_on_the_copy(commune):
    client = web_client(commune.clerk)
    assert client.get(URL).status_code == 200
    response = post_form(client)
    assert response.status_code == 302
    with cross_agency("system"):
        copy = IncomingDocument.objects.get(agency=commune.agency)
    assert response["Location"] == f"/van-ban-den/{copy.pk}/" and copy.incoming_number == 1
    assert copy.medium == "hand"


def test_a_duplicate_is_shown_with_a_link_and_registered_with_a_reason(commune):
    client = web_client(commune.clerk)
    post_form(client)
    again = post_form(client)
    assert again.status_code == 400
    with cross_agency("system"):
        first = IncomingDocument.objects.get(agency=commune.agency)
    assert f"/van-ban-den/{first.pk}/" in again.content.decode()
    assert post_form(client, duplicate_reason="Bản chính đến sau").status_code == 302


def test_bad_input_is_shown_beside_the_field(commune):
    response = post_form(web_client(commune.clerk), issued_on="32/13/2026")
    assert response.status_code == 400 and "issued_on" in response.context["form"].errors


def test_a_scan_form_sent_without_files_says_so(commune):
    response = web_client(commune.clerk).post(URL, {"step": "scan", "once": str(uuid.uuid4())})
    assert response.status_code == 400 and "files" in response.context["upload"].errors


def test_a_refused_file_kind_is_shown_beside_the_files(commune):
    response = web_client(commune.clerk).post(URL, {"files": SimpleUploadedFile("a.docx", b"PK\x03\x04"),
                                                    "step": "scan", "once": str(uuid.uuid4())})
    assert response.status_code == 400 and "files" in response.context["upload"].errors
    with cross_agency("system"):
        assert not IntakeScan.objects.exists()


def test_staff_cannot_open_the_page(commune):
    assert web_client(commune.staff).get(URL).status_code == 403


def test_another_agencys_scan_is_not_shown(commune, other_commune, tiny_pdf):
    theirs = web_client(other_commune.clerk)
    theirs.post(URL, {"files": SimpleUploadedFile("a.pdf", tiny_pdf), "step": "scan", "once": str(uuid.uuid4())})
    with cross_agency("system"):
        scan = IntakeScan.objects.get()
    assert web_client(commune.clerk).get(f"{URL}{scan.pk}/tien-do/").status_code == 404
    assert "a.pdf" not in web_client(commune.clerk).get(f"{URL}?ban-quet={scan.pk}").content.decode()


@pytest.mark.ocr
def test_the_form_is_prefilled_from_the_scan_and_each_field_is_marked(
    commune, django_capture_on_commit_callbacks
):
    require_ocr()
    client = web_client(commune.clerk)
    scan = scan_pdf(official(), angle=1.0, noise=0.003)
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = client.post(URL, {"files": SimpleUploadedFile("qd.pdf", scan), "step": "scan",
                                      "once": str(uuid.uuid4())})
    assert uploaded.status_code == 302
    page = client.get(uploaded["Location"])
    form = page.context["form"]
    assert form["notation"].value() == "15/QĐ-UBND" and form["doc_type"].value() == "quyet_dinh"
    assert form.marks()["notation"] == "read" and form.marks()["number"] == "read"
    html = page.content.decode()
    assert "Đọc từ bản quét" in html
    with cross_agency("system"):
        assert not IncomingDocument.objects.exists()  # nothing registered until the clerk sends it
        scan_row = IntakeScan.objects.get()
    data = {k: form[k].value() or "" for k in form.fields if k != "once"}
    data.update(medium="paper", issued_on="05/03/2026", scan_id=str(scan_row.pk))
    response = client.post(URL, {**data, "once": str(uuid.uuid4())})
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    with cross_agency("system"):
        copy = IncomingDocument.objects.get()
        assert copy.attachments.count() == 1 and "quy che cong tac van thu" in copy.search_text
