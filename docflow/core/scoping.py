"""The tenant scope. Queries on tenant tables fail closed outside an agency scope.

django-scopes keeps the active scope in a context variable; every tenant-owned model uses
``TenantManager`` so a query with no active agency raises ``ScopeError`` instead of
returning every agency's rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from django_scopes import ScopedManager, get_scope, scope, scopes_disabled

__all__ = ["TenantManager", "agency_scope", "current_agency_id", "scopes_disabled"]


def TenantManager(_manager_class: type[models.Manager] = models.Manager) -> models.Manager:  # noqa: N802
    """The manager of every tenant-owned model: filtered by the active agency, or an error."""
    return ScopedManager(agency="agency", _manager_class=_manager_class)


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
    if value is None:
        return None
    return getattr(value, "pk", value)
