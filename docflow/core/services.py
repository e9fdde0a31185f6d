"""``@service``: the one wrapper every write service runs in — its agency scope and its transaction.

The rule, in one place:

- The agency scope is the acting member's (or the agency named by the ``scope`` argument), so
  every read inside sees that agency only, whoever calls.
- The outermost service opens a **durable** transaction: when it returns, its writes (and the
  audit rows it records, which join that transaction) are committed, and the work it left to
  ``transaction.on_commit`` / the outbox runs after commit. A caller that wraps a service in
  its own ``transaction.atomic()`` is told (``RuntimeError``) instead of the service silently
  becoming part of something larger that may still roll back.
- A service called while another service runs (in the same thread or task) **joins** the running
  transaction, in a savepoint: its writes commit or roll back with the outer service's, and an
  error it raises undoes only its own part if the caller catches it.
- An adapter that must write beside a service in the same transaction (the API's
  ``Idempotency-Key`` record) opens that transaction with ``service_transaction()``: it becomes
  the outermost one, and the services it calls join it.
- The acting person given to the service (its ``actor`` or ``membership`` argument: a
  Membership, or a User for a system administrator's cross-agency command) is the actor of the
  audit events written while it runs (``current_actor``; ``docflow.audit.services`` reads it), so
  no service hands its actor to the audit writer itself. A service called inside another without
  an actor of its own keeps the outer one's.
- A write the database may refuse inside a service (a unique race: ``IntegrityError``) runs in a
  ``savepoint()``, which undoes only that write when the caller catches the error.
- The outermost service runs again, up to ``ATTEMPTS`` times in all, when PostgreSQL ended its
  transaction as the victim of a deadlock or a serialization failure: that transaction rolled
  back whole, so the next attempt starts clean (two transactions that lock the same agencies'
  audit heads in different orders, such as two issues to each other's agencies, are one case).
"""

from __future__ import annotations

import contextvars
import functools
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.db import OperationalError, transaction

from docflow.core.scoping import agency_scope

__all__ = ["Actor", "current_actor", "in_service", "savepoint", "service", "service_transaction"]

P = ParamSpec("P")
R = TypeVar("R")

_depth: contextvars.ContextVar[int] = contextvars.ContextVar("docflow_service_depth", default=0)
# The arguments naming the person who acts, in the order they are looked for.
ACTOR_ARGUMENTS = ("actor", "membership")


@dataclass(frozen=True)
class Actor:
    """Who a running service acts for: a user, in one agency (a Membership) or in any (a User
    acting across agencies, ``agency_id`` None)."""

    user_id: int
    agency_id: int | None = None

    def acts_in(self, agency_id: int) -> bool:
        return self.agency_id is None or self.agency_id == agency_id


_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("docflow_service_actor", default=None)


def current_actor() -> Actor | None:
    """The person the running service acts for; None outside a service or for system work."""
    return _actor.get()


logger = logging.getLogger(__name__)

ATTEMPTS = 3
# deadlock_detected, serialization_failure: PostgreSQL rolled the transaction back; run it again.
RETRIED_SQLSTATES = frozenset({"40P01", "40001"})


def in_service() -> bool:
    """True while a service (or a ``service_transaction``) runs in this context."""
    return _depth.get() > 0


@contextmanager
def service_transaction(*, agency: Any = None, savepoint: bool = True) -> Iterator[None]:
    """The transaction of a service: durable when outermost, a savepoint inside another one.

    ``agency`` (an Agency, its id, or a Membership) opens that agency's scope around it.
    ``savepoint=False``: inside another transaction, join it without a savepoint (two round
    trips fewer), for a write whose failure no caller catches and carries on after."""
    depth = _depth.get()
    token = _depth.set(depth + 1)
    try:
        with ExitStack() as stack:
            if agency is not None:
                stack.enter_context(agency_scope(_agency_id(agency)))
            stack.enter_context(transaction.atomic(durable=depth == 0, savepoint=savepoint))
            yield
    finally:
        _depth.reset(token)


@contextmanager
def savepoint() -> Iterator[None]:
    """A savepoint of the running transaction (a short transaction of its own when none runs)
    around one write the database may refuse (a unique race, a protected row): the error the
    caller catches undoes only this write, and the service carries on."""
    with transaction.atomic():
        yield


def service(fn: Callable[P, R] | None = None, *, scope: str | None = "actor") -> Any:
    """Run the decorated function as a service (see the module docstring).

    ``scope`` names the keyword argument that gives the agency: a Membership (``actor``,
    ``membership``), an Agency or an agency id (``agency_id``); ``None`` for a service that opens
    no scope (it reads across agencies on purpose, with ``with_scope``/``cross_agency``).
    The acting person is the first of ``actor``, ``membership`` given (see ``current_actor``)."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            agency = None
            if scope is not None:
                if scope not in kwargs:
                    raise TypeError(f"{fn.__qualname__}() needs the keyword argument {scope!r}")
                agency = kwargs[scope]
                if agency is None:
                    raise ValueError(f"{fn.__qualname__}() got {scope}=None: no agency to scope to")
            named = next((name for name in ACTOR_ARGUMENTS if name in kwargs), None)
            actor = _actor_of(kwargs[named]) if named else _actor.get()
            token = _actor.set(actor)
            try:
                if _depth.get() > 0:  # inside another service: join it, and its caller retries
                    with service_transaction(agency=agency):
                        return fn(*args, **kwargs)
                for attempt in range(1, ATTEMPTS + 1):
                    try:
                        with service_transaction(agency=agency):
                            return fn(*args, **kwargs)
                    except OperationalError as exc:
                        if attempt == ATTEMPTS or not _rolled_back_to_retry(exc):
                            raise
                        logger.warning("%s: %s; running it again (attempt %d of %d)", fn.__qualname__,
                                       str(exc).splitlines()[0], attempt + 1, ATTEMPTS)
                        time.sleep(random.uniform(0, 0.05 * attempt))  # the other transaction goes first
                raise AssertionError("unreachable")
            finally:
                _actor.reset(token)

        return wrapper

    return decorate if fn is None else decorate(fn)


def _actor_of(value: Any) -> Actor | None:
    """A Membership acts in its agency; a User (a system command's) in any; None is nobody."""
    if value is None:
        return None
    user_id = getattr(value, "user_id", None)
    if user_id is not None:
        return Actor(user_id=user_id, agency_id=value.agency_id)
    if hasattr(value, "get_username"):
        return Actor(user_id=value.pk)
    return None


def _rolled_back_to_retry(exc: OperationalError) -> bool:
    """A deadlock or serialization failure of the database (psycopg's error carries the SQLSTATE)."""
    return getattr(exc.__cause__, "sqlstate", None) in RETRIED_SQLSTATES


def _agency_id(value: Any) -> Any:
    """The agency id of a Membership (``agency_id``), an Agency (``pk``) or an id."""
    agency_id = getattr(value, "agency_id", None)
    if agency_id is not None:
        return agency_id
    return getattr(value, "pk", value)
