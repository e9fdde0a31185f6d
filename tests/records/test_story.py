"""A year of a district's files: the list copied forward, files opened and filled (a reply
suggested into the file of what it answers), closed, and handed to the archive as a BagIt ZIP."""

from __future__ import annotations

import io
import json
import zipfile

import bagit
import pytest

from docflow.audit.models import AuditEvent
from docflow.core.scoping import cross_agency
from docflow.records.file_list import file_entry_create, file_heading_create
from docflow.records.models import FileState, WorkFile
from tests.conftest import api_client_for

YEAR = 2026


def _last_year_list(archive):
    heading = file_heading_create(actor=archive.clerk, year=YEAR - 1, title="I. Tổ chức cán bộ")
    file_entry_create(actor=archive.clerk, year=YEAR - 1, code="01.TCCB", title="Hồ sơ rà soát cán bộ",
                      retention=20, heading_id=heading.id, unit="VP", responsible=archive.staff.user.username)
    file_entry_create(actor=archive.clerk, year=YEAR - 1, code="02.TCCB", title="Hồ sơ thi đua khen thưởng",
                      retention=None, heading_id=heading.id)


def test_year_story_from_list_to_verified_package(archive, tmp_path, django_capture_on_commit_callbacks):
    _last_year_list(archive)
    clerk, staff = api_client_for(archive.clerk), api_client_for(archive.staff)

    copied = clerk.post("/api/v1/file-list/copy/", {"from_year": YEAR - 1, "to_year": YEAR}, format="json")
    assert copied.status_code == 200 and copied.json() == {"copied": 2}
    assert clerk.post("/api/v1/file-list/copy/", {"from_year": YEAR - 1, "to_year": YEAR},
                      format="json").json() == {"copied": 0}
    listing = clerk.get(f"/api/v1/file-list/?year={YEAR}").json()
    assert [e["code"] for e in listing[0]["entries"]] == ["01.TCCB", "02.TCCB"]
    assert listing[0]["entries"][1]["retention"] == "permanent"
    csv = clerk.get(f"/api/v1/file-list/?year={YEAR}&format=csv")
    assert "Hồ sơ rà soát cán bộ" in csv.content.decode("utf-8-sig")
    assert clerk.get(f"/api/v1/file-list/?year={YEAR}&format=pdf").content.startswith(b"%PDF")

    entry_id = listing[0]["entries"][0]["id"]
    opened = clerk.post("/api/v1/files/", {"entry": entry_id}, format="json")
    assert opened.status_code == 201, opened.json()
    work_file = opened.json()
    assert work_file["state"] == "open" and work_file["retention"] == 20
    assert work_file["responsible"] == archive.staff.user.username
    ad_hoc = clerk.post("/api/v1/files/", {"code": "09.VP", "title": "Hồ sơ hội nghị tổng kết",
                                           "year": YEAR, "retention": "permanent"}, format="json")
    assert ad_hoc.status_code == 201 and ad_hoc.json()["retention"] == "permanent"
    assert any(e["code"] == "09.VP" for s in clerk.get(f"/api/v1/file-list/?year={YEAR}").json()
               for e in s["entries"])

    with django_capture_on_commit_callbacks(execute=True):
        copy = archive.received()
    unfiled = staff.get("/api/v1/files/unfiled-incoming/").json()["results"]
    assert unfiled == []  # not completed yet
    with django_capture_on_commit_callbacks(execute=True):
        reply = archive.answered(copy)
    assert [d["id"] for d in staff.get("/api/v1/files/unfiled-incoming/").json()["results"]] == [str(copy.pk)]

    url = f"/api/v1/files/{work_file['id']}/"
    added = staff.post(url + "documents/", {"incoming_id": str(copy.pk)}, format="json")
    assert added.status_code == 201 and added.json()["is_original"] is True
    assert added.json()["page_count"] >= 1
    assert staff.get("/api/v1/files/unfiled-incoming/").json()["results"] == []
    suggested = staff.get(f"/api/v1/files/suggested/?outgoing_id={reply.pk}").json()
    assert [f["id"] for f in suggested] == [work_file["id"]]
    assert staff.post(url + "documents/", {"outgoing_id": str(reply.pk)}, format="json").status_code == 201
    reference = staff.post(f"/api/v1/files/{ad_hoc.json()['id']}/documents/", {"incoming_id": str(copy.pk)},
                           format="json")
    assert reference.status_code == 201 and reference.json()["is_original"] is False
    assert [f["code"] for f in staff.get("/api/v1/files/mine/").json()["results"]] == ["01.TCCB"]

    closed = staff.post(url + "close/", {"note": "Kết thúc đợt rà soát."}, format="json")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert closed.json()["disposal_on"].startswith(str(int(closed.json()["closed_at"][:4]) + 20))
    refused = staff.post(url + "documents/", {"outgoing_id": str(reply.pk)}, format="json")
    assert refused.status_code == 409 and refused.json()["state"] == "closed"

    archivist = api_client_for(archive.archivist)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        made = archivist.post("/api/v1/archive-transfers/", {"files": [work_file["id"]]}, format="json")
    assert made.status_code == 202, made.json()
    package_url = f"/api/v1/archive-transfers/{made.json()['id']}/package/"
    waiting = archivist.get(package_url)
    assert waiting.status_code == 202 and waiting["Retry-After"]
    for callback in pending:
        callback()
    status = archivist.get(f"/api/v1/archive-transfers/{made.json()['id']}/").json()
    assert status["state"] == "ready" and status["progress"] == 100 and status["documents_done"] == 2
    assert clerk.get(url).json()["state"] == "transferred"  # marked, still readable

    response = archivist.get(package_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).extractall(tmp_path)
    (bag_dir,) = tmp_path.iterdir()
    bag = bagit.Bag(str(bag_dir))
    bag.validate()
    assert bag.info["Source-Organization"] == archive.agency.name
    (meta_path,) = bag_dir.glob("data/*/ho-so.json")
    meta = json.loads(meta_path.read_text())
    assert meta["so_ky_hieu_ho_so"] == "01.TCCB" and meta["tong_so_van_ban"] == 2
    with cross_agency("system"):
        copy.refresh_from_db()
    named = {(d["so_ky_hieu"], d["ngay_van_ban"]) for d in meta["van_ban"]}
    assert named == {(copy.notation, copy.issued_on.isoformat()),
                     (reply.notation, reply.issued_at.date().isoformat())}
    for document in meta["van_ban"]:
        assert document["tep"], document
        for part in document["tep"]:
            assert (bag_dir / part["duong_dan"]).is_file()
    assert (bag_dir / "data" / "muc-luc-ho-so.pdf").read_bytes().startswith(b"%PDF")

    # A damaged byte fails the check: the checksums are real.
    victim = bag_dir / meta["van_ban"][0]["tep"][0]["duong_dan"]
    victim.write_bytes(victim.read_bytes() + b"x")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(bag_dir)).validate()


def test_closed_file_reopened_only_by_admin_with_reason(archive):
    clerk, admin = api_client_for(archive.clerk), api_client_for(archive.admin)
    made = clerk.post("/api/v1/files/", {"code": "05.VP", "title": "Hồ sơ tiếp dân", "year": YEAR,
                                         "retention": 10}, format="json").json()
    url = f"/api/v1/files/{made['id']}/"
    assert clerk.post(url + "close/", {"note": ""}, format="json").status_code == 400
    assert clerk.post(url + "close/", {"note": "Xong."}, format="json").status_code == 200
    assert clerk.post(url + "close/", {"note": "Lần hai."}, format="json").status_code == 409
    assert clerk.post(url + "reopen/", {"reason": "Bổ sung"}, format="json").status_code == 403
    assert admin.post(url + "reopen/", {"reason": ""}, format="json").json() == {
        "reason": ["Cần lý do mở lại hồ sơ."]}
    reopened = admin.post(url + "reopen/", {"reason": "Bổ sung biên bản tiếp dân tháng 12"}, format="json")
    assert reopened.status_code == 200 and reopened.json()["state"] == "open"
    assert reopened.json()["disposal_on"] is None
    with cross_agency("system"):
        event = AuditEvent.objects.get(action="work_file.reopened", object_id=made["id"])
        assert event.data["reason"] == "Bổ sung biên bản tiếp dân tháng 12"
        assert event.actor_id == archive.admin.user_id
        assert WorkFile.objects.get(pk=made["id"]).state == FileState.OPEN


def test_a_reply_drafted_from_a_filed_copy_is_suggested_into_its_file(archive, django_capture_on_commit_callbacks):
    from docflow.routing.replies import incoming_reply_draft

    with django_capture_on_commit_callbacks(execute=True):
        copy = archive.received()
    staff = api_client_for(archive.staff)
    made = api_client_for(archive.clerk).post("/api/v1/files/", {"code": "08.VP", "title": "Hồ sơ rà soát",
                                                                 "year": YEAR, "retention": 10}, format="json").json()
    assert staff.post(f"/api/v1/files/{made['id']}/documents/", {"incoming_id": str(copy.pk)},
                      format="json").status_code == 201
    draft = incoming_reply_draft(actor=archive.staff, incoming_id=copy.pk)
    assert [f["id"] for f in staff.get(f"/api/v1/files/suggested/?outgoing_id={draft.pk}").json()] == [made["id"]]
    added = staff.post(f"/api/v1/files/{made['id']}/documents/", {"outgoing_id": str(draft.pk)}, format="json")
    assert added.status_code == 201 and added.json()["notation"] == ""  # a draft has no number yet
