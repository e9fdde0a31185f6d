"""The audit log as a tamper-evident record (issue #19): each agency's events hash-chained,
edits, deletions and reordering found by ``audit_verify``, the day's heads exported, UPDATE and
DELETE refused by the database, one chain per agency under concurrent writers."""

from __future__ import annotations

import csv
import io
import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from docflow.audit.chain import GENESIS
from docflow.audit.models import AuditChainHead, AuditEvent
from docflow.audit.services import EventSpec, event_record, events_record
from docflow.core.ids import uuid7
from docflow.core.db.owner import as_owner
from docflow.core.scoping import cross_agency
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def record(agency, n: int = 1, **data) -> list[AuditEvent]:
    return [event_record(agency_id=agency.pk, action="outgoing.approved", object_type="outgoing",
                         object_id=uuid7(), actor_label="thử", state_before="pending", state_after="approved",
                         data={"n": i, **data}) for i in range(n)]


def chain(agency) -> list[AuditEvent]:
    with cross_agency("system"):
        return list(AuditEvent.objects.filter(agency=agency).order_by("sequence"))


def verify() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def broken() -> str:
    with pytest.raises(CommandError) as failed:
        call_command("audit_verify", stdout=io.StringIO())
    return str(failed.value)


def tamper(sql: str, params=()) -> None:
    """Raw SQL past the guard, as the tables' owner (the app role may not change events): the
    trigger off for this statement."""
    with as_owner(), transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks on the table
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def test_an_agencys_events_form_one_chain_from_the_genesis_and_verify():
    agency, other = AgencyFactory(), AgencyFactory()
    record(agency, 3)
    record(other, 2)
    events = chain(agency)
    assert [e.sequence for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    with cross_agency("system"):
        assert AuditChainHead.objects.get(agency=agency).hash == events[-1].hash
    assert "2 cơ quan, 5 sự kiện" in verify()


def test_a_fan_out_to_many_agencies_links_each_into_its_own_chain():
    agencies = [AgencyFactory() for _ in range(3)]
    record(agencies[0])
    events_record(events=[EventSpec(agency_id=a.pk, action="incoming.delivered", object_type="incoming",
                                    object_id=uuid7()) for a in agencies * 2])
    assert [len(chain(a)) for a in agencies] == [3, 2, 2]
    assert [e.sequence for e in chain(agencies[1])] == [1, 2]
    verify()


def test_the_fan_out_costs_the_same_queries_for_two_agencies_or_twenty(django_assert_max_num_queries):
    few, many = [AgencyFactory() for _ in range(2)], [AgencyFactory() for _ in range(20)]
    for group in (few, many):
        events_record(events=[EventSpec(agency_id=a.pk, action="x", object_type="y", object_id=uuid7()) for a in group])
    for group in (few, many):  # heads exist now: lock, insert, move
        with django_assert_max_num_queries(3):
            events_record(events=[EventSpec(agency_id=a.pk, action="x", object_type="y", object_id=uuid7())
                                  for a in group])


@pytest.mark.django_db(transaction=True)
def test_audit_verify_names_an_edited_event():
    agency = AgencyFactory()
    events = record(agency, 4)
    tamper("UPDATE audit_auditevent SET state_after = %s WHERE id = %s", ["rejected", _db_id(events[2])])
    message = broken()
    assert str(events[2].id) in message and "#3" in message and "edited" in message


@pytest.mark.django_db(transaction=True)
def test_audit_verify_names_where_an_event_was_deleted():
    agency = AgencyFactory()
    events = record(agency, 4)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [_db_id(events[1])])
    message = broken()
    assert str(events[2].id) in message and "missing" in message


@pytest.mark.django_db(transaction=True)
def test_audit_verify_sees_the_newest_events_deleted_through_the_head():
    agency = AgencyFactory()
    events = record(agency, 3)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [_db_id(events[2])])
    message = broken()
    assert "head" in message and "#3" in message


@pytest.mark.django_db(transaction=True)
def test_audit_verify_names_a_reordered_event():
    agency = AgencyFactory()
    events = record(agency, 4)
    tamper("UPDATE audit_auditevent SET sequence = sequence + 100 WHERE id = %s", [_db_id(events[1])])
    tamper("UPDATE audit_auditevent SET sequence = 2 WHERE id = %s", [_db_id(events[2])])
    tamper("UPDATE audit_auditevent SET sequence = 3 WHERE id = %s", [_db_id(events[1])])
    message = broken()
    assert str(events[2].id) in message and "#2" in message


def test_audit_head_exports_each_agencys_head_of_the_day_as_csv_and_json():
    first, second = AgencyFactory(), AgencyFactory()
    last = record(first, 3)[-1]
    out = io.StringIO()
    call_command("audit_head", date=timezone.localdate().isoformat(), stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["agency_code"], r["sequence"], r["hash"]) for r in rows] == [(first.code, "3", last.hash)]
    record(second)
    out = io.StringIO()
    call_command("audit_head", date=timezone.localdate().isoformat(), format="json", stdout=out)
    assert {h["agency_code"]: h["sequence"] for h in json.loads(out.getvalue())} == {first.code: 3, second.code: 1}
    out = io.StringIO()
    call_command("audit_head", date="2020-01-01", stdout=out)  # before any event: the genesis
    assert {r["hash"] for r in csv.DictReader(io.StringIO(out.getvalue()))} == {GENESIS}


def test_the_orm_still_refuses_to_change_an_event():
    from docflow.audit.models import AppendOnlyError

    event = record(AgencyFactory())[0]
    with pytest.raises(AppendOnlyError):
        event.save()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sql", ["UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"])
def test_on_postgresql_the_database_refuses_update_and_delete_of_events(sql):
    """The app role has no UPDATE or DELETE on the log; the owner meets the trigger."""
    from django.db import DatabaseError

    record(AgencyFactory(), 2)
    with pytest.raises(DatabaseError, match="permission denied for table audit_auditevent"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    with as_owner(), pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_concurrent_services_of_one_agency_keep_one_chain():
    agency = AgencyFactory()
    threads_n, each = 6, 15
    start, errors = threading.Barrier(threads_n), []

    def service():
        try:
            start.wait()
            for i in range(each):
                with transaction.atomic():
                    record(agency, 1, i=i)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=service) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert [e.sequence for e in chain(agency)] == list(range(1, threads_n * each + 1))
    verify()


def _db_id(event) -> str:
    return event.id.hex if connection.vendor == "sqlite" else str(event.id)


def test_the_fan_outs_writer_makes_the_very_bytes_canonical_makes():
    """The events of a fan-out are hashed from shared pieces (``CanonicalWriter``); the chain is
    checked with ``canonical``: every odd value must come out byte for byte the same."""
    from datetime import datetime, timedelta
    from datetime import timezone as dt_timezone

    from docflow.audit.chain import CanonicalWriter, canonical, json_normal

    writer = CanonicalWriter()
    shared = json_normal({"notation": "15/UBND-VP", "nơi gửi": "UBND huyện Bắc Yên", "n": [1, 2.5, None]})
    odd = json_normal({"z": {"b": 1, "a": "\"quoted\" \\ back\nline\ttab \u0001"}, "a": True, "emoji": "🇻🇳"})
    when = datetime(2026, 12, 2, 7, 30, 1, 5, tzinfo=dt_timezone(timedelta(hours=7)))
    cases = [
        dict(agency_id=1, sequence=1, event_id=uuid7(), created_at=when, actor_id=None, actor_label="",
             action="incoming.delivered", object_type="incoming", object_id=uuid7(), state_before="",
             state_after="01", data=shared),
        dict(agency_id=10_000, sequence=123456789, event_id=str(uuid7()), created_at=timezone.now(), actor_id=42,
             actor_label='H.T "Trục" \\ liên thông', action="incoming.delivered", object_type="incoming",
             object_id=str(uuid7()), state_before="01", state_after="02", data=odd),
        dict(agency_id=7, sequence=2, event_id=uuid7(), created_at=when, actor_id=0, actor_label="Văn thư",
             action="outgoing.issued", object_type="outgoing", object_id=uuid7(), state_before="approved",
             state_after="issued", data={}),
    ]
    for case in cases + cases:  # the second time from the writer's cache
        assert writer(**case) == canonical(**case, normalized=True)


def test_recent_events_are_the_agencys_own_newest_in_chain_order(django_assert_num_queries):
    from docflow.audit.selectors import recent_events
    from docflow.core.scoping import agency_scope

    agency, other = AgencyFactory(), AgencyFactory()
    mine = record(agency, 3)
    record(other, 2)
    events_record(events=[EventSpec(agency_id=a.pk, action="incoming.delivered", object_type="incoming",
                                    object_id=uuid7()) for a in (other, agency)])
    with agency_scope(agency), django_assert_num_queries(1):
        recent = list(recent_events(limit=3))
    assert [e.sequence for e in recent] == [4, 3, 2]
    assert {e.agency_id for e in recent} == {agency.pk}
    assert recent[0].action == "incoming.delivered" and [e.pk for e in recent[1:]] == [mine[2].pk, mine[1].pk]
