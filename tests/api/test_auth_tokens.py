"""API tokens: hashed at rest, one per sign-in, with expiry; listed and revoked by their owner;
ended by a password change or the end of a membership; one indexed query per request
(token, user and memberships)."""

from __future__ import annotations

import hashlib
import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from docflow.api.models import ApiToken
from docflow.api.tokens import token_issue
from docflow.core.scoping import cross_agency
from docflow.tenancy.models import User
from docflow.tenancy.passwords import password_change
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
PASSWORD = "secret-pass-123"


def _sign_in(username, **extra):
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": PASSWORD, **extra},
                                format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def thu(agency_a):
    return MembershipFactory(agency=agency_a, clerk=True, user__username="thu")


def test_every_sign_in_makes_its_own_token_and_the_database_never_holds_a_key(thu):
    laptop, phone = _sign_in("thu", device="Máy văn phòng"), _sign_in("thu")
    assert laptop != phone and len(laptop) == 40
    rows = list(ApiToken.objects.filter(user=thu.user).values())
    assert {r["digest"] for r in rows} == {hashlib.sha256(k.encode()).hexdigest() for k in (laptop, phone)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        dump = repr(cursor.fetchall())
    assert laptop not in dump and phone not in dump
    assert {r["prefix"] for r in rows} == {laptop[:8], phone[:8]}
    for key in (laptop, phone):
        assert _client(key).get("/api/v1/me/").status_code == 200


def test_an_expired_token_answers_401(thu, settings):
    key = _sign_in("thu")
    token = ApiToken.objects.get(prefix=key[:8])
    assert token.expires_at - token.created_at == timedelta(days=settings.DOCFLOW_TOKEN_DAYS)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _client(key).get("/api/v1/me/").status_code == 401


def test_a_wrong_or_malformed_key_answers_401(thu):
    key = _sign_in("thu")
    for bad in (key[:-1] + ("0" if key[-1] != "0" else "1"), key[:20], key + "x"):
        assert _client(bad).get("/api/v1/me/").status_code == 401


def test_logout_revokes_the_current_token_only_and_all_revokes_every_one(thu):
    laptop, phone, tablet = _sign_in("thu"), _sign_in("thu"), _sign_in("thu")
    answer = _client(laptop).post("/api/v1/auth/logout/")
    assert answer.status_code == 200 and answer.json() == {"revoked": 1}
    assert _client(laptop).get("/api/v1/me/").status_code == 401
    assert _client(phone).get("/api/v1/me/").status_code == 200
    assert _client(phone).post("/api/v1/auth/logout/?all=1").json() == {"revoked": 2}
    assert _client(tablet).get("/api/v1/me/").status_code == 401


def test_a_password_change_ends_every_token(thu):
    key = _sign_in("thu")
    password_change(membership=thu, old_password=PASSWORD, new_password="Song-Pe-Mua-Lua-2026")
    assert _client(key).get("/api/v1/me/").status_code == 401
    assert _client(key).get("/api/v1/auth/tokens/").status_code == 401


def test_a_password_set_in_the_admin_ends_every_token(thu):
    key = _sign_in("thu")
    thu.user.set_password("Song-Pe-Mua-Lua-2026")
    thu.user.save()
    assert _client(key).get("/api/v1/me/").status_code == 401


def test_the_end_of_a_membership_revokes_the_persons_tokens(thu, agency_b):
    MembershipFactory(agency=agency_b, user=thu.user, staff=True)  # still belongs elsewhere
    key = _sign_in("thu")
    thu.is_active = False
    with cross_agency("system"):
        thu.save()
    assert not ApiToken.objects.filter(user=thu.user).exists()
    assert _client(key).get("/api/v1/me/").status_code == 401


def test_a_deleted_membership_or_locked_person_revokes_the_tokens(thu):
    key = _sign_in("thu")
    with cross_agency("system"):
        thu.delete()
    assert _client(key).get("/api/v1/auth/tokens/").status_code == 401
    other = MembershipFactory(staff=True, user__username="lan")
    key = _sign_in("lan")
    other.user.is_active = False
    other.user.save()
    assert not ApiToken.objects.filter(user=other.user).exists()


def test_the_token_list_shows_the_owners_tokens_only_never_a_key(thu):
    mine, other_device = _sign_in("thu", device="Máy văn phòng"), _sign_in("thu", device="Điện thoại")
    MembershipFactory(agency=thu.agency, staff=True, user__username="lan")
    theirs = _sign_in("lan")
    body = _client(mine).get("/api/v1/auth/tokens/").json()
    assert sorted(t["prefix"] for t in body) == sorted([mine[:8], other_device[:8]])
    assert {t["device"] for t in body} == {"Máy văn phòng", "Điện thoại"}
    assert [t["current"] for t in body if t["prefix"] == mine[:8]] == [True]
    assert set(body[0]) == {"prefix", "device", "created_at", "last_used_at", "expires_at", "current"}
    assert mine not in repr(body) and theirs[:8] not in repr(body)


def test_another_persons_prefix_answers_404_and_the_own_one_is_revoked(thu, agency_b):
    mine, second = _sign_in("thu"), _sign_in("thu")
    MembershipFactory(agency=agency_b, staff=True, user__username="lan")
    theirs = _sign_in("lan")
    assert _client(mine).delete(f"/api/v1/auth/tokens/{theirs[:8]}/").status_code == 404
    assert _client(theirs).get("/api/v1/me/").status_code == 200
    assert _client(mine).delete(f"/api/v1/auth/tokens/{second[:8]}/").status_code == 204
    assert _client(second).get("/api/v1/me/").status_code == 401
    assert _client(mine).get("/api/v1/me/").status_code == 200


def test_an_authenticated_request_costs_one_query_for_the_token_its_user_and_memberships(
    thu, django_assert_num_queries
):
    client = _client(_sign_in("thu"))
    # token joined to its user and the user's memberships with their agencies (1); /me/ lists
    # the agencies from the same rows
    with django_assert_num_queries(1):
        response = client.get("/api/v1/me/")
    assert response.status_code == 200 and response.json()["agency"]["code"] == thu.agency.code


def test_last_used_is_written_at_most_once_a_minute(thu, django_assert_num_queries):
    key = _sign_in("thu")
    ApiToken.objects.filter(prefix=key[:8]).update(last_used_at=timezone.now() - timedelta(minutes=5))
    with django_assert_num_queries(2):  # + the update of last_used_at
        _client(key).get("/api/v1/me/")
    assert timezone.now() - ApiToken.objects.get(prefix=key[:8]).last_used_at < timedelta(minutes=1)
    with django_assert_num_queries(1):
        _client(key).get("/api/v1/me/")


def test_the_token_lookup_reads_the_same_memberships_as_the_selector(thu, agency_b, member_factory):
    from docflow.api.tokens import token_lookup
    from docflow.tenancy.selectors import memberships_of_user
    from tests.factories import AgencyFactory, UnitFactory

    user = thu.user
    below = AgencyFactory(parent=agency_b)
    unit = UnitFactory(agency=agency_b)
    second = member_factory(agency=agency_b, user=user, unit=unit, leader=True)
    member_factory(agency=AgencyFactory(is_active=False), user=user)  # agency closed
    member_factory(agency=below, user=user, is_active=False)  # membership ended
    _token, key = token_issue(user=user)

    token = token_lookup(key)
    looked_up = memberships_of_user(user=token.user)
    read = memberships_of_user(user=User.objects.get(pk=user.pk))  # a fresh object: the query
    assert [m.pk for m in looked_up] == [m.pk for m in read] == [thu.pk, second.pk]
    for a, b in zip(looked_up, read):
        assert (a.agency.code, a.agency.parent_id, a.unit_id, a.roles, a.agency_has_below) == (
            b.agency.code, b.agency.parent_id, b.unit_id, b.roles, b.agency_has_below)
        assert a.user is token.user
    assert looked_up[1].unit.symbol == unit.symbol and looked_up[1].agency.parent is None
    assert token_lookup("0" * 40) is None


def test_a_person_in_no_agency_authenticates_and_gets_403_not_a_500(db):
    from tests.factories import UserFactory

    user = UserFactory(username="loner")
    _token, key = token_issue(user=user)
    response = _client(key).get("/api/v1/me/")
    assert response.status_code == 403
    assert _client(key).get("/api/v1/auth/tokens/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_existing_drf_tokens_and_deletes_the_plain_ones(thu):
    from django.apps import apps
    from django.db import connection

    from docflow.core.db.owner import as_owner

    migration = importlib.import_module("docflow.api.migrations.0002_api_token")
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with as_owner():  # a migration's work: the owner's
        with connection.cursor() as cursor:
            cursor.execute('CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, user_id integer)')
            cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [old_key, timezone.now(), thu.user_id])
        migration.hash_drf_tokens(apps, SimpleNamespace(connection=connection))  # all it reads
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM authtoken_token")
            assert cursor.fetchone() == (0,)
            cursor.execute("DROP TABLE authtoken_token")
    assert _client(old_key).get("/api/v1/me/").status_code == 200  # clients keep working
    assert ApiToken.objects.get(prefix=old_key[:8]).expires_at > timezone.now() + timedelta(days=29)


def test_token_issue_draws_again_when_a_prefix_is_taken(thu, monkeypatch):
    first, key = token_issue(user=thu.user)
    draws = iter([key[:8] + "f" * 32, "a" * 40])
    monkeypatch.setattr("docflow.api.tokens.secrets.token_hex", lambda n: next(draws))
    token, again = token_issue(user=thu.user)
    assert again == "a" * 40 and token.prefix == "aaaaaaaa"


def test_issuing_and_revoking_a_token_is_in_the_audit_log(thu):
    from docflow.audit.models import AuditEvent as Event

    key = _sign_in("thu", device="Máy văn phòng")
    _client(key).post("/api/v1/auth/logout/")
    with cross_agency("system"):
        events = list(Event.objects.filter(agency=thu.agency, action__startswith="user.token_")
                      .order_by("pk").values_list("action", "data"))
    assert [a for a, _ in events] == ["user.token_issued", "user.token_revoked"]
    assert events[0][1]["prefix"] == key[:8] and events[0][1]["device"] == "Máy văn phòng"
    assert key not in repr(events)
