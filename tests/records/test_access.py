"""Who may do what with files and transfers, and another agency's ids answering 404."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docflow.core.scoping import cross_agency
from tests.conftest import api_client_for
from tests.factories import AgencyFactory, MembershipFactory
from tests.records.factories import WorkFileFactory, filled
from tests.routing.factories import IncomingDocumentFactory

NEW_FILE = {"code": "07.VP", "title": "Hồ sơ phòng chống thiên tai", "year": 2026, "retention": 10}


def test_staff_may_not_open_files_copy_the_list_or_transfer(archive):
    staff = api_client_for(archive.staff)
    assert staff.post("/api/v1/files/", NEW_FILE, format="json").status_code == 403
    assert staff.post("/api/v1/file-list/copy/", {"from_year": 2025, "to_year": 2026},
                      format="json").status_code == 403
    assert staff.post("/api/v1/archive-transfers/", {"files": []}, format="json").status_code == 403
    assert staff.get("/api/v1/archive-transfers/").status_code == 403


@pytest.mark.parametrize("role", ["clerk", "leader", "archivist"])
def test_list_keepers_open_files(archive, role):
    response = api_client_for(getattr(archive, role)).post("/api/v1/files/", NEW_FILE, format="json")
    assert response.status_code == 201 and response.json()["state"] == "open"


def test_leader_may_not_transfer_and_only_keeper_clerk_or_archivist_close(archive):
    made = api_client_for(archive.clerk).post(
        "/api/v1/files/", {**NEW_FILE, "responsible": archive.staff.user.username}, format="json").json()
    url = f"/api/v1/files/{made['id']}/close/"
    assert api_client_for(archive.staff2).post(url, {"note": "x"}, format="json").status_code == 403
    assert api_client_for(archive.leader).post(url, {"note": "x"}, format="json").status_code == 403
    assert api_client_for(archive.staff).post(url, {"note": "Xong việc."}, format="json").status_code == 200
    leader = api_client_for(archive.leader)
    assert leader.post("/api/v1/archive-transfers/", {"files": [made["id"]]}, format="json").status_code == 403


def test_only_agency_admin_edits_the_retention_table(archive):
    rule = {"code": "9.9", "name": "Hồ sơ dự án đầu tư công", "retention": "permanent"}
    assert api_client_for(archive.clerk).post("/api/v1/retention-rules/", rule, format="json").status_code == 403
    saved = api_client_for(archive.admin).post("/api/v1/retention-rules/", rule, format="json")
    assert saved.status_code == 200 and saved.json()["retention"] == "permanent"
    table = api_client_for(archive.staff).get("/api/v1/retention-rules/").json()
    assert {"1.1", "5.3", "9.9"} <= {r["code"] for r in table}


def test_bad_input_names_the_field(archive):
    clerk = api_client_for(archive.clerk)
    assert clerk.post("/api/v1/files/", {**NEW_FILE, "retention": "mãi mãi"}, format="json").json() == {
        "retention": ['Thời hạn là số năm hoặc "permanent".']}
    assert "code" in clerk.post("/api/v1/files/", {**NEW_FILE, "code": ""}, format="json").json()
    made = clerk.post("/api/v1/files/", NEW_FILE, format="json").json()
    assert "code" in clerk.post("/api/v1/files/", NEW_FILE, format="json").json()  # same code, same year
    both = clerk.post(f"/api/v1/files/{made['id']}/documents/", {}, format="json")
    assert both.status_code == 400 and "incoming_id" in both.json()
    not_closed = clerk.post("/api/v1/archive-transfers/", {"files": [made["id"]]}, format="json")
    assert not_closed.status_code == 400 and "files" in not_closed.json()


def test_another_agencys_file_transfer_and_documents_answer_404_or_400(archive):
    other = AgencyFactory()
    theirs = WorkFileFactory(agency=other, state="closed")
    their_copy = IncomingDocumentFactory(agency=other)
    clerk = api_client_for(archive.clerk)
    for path in ("", "documents/", "close/", "reopen/"):
        method = clerk.get if not path else clerk.post
        assert method(f"/api/v1/files/{theirs.pk}/{path}", {}, format="json").status_code == 404
    assert clerk.get("/api/v1/files/").json()["results"] == []
    ours = clerk.post("/api/v1/files/", NEW_FILE, format="json").json()
    added = clerk.post(f"/api/v1/files/{ours['id']}/documents/", {"incoming_id": str(their_copy.pk)}, format="json")
    assert added.status_code == 400 and "incoming_id" in added.json()
    assert clerk.post("/api/v1/archive-transfers/", {"files": [str(theirs.pk)]},
                      format="json").status_code == 400
    their_clerk = MembershipFactory(agency=other, clerk=True)
    with_files = api_client_for(their_clerk).post("/api/v1/archive-transfers/", {"files": [str(theirs.pk)]},
                                                  format="json")
    transfer_id = with_files.json()["id"]
    for path in ("", "package/", "handover-list/", "handover-record/"):
        assert clerk.get(f"/api/v1/archive-transfers/{transfer_id}/{path}").status_code == 404


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_file_list_costs_the_same_queries_for_5_and_200_files(archive):
    clerk = api_client_for(archive.clerk)
    WorkFileFactory.create_batch(5, agency=archive.agency)
    few = _queries(clerk, "/api/v1/files/")
    WorkFileFactory.create_batch(195, agency=archive.agency)
    assert _queries(clerk, "/api/v1/files/?year=2026") == few
    assert len(clerk.get("/api/v1/files/").json()["results"]) == 50  # one page


def test_a_file_costs_the_same_queries_with_5_and_200_documents(archive):
    clerk = api_client_for(archive.clerk)
    small = filled(WorkFileFactory(agency=archive.agency), 5)
    large = filled(WorkFileFactory(agency=archive.agency), 200)
    few = _queries(clerk, f"/api/v1/files/{small.pk}/")
    assert _queries(clerk, f"/api/v1/files/{large.pk}/") == few
    assert len(clerk.get(f"/api/v1/files/{large.pk}/").json()["documents"]) == 200


def test_the_years_file_list_costs_the_same_queries_for_5_and_200_entries(archive):
    from docflow.records.models import FileListEntry, FileListHeading

    clerk = api_client_for(archive.clerk)
    with cross_agency("system"):
        heading = FileListHeading.objects.create(agency=archive.agency, year=2026, title="I. Tổng hợp")

    def entries(start: int, count: int) -> None:
        FileListEntry.objects.cross_agency("system").bulk_create([
            FileListEntry(agency=archive.agency, year=2026, heading=heading if n % 2 else None, position=n,
                          code=f"{n:03d}.TH", title=f"Hồ sơ số {n}", responsible=archive.staff.user)
            for n in range(start, start + count)
        ])

    entries(0, 5)
    few = _queries(clerk, "/api/v1/file-list/?year=2026")
    entries(5, 195)
    assert _queries(clerk, "/api/v1/file-list/?year=2026") == few
    assert sum(len(s["entries"]) for s in clerk.get("/api/v1/file-list/?year=2026").json()) == 200


def test_a_list_line_takes_its_period_from_the_retention_table(archive):
    clerk = api_client_for(archive.clerk)
    rule = next(r for r in clerk.get("/api/v1/retention-rules/").json() if r["code"] == "3.2")
    line = clerk.post("/api/v1/file-list/entries/", {"year": 2026, "code": "12.TT", "title": "Hồ sơ khiếu nại",
                                                     "retention": 5, "retention_rule": rule["id"]}, format="json")
    assert line.status_code == 201 and line.json()["retention"] == rule["retention"] == 15
    other = clerk.post("/api/v1/file-list/entries/", {"year": 2026, "code": "13.TT", "title": "Hồ sơ",
                                                      "retention_rule": "01a23374-e21e-77e9-82c2-5dbd2698ca9e"},
                       format="json")
    assert other.status_code == 400 and "retention_rule" in other.json()


def test_documents_are_reordered_once_each_and_copy_forward_needs_a_list(archive):
    clerk = api_client_for(archive.clerk)
    work_file = filled(WorkFileFactory(agency=archive.agency, opened_by=archive.clerk.user), 3)
    url = f"/api/v1/files/{work_file.pk}/"
    ids = [d["id"] for d in clerk.get(url).json()["documents"]]
    reordered = clerk.post(url + "documents/order/", {"order": ids[::-1]}, format="json")
    assert reordered.status_code == 200
    assert [(d["id"], d["position"]) for d in reordered.json()["documents"]] == list(zip(ids[::-1], [1, 2, 3]))
    assert clerk.post(url + "documents/order/", {"order": ids[:2]}, format="json").json() == {
        "order": ["Cần liệt kê mỗi văn bản của hồ sơ đúng một lần."]}
    assert "from_year" in clerk.post("/api/v1/file-list/copy/", {"from_year": 2019, "to_year": 2020},
                                     format="json").json()
