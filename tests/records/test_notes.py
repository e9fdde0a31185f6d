"""A handler's note as an item of a file: in order among the documents, refused in a closed file,
404 across agencies, written from the file's page, and carried into the package metadata."""

from __future__ import annotations

import io
import json
import zipfile

from docflow.core.scoping import cross_agency

from docflow.records.models import FileDocument, WorkFile
from tests.conftest import api_client_for
from tests.factories import AgencyFactory, MembershipFactory
from tests.records.factories import WorkFileFactory
from tests.records.test_web import browser

NOTE = "Đã trao đổi qua điện thoại với Sở Nội vụ ngày 02/12;\nchờ bổ sung danh sách."


def _open(archive, code="04.VP") -> str:
    made = api_client_for(archive.clerk).post("/api/v1/files/", {"code": code, "title": "Hồ sơ rà soát",
                                                                 "year": 2026, "retention": 10}, format="json")
    assert made.status_code == 201, made.json()
    return f"/api/v1/files/{made.json()['id']}/"


def test_a_note_sits_in_order_and_reaches_the_package(archive, tmp_path, django_capture_on_commit_callbacks):
    url, staff = _open(archive), api_client_for(archive.staff)
    with django_capture_on_commit_callbacks(execute=True):
        copy = archive.received()
    assert staff.post(url + "documents/", {"incoming_id": str(copy.pk)}, format="json").status_code == 201
    noted = staff.post(url + "documents/", {"note": f"  {NOTE}  "}, format="json")
    assert noted.status_code == 201, noted.json()
    body = noted.json()
    assert body["kind"] == "note" and body["note"] == NOTE and body["position"] == 2
    assert body["document_id"] is None and body["notation"] == "" and body["page_count"] == 0
    assert staff.post(url + "documents/", {"note": "  "}, format="json").json() == {"note": ["Cần nội dung ghi chú."]}

    detail = staff.get(url).json()
    assert [(d["position"], d["kind"]) for d in detail["documents"]] == [(1, "incoming"), (2, "note")]
    assert detail["document_count"] == 1  # a note is an item, not a document

    clerk, archivist = api_client_for(archive.clerk), api_client_for(archive.archivist)
    assert clerk.post(url + "close/", {"note": "Xong."}, format="json").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        made = archivist.post("/api/v1/archive-transfers/", {"files": [detail["id"]]}, format="json")
    package = archivist.get(f"/api/v1/archive-transfers/{made.json()['id']}/package/")
    zipfile.ZipFile(io.BytesIO(b"".join(package.streaming_content))).extractall(tmp_path)
    (meta_path,) = tmp_path.glob("*/data/*/ho-so.json")
    meta = json.loads(meta_path.read_text())
    assert [d["loai"] for d in meta["van_ban"]] == ["van_ban_den", "ghi_chu"]
    note = meta["van_ban"][1]
    assert note["noi_dung"] == NOTE and note["nguoi_viet"] == archive.staff.user.get_full_name()
    assert note["so_thu_tu_van_ban"] == 2 and note["tep"] == []
    assert meta["tong_so_van_ban"] == 1


def test_no_note_into_a_closed_file_or_another_agencys_file(archive):
    url, clerk = _open(archive), api_client_for(archive.clerk)
    assert clerk.post(url + "close/", {"note": "Xong."}, format="json").status_code == 200
    refused = clerk.post(url + "documents/", {"note": NOTE}, format="json")
    assert refused.status_code == 409 and refused.json()["state"] == "closed"

    theirs = WorkFileFactory(agency=AgencyFactory())
    assert clerk.post(f"/api/v1/files/{theirs.pk}/documents/", {"note": NOTE}, format="json").status_code == 404
    outsider = api_client_for(MembershipFactory(agency=theirs.agency, staff=True))
    assert outsider.post(url + "documents/", {"note": NOTE}, format="json").status_code == 404
    with cross_agency("system"):
        assert not FileDocument.objects.exclude(note="").exists()


def test_the_file_page_writes_a_note(archive):
    url = _open(archive, code="06.VP")
    file_id = url.split("/")[-2]
    staff = browser(archive.staff)
    page = staff.get(f"/ho-so/{file_id}/")
    assert "Thêm ghi chú" in page.content.decode()
    once = page.context["note_form"]["once"].value()
    posted = staff.post(f"/ho-so/{file_id}/ghi-chu/", {"once": once, "ghi_chu": NOTE})
    assert posted.status_code == 302 and posted["Location"] == f"/ho-so/{file_id}/"
    text = staff.get(f"/ho-so/{file_id}/").content.decode()
    assert "Đã trao đổi qua điện thoại với Sở Nội vụ ngày 02/12;<br>chờ bổ sung danh sách." in text
    with cross_agency("system"):
        assert WorkFile.objects.get(pk=file_id).documents.get().kind == "note"
    once = staff.get(f"/ho-so/{file_id}/").context["note_form"]["once"].value()
    theirs = WorkFileFactory(agency=AgencyFactory())
    assert staff.post(f"/ho-so/{theirs.pk}/ghi-chu/", {"once": once, "ghi_chu": NOTE}).status_code == 404
