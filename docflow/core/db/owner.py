"""Run a block connected as the tables' owner (``DATABASE_OWNER_URL``): migrations and the
app role's grants. The database stays the one the default connection names (a test database
included); only who connects changes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


@contextmanager
def as_owner(using: str = "default") -> Iterator[None]:
    from django.conf import settings
    from django.db import connections

    owner = getattr(settings, "DOCFLOW_DB_OWNER", None) or {}
    connection = connections[using]
    current = {k: connection.settings_dict.get(k) for k in CREDENTIALS}
    wanted = {k: owner.get(k, current[k]) for k in CREDENTIALS}
    if using != "default" or not owner or wanted == current:
        yield
        return
    connection.close()
    connection.settings_dict.update(wanted)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(current)
