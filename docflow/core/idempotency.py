"""One-time keys claimed inside the service's transaction — the mechanism behind the API's
``Idempotency-Key`` and the web forms' hidden key.

The caller opens ``service_transaction()``, claims the key with ``key_claim`` (an INSERT on a
unique index, in a savepoint), runs the service (which joins that transaction) and writes what
it answered on the claimed row: the key and the service's writes commit together or neither.
A request whose key was claimed by a committed request finds that row (``key_claim`` answers
None) and replays its answer; one that failed left no row, so the key can be used again.

While the first request with a key still runs, a second one's INSERT meets the first's
uncommitted row. With ``wait=True`` (the API: a client retries, and should get the same answer)
PostgreSQL makes the INSERT wait for the first to commit — a wait in the database, not a poll —
then it replays. With ``wait=False`` (a person who pressed twice) the INSERT waits at most
``BUSY_AFTER`` and ``KeyBusy`` says the first is still running, to be answered at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, OperationalError, connection

from docflow.core.services import in_service, savepoint

__all__ = ["BUSY_AFTER", "KeyBusy", "key_claim"]

T = TypeVar("T")
BUSY_AFTER = "200ms"  # longer than any lock a plain INSERT waits on, far shorter than a service
LOCK_NOT_AVAILABLE = "55P03"


class KeyBusy(Exception):
    """The first request with this key has not finished yet."""


def key_claim(create: Callable[[], T], *, wait: bool) -> T | None:
    """Run ``create`` (the INSERT of the key's row) in a savepoint of the running service
    transaction; the row, or None when the key is already taken (a committed request's, or this
    transaction's own). ``wait=False`` raises ``KeyBusy`` instead of waiting for a running first."""
    if not in_service():
        raise RuntimeError("key_claim runs inside service_transaction(), with the service it guards")
    bounded = not wait and connection.vendor == "postgresql"
    try:
        with savepoint():
            if bounded:
                _lock_timeout(BUSY_AFTER)
            row = create()
            if bounded:
                _lock_timeout("0")  # the service itself waits for its locks as usual
            return row
    except IntegrityError:
        return None
    except OperationalError as exc:
        if bounded and getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise KeyBusy from None
        raise


def _lock_timeout(value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [value])
