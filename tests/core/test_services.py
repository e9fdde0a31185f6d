"""``@service``: the actor's scope, a durable transaction when outermost, nested services join it,
and the actor of the audit events written inside."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection, transaction

from docflow.audit.models import AuditEvent
from docflow.audit.services import EventSpec, event_record, events_record
from docflow.core.ids import uuid7
from docflow.core.scoping import current_agency_id
from docflow.core.services import ATTEMPTS, Actor, current_actor, in_service, service, service_transaction
from docflow.tenancy.models import Membership, Unit, User
from tests.factories import AgencyFactory, MembershipFactory, UserFactory


@service
def unit_add(*, actor: Membership, symbol: str, fail: bool = False) -> Unit:
    unit = Unit.objects.create(agency_id=actor.agency_id, name=f"Phòng {symbol}", symbol=symbol)
    if fail:
        raise ValueError("refused")
    return unit


@service
def units_add(*, actor: Membership, symbols: list[str], inner_fails: str = "", fail: bool = False) -> int:
    seen = {"agency": current_agency_id(), "in_service": in_service()}
    for symbol in symbols:
        try:
            unit_add(actor=actor, symbol=symbol, fail=symbol == inner_fails)
        except ValueError:
            pass  # the inner service's own rows went with its savepoint
    assert seen == {"agency": actor.agency_id, "in_service": True}
    if fail:
        raise ValueError("refused")
    return Unit.objects.count()


@service(scope="agency_id")
def units_count(*, agency_id: int) -> int:
    return Unit.objects.count()


def _units(agency) -> list[str]:
    return sorted(Unit.objects.with_scope(agency=agency).values_list("symbol", flat=True))


@pytest.mark.django_db
def test_a_service_reads_only_its_actors_agency_whoever_calls():
    member, other = MembershipFactory(), MembershipFactory()
    Unit.objects.with_scope(agency=other.agency).create(agency=other.agency, name="Phòng khác", symbol="PK")
    assert units_add(actor=member, symbols=["VP", "NV"]) == 2
    assert units_count(agency_id=other.agency_id) == 1 and units_count(agency_id=member.agency) == 2
    assert not in_service() and current_agency_id() is None


@pytest.mark.django_db
def test_a_service_inside_a_plain_transaction_is_refused_not_silently_nested():
    member = MembershipFactory()
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        unit_add(actor=member, symbol="VP")
    assert _units(member.agency) == []


@pytest.mark.django_db
def test_a_nested_service_joins_the_outer_one_and_its_error_undoes_only_its_part():
    member = MembershipFactory()
    assert units_add(actor=member, symbols=["VP", "NV", "TP"], inner_fails="NV") == 2
    assert _units(member.agency) == ["TP", "VP"]


@pytest.mark.django_db
def test_when_the_outer_service_fails_the_nested_services_writes_roll_back_with_it():
    member = MembershipFactory()
    with pytest.raises(ValueError):
        units_add(actor=member, symbols=["VP", "NV"], fail=True)
    assert _units(member.agency) == []


@pytest.mark.django_db(transaction=True)
def test_the_outermost_service_commits_and_runs_its_after_commit_work_when_it_returns():
    member, ran = MembershipFactory(), []

    @service
    def outer(*, actor: Membership) -> None:
        inner(actor=actor)
        assert ran == [] and connection.in_atomic_block  # the inner one joined: nothing committed yet

    @service
    def inner(*, actor: Membership) -> None:
        unit_add(actor=actor, symbol="VP")
        transaction.on_commit(lambda: ran.append(_units(actor.agency)))

    outer(actor=member)
    assert ran == [["VP"]] and not connection.in_atomic_block


@pytest.mark.django_db(transaction=True)
def test_an_adapters_service_transaction_is_the_outermost_and_the_service_joins_it():
    member = MembershipFactory()
    with pytest.raises(ValueError), service_transaction(agency=member):
        unit_add(actor=member, symbol="VP")  # durable alone: here it joins and does not raise
        assert current_agency_id() == member.agency_id
        raise ValueError("the adapter's own write failed")
    assert _units(member.agency) == []


def test_a_service_without_its_scope_argument_is_a_programming_error():
    with pytest.raises(TypeError, match="actor"):
        unit_add(symbol="VP")
    with pytest.raises(ValueError, match="agency_id=None"):
        units_count(agency_id=None)


@pytest.mark.django_db
def test_a_service_scopes_to_an_agency_given_as_object_or_id():
    agency = AgencyFactory()
    Unit.objects.with_scope(agency=agency).create(agency=agency, name="Văn phòng", symbol="VP")
    assert units_count(agency_id=agency) == units_count(agency_id=agency.pk) == 1


# The acting person: the audit writer takes the service's actor ------------------------------

@service
def event_add(*, actor: Membership, agency_id: int | None = None, **given) -> None:
    event_record(agency_id=agency_id or actor.agency_id, action="test.done", object_type="test",
                 object_id=uuid7(), **given)


@service(scope="agency_id")
def event_add_for_agency(*, agency_id: int) -> Actor | None:
    event_record(agency_id=agency_id, action="test.done", object_type="test", object_id=uuid7())
    return current_actor()


@service(scope=None)
def event_add_as_user(*, actor: User, agency_ids: list[int]) -> None:
    events_record(events=[EventSpec(agency_id=a, action="test.done", object_type="test", object_id=uuid7())
                          for a in agency_ids])


def _actors(agency) -> list[int | None]:
    return list(AuditEvent.objects.with_scope(agency=agency).order_by("sequence").values_list("actor_id", flat=True))


@pytest.mark.django_db
def test_the_services_actor_is_the_actor_of_its_events_in_its_agency_only():
    member, other = MembershipFactory(), MembershipFactory()
    event_add(actor=member)
    event_add(actor=member, actor_id=None)  # named: nobody
    event_add(actor=member, actor_label="OCR")  # labelled: not a person
    event_add(actor=member, agency_id=other.agency_id)  # another agency's log: not its member
    assert _actors(member.agency) == [member.user_id, None, None]
    assert _actors(other.agency) == [None]
    assert current_actor() is None


@pytest.mark.django_db
def test_a_nested_service_keeps_the_outer_actor_unless_it_names_its_own():
    member = MembershipFactory()
    colleague = MembershipFactory(agency=member.agency)

    @service
    def outer(*, actor: Membership) -> Actor | None:
        seen = event_add_for_agency(agency_id=actor.agency_id)  # names no actor: the outer one's
        event_add(actor=colleague)  # names its own
        event_record(agency_id=actor.agency_id, action="test.done", object_type="test", object_id=uuid7())
        return seen

    assert outer(actor=member) == Actor(user_id=member.user_id, agency_id=member.agency_id)
    assert _actors(member.agency) == [member.user_id, colleague.user_id, member.user_id]
    assert event_add_for_agency(agency_id=member.agency_id) is None  # outside a service: nobody
    assert _actors(member.agency)[-1] is None


@pytest.mark.django_db
def test_a_user_acting_across_agencies_is_the_actor_in_each_and_an_event_outside_a_service_has_none():
    user, first, second = UserFactory(), AgencyFactory(), AgencyFactory()
    event_add_as_user(actor=user, agency_ids=[first.pk, second.pk])
    event_record(agency_id=first.pk, action="test.done", object_type="test", object_id=uuid7())
    assert _actors(first) == [user.pk, None] and _actors(second) == [user.pk]


class _DatabaseError(Exception):
    def __init__(self, sqlstate: str):
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def _database_error(sqlstate: str) -> OperationalError:
    """What Django raises when PostgreSQL ends a transaction: psycopg's error as the cause."""
    try:
        raise _DatabaseError(sqlstate)
    except _DatabaseError as cause:
        try:
            raise OperationalError("deadlock detected") from cause
        except OperationalError as exc:
            return exc


@pytest.mark.django_db(transaction=True)
def test_an_outermost_service_chosen_as_a_deadlocks_victim_runs_again_from_a_clean_start():
    member, attempts = MembershipFactory(), []

    @service
    def outer(*, actor: Membership) -> int:
        attempts.append(1)
        unit_add(actor=actor, symbol="VP")
        if len(attempts) == 1:
            raise _database_error("40P01")  # deadlock_detected: PostgreSQL rolled it all back
        return Unit.objects.count()

    assert outer(actor=member) == 1 and len(attempts) == 2
    assert _units(member.agency) == ["VP"]


@pytest.mark.django_db(transaction=True)
def test_a_service_gives_up_after_its_attempts_and_never_repeats_other_errors():
    member, attempts = MembershipFactory(), []

    @service
    def always(*, actor: Membership, sqlstate: str) -> None:
        attempts.append(sqlstate)
        unit_add(actor=actor, symbol=f"U{len(attempts)}")
        raise _database_error(sqlstate)

    with pytest.raises(OperationalError):
        always(actor=member, sqlstate="40001")  # serialization_failure, every time
    assert attempts == ["40001"] * ATTEMPTS
    with pytest.raises(OperationalError):
        always(actor=member, sqlstate="57014")  # query_canceled: not run again
    assert attempts[ATTEMPTS:] == ["57014"]
    assert _units(member.agency) == []


@pytest.mark.django_db(transaction=True)
def test_a_nested_service_is_not_run_again_alone_the_outermost_one_is():
    member, inner_runs = MembershipFactory(), []

    @service
    def inner(*, actor: Membership) -> None:
        inner_runs.append(1)
        if len(inner_runs) == 1:
            raise _database_error("40P01")

    @service
    def outer(*, actor: Membership) -> None:
        unit_add(actor=actor, symbol="VP")
        inner(actor=actor)

    outer(actor=member)
    assert len(inner_runs) == 2 and _units(member.agency) == ["VP"]
