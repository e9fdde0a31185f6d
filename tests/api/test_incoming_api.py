"""/api/v1/incoming/: a commune's work on what arrives, through the API contract."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from docflow.core.scoping import cross_agency
from docflow.routing import handling
from docflow.routing.models import IncomingDocument
from tests.factories import AgencyFactory, MembershipFactory
from tests.routing.conftest import commune, district, other_commune  # noqa: F401
from tests.routing.factories import sent_copy

pytestmark = pytest.mark.django_db

URL = "/api/v1/incoming/"


def url(incoming, step: str = "") -> str:
    return f"{URL}{incoming.id}/" + (f"{step}/" if step else "")


def assign_to(office, incoming, **kwargs):
    handling.incoming_accept(membership=office.clerk, incoming_id=incoming.id)
    return handling.incoming_assign(membership=office.leader, incoming_id=incoming.id,
                                    lead=office.staff.user.username, **kwargs)


def set_due(incoming, days: int) -> None:
    """Arrange a deadline relative to today (the rules forbid setting one in the past)."""
    with cross_agency("system"):
        IncomingDocument.objects.filter(pk=incoming.pk).update(
            due_date=timezone.localdate() + timedelta(days=days)
        )


def test_clerk_accepts_and_the_answer_is_the_registered_copy(client_for, commune, district):
    incoming = sent_copy(sender=district, recipient=commune.agency, attachments=2)
    response = client_for(commune.clerk).post(url(incoming, "accept"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status_code"], body["status"], body["incoming_number"]) == ("03", "accepted", 1)
    assert body["register"] == "Sổ văn bản đến" and body["received_by"]["username"] == commune.clerk.user.username
    assert body["sender_code"] == district.code and body["signer"]["full_name"]
    assert len(body["attachments"]) == 2 and len(body["attachments"][0]["sha256"]) == 64
    assert [h["action"] for h in body["history"]] == ["incoming.accept"]
    assert body["history"][0]["status_before"] == "01" and body["history"][0]["status_after"] == "03"


def test_a_user_of_another_commune_gets_404_for_every_action(client_for, commune, other_commune, district):
    theirs = sent_copy(sender=district, recipient=other_commune.agency)
    bodies = {
        "reject": {"reason": "x"}, "assign": {"lead": commune.staff.user.username},
        "forward": {"to": commune.staff2.user.username}, "progress": {"note": "x"},
        "opinion": {"note": "x"}, "complete": {"note": "x"}, "recall-decision": {"accept": True},
    }
    for member in (commune.clerk, commune.leader, commune.staff):
        client = client_for(member)
        assert client.get(url(theirs)).status_code == 404
        for step in ("accept", *bodies):
            response = client.post(url(theirs, step), bodies.get(step, {}), format="json")
            assert response.status_code == 404, (member, step, response.content)
    with cross_agency("system"):
        assert IncomingDocument.objects.get(pk=theirs.pk).status_code == "01"


def test_staff_cannot_assign(client_for, commune, district):
    incoming = sent_copy(sender=district, recipient=commune.agency)
    handling.incoming_accept(membership=commune.clerk, incoming_id=incoming.id)
    response = client_for(commune.staff).post(
        url(incoming, "assign"), {"lead": commune.staff.user.username}, format="json"
    )
    assert response.status_code == 403


def test_completing_a_document_that_is_not_assigned_is_409(client_for, commune, district):
    incoming = sent_copy(sender=district, recipient=commune.agency)
    handling.incoming_accept(membership=commune.clerk, incoming_id=incoming.id)
    response = client_for(commune.leader).post(url(incoming, "complete"), {"note": "Xong"}, format="json")
    assert response.status_code == 409
    assert response.json()["state"] == "accepted" and response.json()["detail"]


def test_bad_input_names_the_field(client_for, commune, district):
    incoming = sent_copy(sender=district, recipient=commune.agency)
    clerk, leader = client_for(commune.clerk), client_for(commune.leader)
    assert "reason" in clerk.post(url(incoming, "reject"), {}, format="json").json()
    handling.incoming_accept(membership=commune.clerk, incoming_id=incoming.id)
    unknown = leader.post(url(incoming, "assign"), {"lead": "khongco"}, format="json")
    assert unknown.status_code == 400 and list(unknown.json()) == ["lead"]
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    late = leader.post(url(incoming, "assign"),
                       {"lead": commune.staff.user.username, "due_date": past}, format="json")
    assert late.status_code == 400 and list(late.json()) == ["due_date"]
    bad_list = client_for(commune.staff).get(URL, {"list": "nothing", "status": "99"})
    assert bad_list.status_code == 400 and set(bad_list.json()) == {"list", "status"}
    assert client_for(commune.staff).get(f"{URL}not-a-uuid/").status_code == 404


def test_handling_through_the_api_and_the_detail_tells_the_story(client_for, commune, district):
    incoming = sent_copy(sender=district, recipient=commune.agency)
    assert client_for(commune.clerk).post(url(incoming, "accept")).status_code == 200
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    assigned = client_for(commune.leader).post(url(incoming, "assign"), {
        "lead": commune.staff.user.username, "coordinators": [commune.staff2.user.username],
        "informed": [commune.staff3.user.username], "due_date": due, "instruction": "Tham mưu",
    }, format="json")
    assert assigned.status_code == 200 and assigned.json()["due_date"] == due
    opinion = client_for(commune.staff2).post(url(incoming, "opinion"), {"note": "Đồng ý"}, format="json")
    assert opinion.status_code == 200
    assert client_for(commune.staff3).post(url(incoming, "opinion"), {"note": "x"}, format="json").status_code == 403
    lead = client_for(commune.staff)
    assert lead.post(url(incoming, "progress"), {"note": "Đang tổng hợp"}, format="json").status_code == 200
    forwarded = lead.post(url(incoming, "forward"), {"to": commune.staff2.user.username}, format="json")
    assert forwarded.status_code == 200 and forwarded.json()["lead"]["username"] == commune.staff2.user.username
    done = client_for(commune.staff2).post(url(incoming, "complete"), {"note": "Đã báo cáo"}, format="json")
    body = done.json()
    assert body["status_code"] == "06" and body["completion_note"] == "Đã báo cáo"
    assert [h["action"] for h in body["history"]] == [
        "incoming.accept", "incoming.assign", "incoming.opinion", "incoming.progress",
        "incoming.forward", "incoming.complete",
    ]
    assert [n["kind"] for n in body["notes"]] == ["opinion", "progress", "forward", "complete"]
    active = [(a["user"]["username"], a["role"]) for a in body["assignments"] if a["is_active"]]
    assert (commune.staff2.user.username, "lead") in active


def test_the_detail_answers_every_field_as_drf_writes_it(client_for, commune, district):
    """The copy is written directly (``IncomingDetailSerializer.to_representation``): each
    field as DRF's declared fields write it, for a copy with signed attachments, assignments,
    notes and history, read with only the columns its answer shows."""
    from docflow.api.incoming_serializers import IncomingDetailSerializer, row_json
    from docflow.core.scoping import agency_scope
    from docflow.documents.signing.models import FileVerification
    from docflow.routing.models import IncomingAttachment
    from docflow.routing.selectors import incoming_detail

    incoming = sent_copy(sender=district, recipient=commune.agency, attachments=2)
    assign_to(commune, incoming, coordinators=[commune.staff2.user.username],
              informed=[commune.staff3.user.username], instruction="Tham mưu")
    handling.incoming_opinion(membership=commune.staff2, incoming_id=incoming.id, note="Đồng ý")
    handling.incoming_complete(membership=commune.staff, incoming_id=incoming.id, note="Xong")
    with cross_agency("system"):
        file_id = IncomingAttachment.objects.filter(incoming=incoming).values_list("file_id", flat=True)[0]
    FileVerification.objects.create(file_id=file_id, signatures=[{"signer": "A", "valid": True}])
    answer = client_for(commune.staff).get(url(incoming)).json()
    with agency_scope(commune.agency):
        copy = incoming_detail(incoming_id=incoming.id)
    serializer = IncomingDetailSerializer(copy)
    lead = (copy.lead.username, copy.lead.full_name, copy.lead.first_name, copy.lead.last_name)
    by_drf = row_json(copy, lead, tz=timezone.get_current_timezone(), today=timezone.localdate())
    for field in serializer._readable_fields:
        if field.field_name not in by_drf:
            value = field.get_attribute(copy)
            by_drf[field.field_name] = None if value is None else field.to_representation(value)
    assert answer == by_drf and list(answer) == list(by_drf)
    assert [a["signatures"] is not None for a in answer["attachments"]].count(True) == 1
    assert len(answer["assignments"]) == 3 and len(answer["notes"]) == 2 and answer["register"]


def test_recall_decision_through_the_api(client_for, commune, district):
    incoming = sent_copy(sender=district, recipient=commune.agency)
    with cross_agency("system"):
        IncomingDocument.objects.filter(pk=incoming.pk).update(
            status_code="13", status_before_recall="01", recall_reason="Sai sót")
    response = client_for(commune.clerk).post(url(incoming, "recall-decision"), {"accept": True}, format="json")
    assert response.status_code == 200 and response.json()["status_code"] == "15"
    listed = client_for(commune.clerk).get(URL).json()["results"]
    assert listed == []
    assert [r["id"] for r in client_for(commune.clerk).get(URL, {"list": "all"}).json()["results"]] == [str(incoming.id)]


def test_work_lists_and_filters(client_for, commune, district):
    copy = lambda **kw: sent_copy(sender=district, recipient=commune.agency, **kw)  # noqa: E731
    arrived = copy(subject="Về việc phòng chống thiên tai", urgency="flash")
    to_approve = copy(subject="Báo cáo tình hình điện lưới")
    handling.incoming_accept(membership=commune.clerk, incoming_id=to_approve.id)
    mine = copy()
    assign_to(commune, mine, informed=[commune.staff3.user.username])
    late = copy()
    assign_to(commune, late)
    set_due(late, -1)
    soon = copy()
    assign_to(commune, soon)
    set_due(soon, 1)
    other_sender = AgencyFactory()
    foreign = sent_copy(sender=other_sender, recipient=commune.agency)

    def ids(member, **params):
        response = client_for(member).get(URL, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    def of(*docs):
        return {str(d.id) for d in docs}

    assert ids(commune.clerk, list="to_accept") == of(arrived, foreign)
    assert ids(commune.leader, list="to_approve") == of(to_approve)
    assert ids(commune.staff, list="to_handle") == of(mine, late, soon)
    assert ids(commune.staff2, list="to_handle") == set()
    assert ids(commune.staff3, list="informed") == of(mine)
    assert ids(commune.leader, list="overdue") == of(late)
    assert ids(commune.leader, list="due_soon") == of(soon)  # the others are due in 10 days
    assert ids(commune.staff, list="overdue", mine="true") == of(late)
    assert ids(commune.staff2, list="overdue", mine="true") == set()
    assert ids(commune.staff, status="01,accepted") == of(arrived, foreign, to_approve)
    assert ids(commune.staff, urgency="flash") == of(arrived)
    assert ids(commune.staff, sender=other_sender.code) == of(foreign)
    assert ids(commune.staff, q="dien luoi") == of(to_approve)  # accents ignored
    assert ids(commune.staff, q="THIÊN TAI") == of(arrived)
    assert ids(commune.staff, due_before=timezone.localdate().isoformat()) == of(late)
    today = timezone.localdate()
    assert len(ids(commune.staff, received_from=today.isoformat(), received_to=today.isoformat())) == 6
    assert ids(commune.staff, received_to=(today - timedelta(days=1)).isoformat()) == set()
    rows = client_for(commune.staff).get(URL, {"list": "overdue"}).json()["results"]
    assert [r["is_overdue"] for r in rows] == [True]


def test_cursor_pages_walk_every_row_once_newest_first(client_for, commune, district):
    made = [sent_copy(sender=district, recipient=commune.agency) for _ in range(7)]
    client = client_for(commune.staff)
    seen, page = [], client.get(URL, {"page_size": 3}).json()
    while True:
        seen += [row["id"] for row in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
    expected = sorted(made, key=lambda d: (d.delivered_at, d.id), reverse=True)
    assert seen == [str(d.id) for d in expected]
    row = client.get(URL, {"page_size": 1}).json()["results"][0]
    assert datetime.fromisoformat(row["delivered_at"]) == expected[0].delivered_at
    assert row["delivered_at"].endswith("+07:00")  # local time, as DRF writes it


@pytest.mark.parametrize("work_list", ["", "to_accept", "to_handle", "informed", "overdue", "due_soon", "all"])
def test_list_costs_the_same_queries_for_2_and_for_50_rows(client_for, commune, district, work_list):
    def count_for(rows: int) -> int:
        with cross_agency("system"):
            IncomingDocument.objects.all().delete()
        for _ in range(rows):
            incoming = sent_copy(sender=district, recipient=commune.agency)
            if work_list not in ("", "to_accept", "all"):
                assign_to(commune, incoming, informed=[commune.staff3.user.username])
                set_due(incoming, -1 if work_list == "overdue" else 1)
        member = commune.staff3 if work_list == "informed" else commune.staff
        client = client_for(member)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"list": work_list} if work_list else {})
        assert response.status_code == 200 and len(response.json()["results"]) == rows
        return len(queries)

    assert count_for(2) == count_for(50)


def test_a_page_of_the_plain_list_costs_the_token_lookup_and_the_page(
    client_for, commune, district, django_assert_num_queries
):
    for _ in range(3):
        sent_copy(sender=district, recipient=commune.agency)
    client = client_for(commune.staff)
    with django_assert_num_queries(2):  # token + user + memberships, then the page; no COUNT
        first = client.get(URL, {"page_size": 2})
    assert first.status_code == 200 and len(first.json()["results"]) == 2
    with django_assert_num_queries(2):
        second = client.get(first.json()["next"])
    assert second.status_code == 200 and len(second.json()["results"]) == 1
    with django_assert_num_queries(2):  # a filter is validated, and still one query for the page
        assert client.get(URL, {"urgency": "normal"}).status_code == 200
    bad = client.get(URL, {"urgency": "soon"})
    assert bad.status_code == 400 and "urgency" in bad.json()


def test_detail_costs_a_fixed_number_of_queries(client_for, commune, district):
    def count_for(extra: int) -> int:
        incoming = sent_copy(sender=district, recipient=commune.agency, attachments=extra)
        assign_to(commune, incoming, coordinators=[commune.staff2.user.username] if extra > 1 else [])
        for i in range(extra):
            handling.incoming_progress(membership=commune.staff, incoming_id=incoming.id, note=f"Bước {i}")
        client = client_for(commune.staff)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(incoming)).status_code == 200
        return len(queries)

    assert count_for(1) == count_for(8)


def test_detail_of_a_handled_copy_costs_the_token_and_five_reads(
    client_for, commune, district, django_assert_num_queries
):
    incoming = sent_copy(sender=district, recipient=commune.agency, attachments=2)
    assign_to(commune, incoming, coordinators=[commune.staff2.user.username])
    handling.incoming_progress(membership=commune.staff, incoming_id=incoming.id, note="Đang làm")
    client = client_for(commune.staff)
    # The token with its user and memberships; the copy with its lead, clerk, register and
    # reply; its attachments, assignments, notes; its history.
    with django_assert_num_queries(6):
        response = client.get(url(incoming))
    body = response.json()
    assert response.status_code == 200 and len(body["attachments"]) == 2
    assert len(body["assignments"]) == 2 and len(body["notes"]) == 1 and len(body["history"]) == 3


def test_accept_costs_a_fixed_number_of_queries(client_for, commune, district, django_assert_num_queries):
    """The token; the copy locked; the register (one query for the type's own and the
    general), its counter; the copy saved (its register and clerk not looked up again); the
    sender's delivery locked and saved; the audit chain; the sender's people and their gathered
    notification; the work done; the leaders and their notifications in one batch (no savepoint
    inside the service's transaction); the stamp's work in one INSERT; after commit, the stamp's
    task sent and run (eager in tests); the answer's five reads."""
    incoming = sent_copy(sender=district, recipient=commune.agency, attachments=2)
    client = client_for(commune.clerk)
    with django_assert_num_queries(39):
        response = client.post(url(incoming, "accept"))
    assert response.status_code == 200 and response.json()["status_code"] == "03"


def test_agency_admin_sets_default_due_days(client_for, commune):
    admin = MembershipFactory(agency=commune.agency, admin=True)
    assert client_for(commune.staff).get(f"{URL}settings/").json()["normal_days"] == 10
    assert client_for(commune.leader).patch(f"{URL}settings/", {"urgent_days": 2}, format="json").status_code == 403
    changed = client_for(admin).patch(f"{URL}settings/", {"urgent_days": 2}, format="json")
    assert changed.status_code == 200 and changed.json()["urgent_days"] == 2
    bad = client_for(admin).patch(f"{URL}settings/", {"flash_days": 0}, format="json")
    assert bad.status_code == 400 and "flash_days" in bad.json()
