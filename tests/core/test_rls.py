"""Row-level security on every tenant table, proved as the app role (PostgreSQL pass).

Rows of two agencies are written into every table with an ``agency_id`` column as the owner
(committed, so the app's connection sees them, and removed afterwards); the app role then
counts each table with raw SQL — no ORM filter between it and the rows."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction
from psycopg import sql

from docflow.core import rls
from docflow.core.scoping import agency_scope, cross_agency

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _owner_connection() -> psycopg.Connection:
    db = {**connection.settings_dict, **settings.DOCFLOW_DB_OWNER}
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
        password=db["PASSWORD"] or None, dbname=connection.settings_dict["NAME"], autocommit=True,
    )


def _tables_with_agency_id(cursor) -> list[str]:
    cursor.execute("SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
                   "AND column_name = 'agency_id' ORDER BY table_name")
    return [r[0] for r in cursor.fetchall()]


def _value(data_type: str, length: int | None, n: int):
    text = uuid.uuid4().hex
    return {
        "integer": n, "bigint": n, "smallint": n % 30000, "numeric": n, "double precision": n,
        "boolean": False, "uuid": uuid.uuid4(), "jsonb": psycopg.types.json.Jsonb({}),
        "json": "{}", "bytea": b"", "date": "2026-01-01", "inet": "127.0.0.1",
        "timestamp with time zone": "2026-01-01T00:00:00Z", "ARRAY": [],
        "interval": "1 day", "time without time zone": "00:00",
    }.get(data_type, text[: length or 32])


@pytest.fixture
def two_agencies_everywhere(agency_a, agency_b):
    """One row of agency A and one of B in every tenant table, written as the owner with
    triggers and foreign keys off (rows for counting, not for the app to use)."""
    with _owner_connection() as owner, owner.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        tables = _tables_with_agency_id(cursor)
        inserted: list[tuple[str, int]] = []
        for n, table in enumerate(tables):
            cursor.execute(
                "SELECT column_name, data_type, character_maximum_length FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = %s AND is_nullable = 'NO' "
                "AND column_default IS NULL AND is_identity = 'NO' AND column_name <> 'agency_id'", [table])
            columns = cursor.fetchall()
            for agency in (agency_a, agency_b):
                names = [sql.Identifier("agency_id")] + [sql.Identifier(c[0]) for c in columns]
                values = [agency.pk] + [_value(c[1], c[2], 10_000_000 + n * 10 + agency.pk % 10) for c in columns]
                cursor.execute(sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                    sql.Identifier(table), sql.SQL(", ").join(names),
                    sql.SQL(", ").join(sql.Placeholder() * len(values))), values)
            inserted.append(table)
    try:
        yield tables
    finally:
        with _owner_connection() as owner, owner.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            for table in inserted:
                cursor.execute(sql.SQL("DELETE FROM {} WHERE agency_id = ANY(%s)").format(sql.Identifier(table)),
                               [[agency_a.pk, agency_b.pk]])


def _counts(tables, where: str = "", params=()) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}" {where}', params)
            counts[table] = cursor.fetchone()[0]
    return counts


def test_the_app_role_owns_nothing_and_bypasses_nothing():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)
        cursor.execute("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user")
        assert cursor.fetchone()[0] == 0


def test_every_table_with_an_agency_id_is_forced_and_has_its_policies():
    with connection.cursor() as cursor:
        tables = _tables_with_agency_id(cursor)
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND relrowsecurity "
                       "AND relforcerowsecurity")
        secured = {r[0] for r in cursor.fetchall()}
        cursor.execute("SELECT tablename, policyname, cmd FROM pg_policies WHERE schemaname = 'public'")
        policies: dict[str, set] = {}
        for table, name, command in cursor.fetchall():
            policies.setdefault(table, set()).add((name, command))
    assert len(tables) >= 30
    assert [t for t in tables if t not in secured] == []
    assert {t: policies.get(t) for t in tables if policies.get(t) != rls.expected_policies(t)} == {}


def test_the_registry_covers_every_model_with_an_agency_key():
    from django.apps import apps

    from docflow.tenancy.models import Agency

    registered = {t.table for t in rls.tenant_tables()}
    with_key = {m._meta.db_table for m in apps.get_models()
                if any(f.name == "agency" and f.is_relation and f.related_model is Agency
                       for f in m._meta.concrete_fields)}
    assert with_key and with_key <= registered
    for purpose, tables in rls.PURPOSES.items():
        if tables != "*":
            assert set(tables) <= registered, purpose


def test_with_no_agency_set_every_tenant_table_returns_nothing(two_agencies_everywhere):
    tables = two_agencies_everywhere
    assert _counts(tables) == dict.fromkeys(tables, 0)


def test_with_agency_a_set_none_of_bs_rows(two_agencies_everywhere, agency_a, agency_b):
    tables = two_agencies_everywhere
    with agency_scope(agency_a), transaction.atomic():
        assert _counts(tables, "WHERE agency_id = %s", [agency_b.pk]) == dict.fromkeys(tables, 0)
        assert _counts(tables, "WHERE agency_id = %s", [agency_a.pk]) == dict.fromkeys(tables, 1)
        with connection.cursor() as cursor, pytest.raises(Exception, match="row-level security"):
            with transaction.atomic():
                cursor.execute("INSERT INTO routing_knownsender (agency_id, code, name, last_used_at) "
                               "VALUES (%s, 'X', 'X', now())", [agency_b.pk])
    # The same outside a transaction (autocommit: the setting goes with the statement).
    with agency_scope(agency_a):
        assert _counts(tables, "WHERE agency_id = %s", [agency_b.pk]) == dict.fromkeys(tables, 0)
        assert _counts(["routing_incomingdocument"]) == {"routing_incomingdocument": 1}


def test_a_purpose_opens_only_its_tables_and_commands(two_agencies_everywhere, agency_a, agency_b):
    tables = two_agencies_everywhere
    b_rows = ("WHERE agency_id = %s", [agency_b.pk])
    with agency_scope(agency_a), cross_agency("oversight"):
        seen = _counts(tables, *b_rows)
        assert {t for t, n in seen.items() if n} == set(rls.PURPOSES["oversight"])
        with connection.cursor() as cursor:
            cursor.execute("UPDATE routing_incomingdocument SET subject = subject WHERE agency_id = %s",
                           [agency_b.pk])
            assert cursor.rowcount == 0  # oversight reads; it never writes
    with agency_scope(agency_a), cross_agency("delivery"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE routing_incomingdocument SET subject = subject WHERE agency_id = %s",
                           [agency_b.pk])
            assert cursor.rowcount == 1
            cursor.execute("UPDATE tenancy_unit SET name = name WHERE agency_id = %s", [agency_b.pk])
            assert cursor.rowcount == 0
        transaction.set_rollback(True)


def test_the_setting_follows_the_scope_within_one_transaction(agency_a, agency_b):
    def current():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('docflow.agency_id', true), "
                           "current_setting('docflow.purpose', true)")
            return cursor.fetchone()

    with transaction.atomic():
        with agency_scope(agency_a):
            assert current() == (str(agency_a.pk), "")
            sid = transaction.savepoint()
            with agency_scope(agency_b), cross_agency("status"):
                assert current() == (str(agency_b.pk), "status")
            transaction.savepoint_rollback(sid)
            assert current() == (str(agency_a.pk), "")
        assert current()[0] in ("", None)


def test_a_query_naming_its_agency_runs_as_that_agency(two_agencies_everywhere, agency_a, agency_b):
    from docflow.routing.models import IncomingDocument

    with agency_scope(agency_a):
        assert IncomingDocument.objects.with_scope(agency=agency_b).count() == 1
        assert IncomingDocument.objects.cross_agency("oversight").count() == 2
        assert IncomingDocument.objects.cross_agency("directory").count() == 1
        assert IncomingDocument.objects.count() == 1
