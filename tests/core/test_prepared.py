"""Prepared statements on PostgreSQL (``docflow.core.db.prepared_cursor``): what a prepared
cursor runs is prepared once per connection and planned once when its generic plan is as good,
it still runs in the running code's tenant scope, in a transaction or in autocommit mode, it is
logged and counted as any query is, nothing else is ever prepared, and ``?prepare=off`` turns
it off."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from docflow.core.db import prepared_cursor
from docflow.core.scoping import agency_scope, rls_purpose
from docflow.tenancy.models import Unit
from tests.factories import UnitFactory

pytestmark = [pytest.mark.postgres]

UNITS = 'SELECT count(*) FROM "tenancy_unit" WHERE "name" LIKE %s'


def _statements(marker: str) -> list[tuple[int, int]]:
    """(generic plans, custom plans) of this connection's prepared statements naming ``marker``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                       "WHERE statement LIKE %s", [f"%{marker}%"])
        return cursor.fetchall()


def _count(pattern: str) -> int:
    with prepared_cursor(connection) as cursor:
        cursor.execute(UNITS, [pattern])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_statement_is_prepared_once_and_then_planned_once(agency_a):
    with agency_scope(agency_a):
        UnitFactory(agency=agency_a, name="Văn phòng prepared")
        counts = [_count("%prepared") for _ in range(8)]
    assert counts == [1] * 8
    [(generic, custom)] = _statements('"tenancy_unit" WHERE "name" LIKE')
    assert custom == 5 and generic == 3  # PostgreSQL's plan cache: five custom plans, then the generic one


@pytest.mark.django_db
def test_djangos_own_queries_are_never_prepared(agency_a):
    with agency_scope(agency_a):
        for _ in range(10):
            list(Unit.objects.filter(name="never prepared"))
    assert _statements("never prepared") == []
    assert _statements('"tenancy_unit"') == []


@pytest.mark.django_db
def test_a_prepared_query_is_logged_and_counted_like_any_other(agency_a):
    with agency_scope(agency_a), CaptureQueriesContext(connection) as queries:
        _count("%counted")
    assert len(queries) == 1
    assert queries[0]["sql"] == 'SELECT count(*) FROM "tenancy_unit" WHERE "name" LIKE \'%counted\''


@pytest.mark.django_db
def test_in_a_transaction_it_sees_only_the_scoped_agency(agency_a, agency_b):
    with agency_scope(agency_a):
        UnitFactory(agency=agency_a, name="Phòng scoped")
    with agency_scope(agency_b):
        UnitFactory(agency=agency_b, name="Phòng scoped")
    with transaction.atomic():
        with agency_scope(agency_a):
            assert _count("Phòng scoped") == 1
        assert _count("Phòng scoped") == 0  # no agency set: row-level security shows nothing
        with rls_purpose("directory"):
            assert _count("Phòng scoped") == 2


@pytest.mark.django_db(transaction=True)
def test_in_autocommit_mode_it_runs_in_a_transaction_of_its_own_with_the_scope(agency_a, agency_b):
    with agency_scope(agency_a):
        UnitFactory(agency=agency_a, name="Phòng autocommit")
    with agency_scope(agency_b):
        UnitFactory(agency=agency_b, name="Phòng autocommit")
    assert connection.get_autocommit() and not connection.in_atomic_block
    assert _count("Phòng autocommit") == 0
    with agency_scope(agency_b):
        assert [_count("Phòng autocommit") for _ in range(7)] == [1] * 7
    with rls_purpose("directory"):
        assert _count("Phòng autocommit") == 2
    with connection.cursor() as cursor:  # the settings ended with the statement's transaction
        cursor.execute("SELECT current_setting('docflow.agency_id', true), current_setting('docflow.purpose', true)")
        assert cursor.fetchone() in ((None, None), ("", ""))
    assert connection.connection.info.transaction_status == 0  # idle: nothing left open


@pytest.mark.django_db
def test_with_prepare_off_in_the_database_url_nothing_is_prepared(agency_a):
    connection.prepare_enabled = False  # what ?prepare=off sets
    try:
        with agency_scope(agency_a):
            UnitFactory(agency=agency_a, name="Phòng off")
            assert [_count("Phòng off") for _ in range(7)] == [1] * 7
    finally:
        connection.prepare_enabled = True
    assert _statements('"tenancy_unit"') == []
