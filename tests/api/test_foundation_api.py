"""The foundation endpoints of the API contract."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from docflow.notifications.services import notification_create
from tests.factories import AgencyFactory, MembershipFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_token_is_issued_for_valid_credentials_only(member_factory):
    member = member_factory(staff=True, user__username="thu")
    client = APIClient()
    ok = client.post("/api/v1/auth/token/", {"username": "thu", "password": "secret-pass-123"}, format="json")
    assert ok.status_code == 200 and len(ok.json()["token"]) == 40
    bad = client.post("/api/v1/auth/token/", {"username": "thu", "password": "wrong"}, format="json")
    assert bad.status_code == 401
    missing = client.post("/api/v1/auth/token/", {"username": "thu"}, format="json")
    assert missing.status_code == 400 and "password" in missing.json()
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {ok.json()['token']}")
    assert me.status_code == 200 and me.json()["username"] == "thu"
    assert member.agency.code == me.json()["agency"]["code"]


def test_me_reports_agency_and_roles(client_for):
    unit = UnitFactory(symbol="VP")
    member = MembershipFactory(agency=unit.agency, unit=unit, clerk=True, is_leader=True)
    body = client_for(member).get("/api/v1/me/").json()
    assert body["agency"] == {"code": member.agency.code, "name": member.agency.name}
    assert body["roles"] == ["clerk", "leader"]
    assert body["unit"] == "VP"


def test_x_agency_header_selects_among_memberships(client_for, agency_a, agency_b):
    first = MembershipFactory(agency=agency_a, staff=True)
    MembershipFactory(agency=agency_b, user=first.user, leader=True)
    default = client_for(first).get("/api/v1/me/").json()
    assert default["agency"]["code"] == agency_a.code and default["roles"] == ["staff"]
    chosen = client_for(first, agency_header=agency_b.code).get("/api/v1/me/").json()
    assert chosen["agency"]["code"] == agency_b.code and chosen["roles"] == ["leader"]
    assert len(chosen["agencies"]) == 2


def test_x_agency_of_another_agency_is_refused(client_for, agency_a, agency_b):
    member = MembershipFactory(agency=agency_a, staff=True)
    response = client_for(member, agency_header=agency_b.code).get("/api/v1/me/")
    assert response.status_code == 403


def test_user_without_membership_is_refused(db):
    from docflow.api.tokens import token_issue
    from tests.factories import UserFactory

    user = UserFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user)[1]}")
    assert client.get("/api/v1/me/").status_code == 403


def test_anonymous_is_refused():
    assert APIClient().get("/api/v1/me/").status_code == 401


def test_agency_directory_search_ignores_diacritics(client_for):
    member = MembershipFactory(staff=True)
    AgencyFactory(code="000.04.31.H52", name="Ủy ban nhân dân xã Hồng Ngài")
    AgencyFactory(code="000.16.31.H52", name="Ủy ban nhân dân xã Háng Đồng")
    AgencyFactory(code="000.00.01.G08", name="Sở Tài nguyên và Môi trường", is_external=True)
    client = client_for(member)
    for query in ("hong ngai", "HỒNG NGÀI", "Hong"):
        codes = [a["code"] for a in client.get("/api/v1/agencies/", {"search": query}).json()["results"]]
        assert codes == ["000.04.31.H52"], query
    dong = client.get("/api/v1/agencies/", {"search": "dong"}).json()["results"]
    assert [a["code"] for a in dong] == ["000.16.31.H52"]
    row = dong[0]
    assert set(row) >= {"code", "name", "level", "parent_code", "is_external"}
    assert row["is_external"] is False
    outside = client.get("/api/v1/agencies/", {"search": "tai nguyen"}).json()["results"]
    assert [(a["code"], a["is_external"]) for a in outside] == [("000.00.01.G08", True)]


def test_agency_directory_paginates_with_cursors(client_for):
    member = MembershipFactory(staff=True)
    for _ in range(7):
        AgencyFactory()
    client = client_for(member)
    seen = []
    url = "/api/v1/agencies/?page_size=3"
    while url:
        body = client.get(url).json()
        seen += [a["code"] for a in body["results"]]
        url = body["next"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 8


def test_document_types_list_all_29(client_for):
    body = client_for(MembershipFactory(staff=True)).get("/api/v1/document-types/").json()
    assert len(body) == 29
    by_code = {t["code"]: t for t in body}
    assert by_code["quyet_dinh"] == {"code": "quyet_dinh", "name": "Quyết định", "abbreviation": "QĐ"}
    assert by_code["cong_van"]["abbreviation"] == ""
    assert by_code["quy_dinh"]["abbreviation"] == "QyĐ"


def test_schema_and_docs_are_public():
    client = APIClient()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/auth/token/", "/api/v1/me/", "/api/v1/agencies/", "/api/v1/document-types/",
                 "/api/v1/notifications/"):
        assert path in paths
    assert client.get("/api/docs/").status_code == 200


def make_notification(member, n=0):
    return notification_create(
        agency_id=member.agency_id, recipient_id=member.user_id, kind="test",
        title=f"Thông báo {n}", dedup_key=f"t:{member.pk}:{n}", email=False,
    )


def test_notifications_unread_first_and_mark_read(client_for):
    member = MembershipFactory(staff=True)
    notes = [make_notification(member, i) for i in range(3)]
    client = client_for(member)
    assert client.post(f"/api/v1/notifications/{notes[0].id}/read/").status_code == 204
    titles = [n["title"] for n in client.get("/api/v1/notifications/").json()["results"]]
    assert titles == ["Thông báo 2", "Thông báo 1", "Thông báo 0"]


def test_notification_of_another_agency_answers_404(client_for, agency_a, agency_b):
    mine = MembershipFactory(agency=agency_a, staff=True)
    # The same person in another agency: their notification there is not visible from here.
    theirs = MembershipFactory(agency=agency_b, user=mine.user, staff=True)
    other = make_notification(theirs)
    client = client_for(mine)
    assert client.post(f"/api/v1/notifications/{other.id}/read/").status_code == 404
    assert client.post(f"/api/v1/notifications/{uuid.uuid4()}/read/").status_code == 404
    assert client.get("/api/v1/notifications/").json()["results"] == []
    stranger = MembershipFactory(agency=agency_b, staff=True)
    assert client_for(stranger).post(f"/api/v1/notifications/{make_notification(mine, 5).id}/read/").status_code == 404


def test_notification_list_query_count_does_not_grow(client_for, django_assert_max_num_queries):
    member = MembershipFactory(staff=True)
    client = client_for(member)
    make_notification(member, 0)
    with django_assert_max_num_queries(4) as few:
        client.get("/api/v1/notifications/")
    for i in range(1, 30):
        make_notification(member, i)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/notifications/")
    assert len(many) == len(few)
