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
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any, ParamSpec, TypeVar

from django.db import transaction

from docflow.core.scoping import agency_scope

__all__ = ["in_service", "service", "service_transaction"]

P = ParamSpec("P")
R = TypeVar("R")

_depth: contextvars.ContextVar[int] = contextvars.ContextVar("docflow_service_depth", default=0)


def in_service() -> bool:
    """True while a service (or a ``service_transaction``) runs in this context."""
    return _depth.get() > 0


@contextmanager
def service_transaction(*, agency: Any = None) -> Iterator[None]:
    """The transaction of a service: durable when outermost, a savepoint inside another one.

    ``agency`` (an Agency, its id, or a Membership) opens that agency's scope around it."""
    depth = _depth.get()
    token = _depth.set(depth + 1)
    try:
        with ExitStack() as stack:
            if agency is not None:
                stack.enter_context(agency_scope(_agency_id(agency)))
            stack.enter_context(transaction.atomic(durable=depth == 0))
            yield
    finally:
        _depth.reset(token)


def service(fn: Callable[P, R] | None = None, *, scope: str | None = "actor") -> Any:
    """Run the decorated function as a service (see the module docstring).

    ``scope`` names the keyword argument that gives the agency: a Membership (``actor``,
    ``membership``), an Agency or an agency id (``agency_id``); ``None`` for a service that opens
    no scope (it reads across agencies on purpose, with ``with_scope``/``cross_agency``)."""

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
            with service_transaction(agency=agency):
                return fn(*args, **kwargs)

        return wrapper

    return decorate if fn is None else decorate(fn)


def _agency_id(value: Any) -> Any:
    """The agency id of a Membership (``agency_id``), an Agency (``pk``) or an id."""
    agency_id = getattr(value, "agency_id", None)
    if agency_id is not None:
        return agency_id
    return getattr(value, "pk", value)
