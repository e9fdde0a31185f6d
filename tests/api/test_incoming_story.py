"""The whole story across agencies, through the API only: the district issues a công văn to two
communes; Phiêng Ban accepts it, its leader assigns it, its staff report progress and complete
it with their own issued reply; Song Pe rejects it; the district sees 06 and 02 with their times."""

from __future__ import annotations

from datetime import datetime

import pytest

from docflow.tenancy.models import AgencyLevel
from tests.documents.story import sending_office
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

OUTGOING = "/api/v1/outgoing/"
INCOMING = "/api/v1/incoming/"


def issue(office, client_for, **fields) -> dict:
    """Draft (staff), submit, approve (leader) and issue (clerk) through the API."""
    staff, leader, clerk = (client_for(m) for m in (office.staff, office.leader, office.clerk))
    created = staff.post(OUTGOING, {"doc_type": "cong_van", "unit": "VP", **fields}, format="json")
    assert created.status_code == 201, created.json()
    url = f"{OUTGOING}{created.json()['id']}/"
    assert staff.post(url + "submit/").status_code == 200
    assert leader.post(url + "approve/").status_code == 200
    issued = clerk.post(url + "issue/")
    assert issued.status_code == 200, issued.json()
    return issued.json()


def the_copy(client, notation: str) -> dict:
    rows = client.get(INCOMING, {"list": "to_accept"}).json()["results"]
    found = [row for row in rows if row["notation"] == notation]
    assert len(found) == 1, rows
    return found[0]


def test_district_issues_one_commune_completes_with_a_reply_the_other_rejects(client_for):
    district = sending_office(name="Ủy ban nhân dân huyện Bắc Yên", level=AgencyLevel.DISTRICT)
    phieng_ban = sending_office(AgencyFactory(name="Ủy ban nhân dân xã Phiêng Ban"))
    song_pe = sending_office(AgencyFactory(name="Ủy ban nhân dân xã Song Pe"))

    sent = issue(district, client_for, subject="Về việc báo cáo thiệt hại do mưa lũ",
                 body="Đề nghị UBND các xã báo cáo trước ngày 30.", urgency="urgent",
                 recipients=[phieng_ban.agency.code, song_pe.agency.code])

    # Song Pe's clerk: wrongly addressed.
    song_pe_clerk = client_for(song_pe.clerk)
    theirs = the_copy(song_pe_clerk, sent["notation"])
    rejected = song_pe_clerk.post(f"{INCOMING}{theirs['id']}/reject/",
                                  {"reason": "Xã không có thiệt hại, gửi nhầm."}, format="json")
    assert rejected.status_code == 200 and rejected.json()["status_code"] == "02"

    # Phiêng Ban: accepted, assigned, in progress, answered, completed.
    clerk, leader, staff = (client_for(m) for m in (phieng_ban.clerk, phieng_ban.leader, phieng_ban.staff))
    ours = the_copy(clerk, sent["notation"])
    assert (ours["sender_code"], ours["urgency"]) == (district.agency.code, "urgent")
    url = f"{INCOMING}{ours['id']}/"
    accepted = clerk.post(url + "accept/").json()
    assert (accepted["status_code"], accepted["incoming_number"]) == ("03", 1)
    assert leader.get(INCOMING, {"list": "to_approve"}).json()["results"][0]["id"] == ours["id"]
    assigned = leader.post(url + "assign/", {"lead": phieng_ban.staff.user.username,
                                             "instruction": "Tổng hợp, báo cáo huyện."}, format="json")
    assert assigned.status_code == 200 and assigned.json()["due_date"]
    assert [r["id"] for r in staff.get(INCOMING, {"list": "to_handle"}).json()["results"]] == [ours["id"]]
    assert staff.post(url + "progress/", {"note": "Đang thống kê các thôn."}, format="json").status_code == 200
    reply = issue(phieng_ban, client_for, subject="Báo cáo thiệt hại do mưa lũ",
                  body="UBND xã Phiêng Ban báo cáo...", recipients=[district.agency.code])
    done = staff.post(url + "complete/", {"note": "Đã báo cáo huyện.", "reply_outgoing_id": reply["id"]},
                      format="json")
    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["status_code"] == "06" and body["reply_outgoing"]["notation"] == reply["notation"]
    assert [h["action"] for h in body["history"]] == [
        "incoming.delivered", "incoming.accept", "incoming.assign", "incoming.progress",
        "incoming.complete",
    ]

    # The district sees each commune's status with its time.
    deliveries = client_for(district.staff).get(f"{OUTGOING}{sent['id']}/deliveries/").json()["results"]
    by_code = {d["agency_code"]: d for d in deliveries}
    assert (by_code[phieng_ban.agency.code]["status_code"], by_code[phieng_ban.agency.code]["status"]) == ("06", "completed")
    assert (by_code[song_pe.agency.code]["status_code"], by_code[song_pe.agency.code]["status"]) == ("02", "rejected")
    completed_at = datetime.fromisoformat(by_code[phieng_ban.agency.code]["updated_at"])
    rejected_at = datetime.fromisoformat(by_code[song_pe.agency.code]["updated_at"])
    assert rejected_at < completed_at
    # ...and the reply has arrived in the district's own incoming list.
    district_inbox = client_for(district.clerk).get(INCOMING, {"list": "to_accept"}).json()["results"]
    assert [(r["notation"], r["sender_code"]) for r in district_inbox] == [(reply["notation"], phieng_ban.agency.code)]
