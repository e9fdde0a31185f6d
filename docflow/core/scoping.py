"""The tenant scope. Queries on tenant tables fail closed outside an agency scope.

django-scopes keeps the active scope in a context variable; every tenant-owned model uses
``TenantManager`` so a query with no active agency raises ``ScopeError`` instead of
returning every agency's rows.

On PostgreSQL the same scope is the database's: the backend (``docflow.core.db.postgresql``)
sets the agency of ``agency_scope`` and the purposes of ``cross_agency`` for each transaction,
and row-level security (``docflow.core.rls``) shows only what they allow. Cross-agency work is
always named: ``cross_agency("delivery")`` around a block, or ``Model.objects.cross_agency(
"delivery")`` for one query; ``Model.objects.with_scope(agency=x)`` runs one query as agency x.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from django_scopes import ScopedManager, get_scope, scope, scopes_disabled

__all__ = ["TenantManager", "agency_scope", "cross_agency", "current_agency_id", "rls_purpose", "rls_state"]

# Purposes opened by cross_agency() blocks in this context, outermost first.
_purposes: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("docflow_purposes", default=())
# The (agency id or None, purposes) of the one query being executed, when it names its own.
_query: contextvars.ContextVar[tuple[Any, tuple[str, ...]] | None] = contextvars.ContextVar(
    "docflow_query_rls", default=None
)


def _check_purpose(purpose: str) -> None:
    from docflow.core.rls import PURPOSES

    if purpose not in PURPOSES:
        raise ValueError(f"unknown cross-agency purpose {purpose!r}; known: {sorted(PURPOSES)}")


@contextmanager
def cross_agency(purpose: str) -> Iterator[None]:
    """Work across agencies for one named purpose: django-scopes is disabled and the database
    allows what ``docflow.core.rls.PURPOSES[purpose]`` gives, nothing more. Usable as a
    decorator too."""
    with rls_purpose(purpose), scopes_disabled():
        yield


@contextmanager
def rls_purpose(purpose: str) -> Iterator[None]:
    """The database allows ``purpose`` (as ``cross_agency`` does) while django-scopes keeps the
    active agency's filter: for a service that changes another agency's row it was handed (the
    sender's delivery row at a status change), its own queries still scoped. A decorator too."""
    _check_purpose(purpose)
    token = _purposes.set(tuple(dict.fromkeys((*_purposes.get(), purpose))))
    try:
        yield
    finally:
        _purposes.reset(token)


@contextmanager
def query_rls(state: tuple[Any, tuple[str, ...]] | None) -> Iterator[None]:
    """While one query runs: the agency and purposes it was made with (see TenantManager)."""
    if state is None:
        yield
        return
    token = _query.set(state)
    try:
        yield
    finally:
        _query.reset(token)


def rls_state() -> tuple[str, str]:
    """(agency id, purposes) the database should see now, as the two settings' text."""
    agency = get_scope().get("agency")
    purposes = _purposes.get()
    override = _query.get()
    if override is not None:
        if override[0] is not None:
            agency = override[0]
        purposes = tuple(dict.fromkeys((*purposes, *override[1])))
    if agency is None:
        agencies = ""
    elif isinstance(agency, (list, tuple)):
        agencies = ",".join(str(int(getattr(a, "pk", a))) for a in agency)
    else:
        agencies = str(int(getattr(agency, "pk", agency)))
    return (agencies, ",".join(purposes))


class _RLSQuerySet(models.QuerySet):
    """Carries the agency or purpose its manager was asked for into the writes that build
    queries of their own (create, bulk_create, delete's collector)."""

    def _rls(self):
        return self.query.__dict__.get("docflow_rls")

    def create(self, **kwargs):
        with query_rls(self._rls()):
            return super().create(**kwargs)

    def bulk_create(self, *args, **kwargs):
        with query_rls(self._rls()):
            return super().bulk_create(*args, **kwargs)

    def bulk_update(self, *args, **kwargs):
        with query_rls(self._rls()):
            return super().bulk_update(*args, **kwargs)

    def get_or_create(self, *args, **kwargs):
        with query_rls(self._rls()):
            return super().get_or_create(*args, **kwargs)

    def update_or_create(self, *args, **kwargs):
        with query_rls(self._rls()):
            return super().update_or_create(*args, **kwargs)

    def delete(self):
        with query_rls(self._rls()):
            return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


def TenantManager(_manager_class: type[models.Manager] = models.Manager) -> models.Manager:  # noqa: N802
    """The manager of every tenant-owned model: filtered by the active agency, or an error."""
    queryset_class = type(
        f"Tenant{_manager_class._queryset_class.__name__}", (_RLSQuerySet, _manager_class._queryset_class), {}
    )
    base = type(ScopedManager(agency="agency", _manager_class=_manager_class.from_queryset(queryset_class)))

    class Manager(base):
        def with_scope(self, **scope_kwargs):
            cloned = super().with_scope(**scope_kwargs)
            agency = scope_kwargs.get("agency")
            cloned._rls = (agency, ())
            return cloned

        def cross_agency(self, purpose: str):
            """This manager's queries across agencies for one named purpose."""
            _check_purpose(purpose)
            cloned = self.with_scopes_disabled()
            cloned._rls = (None, (purpose,))
            return cloned

        def get_queryset(self):
            queryset = super().get_queryset()
            rls = getattr(self, "_rls", None)
            if rls is not None:
                queryset.query.docflow_rls = rls
            return queryset

    return Manager()


@contextmanager
def agency_scope(agency: Any) -> Iterator[None]:
    """Activate one agency's scope (an Agency or its id). Refuses None: django-scopes would read
    it as 'no filter'."""
    if agency is None:
        raise ValueError("agency_scope needs an agency, not None")
    with scope(agency=agency):
        yield


def current_agency_id() -> int | None:
    """The id of the agency whose scope is active, if any."""
    value = get_scope().get("agency")
    if value is None or isinstance(value, (list, tuple)):
        return None
    return getattr(value, "pk", value)
