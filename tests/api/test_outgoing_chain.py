"""The outgoing story through /api/v1/outgoing/: draft → submit → return → submit → approve →
issue, with the notation, the deliveries and the recipients' copies it leaves."""

from __future__ import annotations

import pytest
from django.utils import timezone

from docflow.core.scoping import cross_agency
from docflow.routing.models import IncomingDocument
from tests.documents.story import sending_office
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/outgoing/"


def test_quyet_dinh_goes_through_the_whole_chain_and_reaches_both_communes(client_for):
    office = sending_office(symbol="UBND")
    communes = [AgencyFactory(), AgencyFactory()]
    staff, leader, clerk = (client_for(m) for m in (office.staff, office.leader, office.clerk))

    created = staff.post(URL, {
        "doc_type": "quyet_dinh", "subject": "Về việc thành lập Ban chỉ đạo chuyển đổi số",
        "body": "Điều 1. Thành lập Ban chỉ đạo.", "urgency": "urgent", "secrecy": "normal",
        "unit": "VP", "signer": office.leader.user.username, "signer_authority": "KT.",
        "recipients": [c.code for c in communes], "external_places": ["Như Điều 3"],
    }, format="json")
    assert created.status_code == 201, created.json()
    doc = created.json()
    assert doc["state"] == "draft" and doc["unit"] == "VP" and doc["signer"] == office.leader.user.username
    url = f"{URL}{doc['id']}/"

    assert staff.post(url + "submit/").json()["state"] == "pending_approval"
    returned = leader.post(url + "return/", {"comment": "Bổ sung căn cứ pháp lý."}, format="json")
    assert returned.status_code == 200
    assert returned.json()["state"] == "draft" and returned.json()["return_comment"] == "Bổ sung căn cứ pháp lý."
    edited = staff.patch(url, {"body": "Căn cứ Luật Tổ chức chính quyền địa phương.\nĐiều 1."}, format="json")
    assert edited.status_code == 200 and edited.json()["body"].startswith("Căn cứ")
    assert staff.post(url + "submit/").json()["state"] == "pending_approval"

    signed = leader.post(url + "approve/").json()
    assert signed["state"] == "approved" and signed["signed_by"] == office.leader.user.username
    assert signed["signed_at"] and signed["signer_position"] == "Chủ tịch"

    issued = clerk.post(url + "issue/")
    assert issued.status_code == 200, issued.json()
    body = issued.json()
    assert body["state"] == "issued" and body["number"] == 1
    assert body["notation"] == "01/QĐ-UBND"
    assert body["issued_at"] and body["pdf_ready"] is True

    deliveries = staff.get(url + "deliveries/").json()["results"]
    assert sorted(d["agency_code"] for d in deliveries) == sorted(c.code for c in communes)
    assert {(d["status_code"], d["status"]) for d in deliveries} == {("01", "delivered")}
    with cross_agency("system"):
        copies = list(IncomingDocument.objects.filter(source_document_id=doc["id"]))
    assert {c.agency_id for c in copies} == {c.pk for c in communes}
    copy = copies[0]
    assert (copy.status_code, copy.notation, copy.subject) == ("01", "01/QĐ-UBND", doc["subject"])
    assert copy.sender_code == office.agency.code and copy.signer_name == "Lò Văn Minh"
    assert copy.issued_on == timezone.localdate()


def test_cong_van_notation_names_agency_then_drafting_unit(client_for):
    office = sending_office(symbol="UBND")
    staff, leader, clerk = (client_for(m) for m in (office.staff, office.leader, office.clerk))
    ids = []
    for _ in range(5):
        doc = staff.post(URL, {"doc_type": "cong_van", "subject": "Về việc báo cáo số liệu",
                               "unit": "VP", "recipients": [AgencyFactory().code]}, format="json").json()
        staff.post(f"{URL}{doc['id']}/submit/")
        leader.post(f"{URL}{doc['id']}/approve/")
        ids.append(doc["id"])
    notations = [clerk.post(f"{URL}{i}/issue/").json()["notation"] for i in ids]
    assert notations == ["01/UBND-VP", "02/UBND-VP", "03/UBND-VP", "04/UBND-VP", "05/UBND-VP"]


def test_list_shows_the_agencys_documents_newest_first_with_fixed_queries(client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    office = sending_office()
    client = client_for(office.staff)
    for i in range(2):
        client.post(URL, {"doc_type": "thong_bao", "subject": f"Thông báo {i}"}, format="json")
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(URL).json()["results"]) == 2
    for i in range(2, 30):
        client.post(URL, {"doc_type": "thong_bao", "subject": f"Thông báo {i}"}, format="json")
    with CaptureQueriesContext(connection) as thirty:
        results = client.get(URL).json()["results"]
    assert [r["subject"] for r in results[:2]] == ["Thông báo 29", "Thông báo 28"]
    assert len(thirty.captured_queries) == len(two.captured_queries)
    drafts = client.get(URL, {"state": "draft"}).json()["results"]
    assert len(drafts) == 30
    assert client.get(URL, {"state": "issued"}).json()["results"] == []


def test_changing_the_signer_changes_the_position_printed_under_the_signature(client_for):
    from tests.factories import MembershipFactory

    office = sending_office()
    deputy = MembershipFactory(agency=office.agency, leader=True, position="Phó Chủ tịch")
    client = client_for(office.staff)
    doc = client.post(URL, {"doc_type": "thong_bao", "subject": "TB", "signer": office.leader.user.username},
                      format="json").json()
    assert doc["signer_position"] == "Chủ tịch"
    moved = client.patch(f"{URL}{doc['id']}/", {"signer": deputy.user.username, "signer_authority": "KT."},
                         format="json").json()
    assert (moved["signer"], moved["signer_position"], moved["signer_authority"]) == (
        deputy.user.username, "Phó Chủ tịch", "KT.")
    named = client.patch(f"{URL}{doc['id']}/", {"signer": office.leader.user.username,
                                                 "signer_position": "Chủ tịch UBND xã"}, format="json").json()
    assert named["signer_position"] == "Chủ tịch UBND xã"
