"""Writing many new rows of one model in one statement: ``COPY … FROM STDIN`` on PostgreSQL
(into a temporary table, then one ``INSERT … SELECT``: row-level security refuses COPY into
its tables), one ``bulk_create`` elsewhere.

For the fan-outs (one issue's deliveries, copies, attachments and audit events): ``COPY``
sends the rows as one stream, with no SQL text to parse and no parameter limit, several times
faster than a multi-row INSERT. The caller gives model instances with their primary keys set
(UUIDv7 made in Python: nothing needs to come back from the database), and is responsible
for their scope: each row names its own agency, no django-scopes check runs here, and the
row-level security policies of the caller's named purpose check the INSERT. Each call
counts as one query in ``connection.queries`` (and so in the tests' query counts), like the
``bulk_create`` it replaces.
"""

from __future__ import annotations

import gc
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from itertools import compress
from operator import is_not, itemgetter
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db import connections, models, router
from django.db.models.base import ModelState
from django.utils import timezone

from docflow.core.scoping import rls_purpose
from docflow.core.services import savepoint

# Values written as they are: no Django conversion needed on the way to a COPY row.
PLAIN = (str, int, float, bool, UUID, datetime, date, type(None))
_UNSET = object()


_pause_lock = threading.Lock()
_pauses = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a fan-out builds its rows.

    An issue to 10,000 agencies makes some 100,000 objects that live until the commit: every
    700 of them start a collection, and the older generations are walked again and again over
    the whole process (about 40% of the issue's CPU, measured by ``bench/bench_issue.py``).
    None of them form cycles, so reference counting frees them all the same. Nested and
    concurrent pauses (threads of one process) keep it off until the last one ends; a collector
    that was off before stays off."""
    global _pauses, _gc_was_enabled
    with _pause_lock:
        if _pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _gc_was_enabled:
                gc.enable()


def rows_copy(model: type[models.Model], objs: Sequence[models.Model], *, purpose: str) -> None:
    """Insert ``objs`` (new instances of ``model``, primary keys set) in one statement, as the
    cross-agency ``purpose`` (``docflow.core.rls.PURPOSES``) allows: ``COPY`` runs no execute
    wrapper, so the row-level security settings are brought up to date before it."""
    if not objs:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    with rls_purpose(purpose):
        if connection.vendor != "postgresql":
            model._base_manager.using(alias).bulk_create(objs)
            return
        # The settings COPY needs are local to a transaction: the caller's, or one of its own.
        with nullcontext() if connection.in_atomic_block else savepoint():
            _copy(connection, alias, model, objs)


def _copy(connection, alias: str, model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """COPY into a temporary table of the target's shape, then one ``INSERT … SELECT`` into the
    target: PostgreSQL refuses COPY FROM into a table under row-level security, and the INSERT
    is checked by its policies like any other. The temporary table lives until the commit
    (``ON COMMIT DROP``: nothing stays on a pooled connection)."""
    fields = list(model._meta.concrete_fields)
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    qn = connection.ops.quote_name
    table, staging = qn(model._meta.db_table), qn(f"copy_{model._meta.db_table}")
    columns = ", ".join(qn(f.column) for f in fields)
    sql = f"COPY {staging} ({columns}) FROM STDIN"
    started = time.monotonic()
    if stamped:  # one statement, one time (as PostgreSQL's now() is one per transaction)
        now = timezone.now()
        for obj in objs:
            for field in stamped:
                setattr(obj, field.attname, now)
    connection.ensure_connection()
    rls_apply = getattr(connection, "rls_apply", None)
    if rls_apply is not None:  # docflow.core.db.postgresql: the settings the INSERT needs
        rls_apply()
    raw = connection.connection
    # Errors as Django's (IntegrityError for a duplicate), as bulk_create raises them.
    with connection.wrap_database_errors:
        raw.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} (LIKE {table}) ON COMMIT DROP")
        raw.execute(f"TRUNCATE {staging}")
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for chunk in copy_text(fields, objs, connection):
                copy.write(chunk)
        raw.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging}")
    for obj in objs:
        obj._state.adding, obj._state.db = False, alias
    if connection.queries_logged:
        connection.queries_log.append({
            "sql": f"{sql}; INSERT INTO {table} -- {len(objs)} rows", "time": f"{time.monotonic() - started:.3f}",
        })


# COPY's text format: a tab between columns, \\N for NULL, these four escaped in values.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
CHUNK_ROWS = 1000


def copy_text(fields: Sequence[models.Field], objs: Sequence[models.Model], connection) -> Iterator[str]:
    """The rows of ``objs`` in COPY's text format, ``CHUNK_ROWS`` lines per piece.

    A fan-out's rows share most of their values (``instances_like``: the same objects), so a
    value is formatted again only where it is another object than in the row before: each row's
    values are taken in one step (``itemgetter``) and the columns that changed found by
    comparing identities in C (``map(is_not, …)``), so a row of 50 columns costs the few that
    differ."""
    attnames = [f.attname for f in fields]
    formats = [_column_format(f, connection) for f in fields]
    count = len(attnames)
    take = itemgetter(*attnames) if count > 1 else (lambda values: (values[attnames[0]],))
    columns = range(count)
    last: tuple = (_UNSET,) * count
    texts: list[str] = [""] * count
    lines: list[str] = []
    for obj in objs:
        try:
            values = take(obj.__dict__)
        except KeyError:  # a deferred field, or one set through a property: ask the instance
            values = tuple(getattr(obj, name) for name in attnames)
        for i in compress(columns, map(is_not, values, last)):
            texts[i] = formats[i](values[i])
        last = values
        lines.append("\t".join(texts))
        if len(lines) == CHUNK_ROWS:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def _column_format(field: models.Field, connection) -> Callable[[Any], str]:
    """How one column's values become COPY text: the common types of a fan-out's changing
    columns (identifiers, agency ids, names) without the general dispatch, a UUID in a uuid
    column as its 32 hex digits (PostgreSQL reads them without hyphens), the rest by
    ``_copy_value``."""
    if isinstance(field, models.JSONField):
        return lambda value: _copy_value(field, value, connection)
    uuid_column = field.db_type(connection) == "uuid"

    def text(value: Any) -> str:
        kind = type(value)
        if kind is UUID and uuid_column:
            return value.hex
        if kind is str:
            return value.translate(_ESCAPES)
        if kind is int:
            return int.__repr__(value)
        return _copy_value(field, value, connection)

    return text


def _copy_value(field: models.Field, value: Any, connection) -> str:
    """One value as COPY's text format reads it into ``field``'s column."""
    if isinstance(field, models.JSONField):
        return "\\N" if value is None else json.dumps(value, cls=field.encoder).translate(_ESCAPES)
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return int.__repr__(value)  # an IntegerChoices member too
    if isinstance(value, (float, UUID)):
        return str(value)
    if isinstance(value, datetime) and value.tzinfo is not None or type(value) is date:
        return value.isoformat()
    prepared = field.get_db_prep_save(value, connection)  # anything else: as Django sends it
    if prepared is value or not isinstance(prepared, PLAIN):
        raise TypeError(f"{field}: no COPY text for {type(value).__name__}")
    return _copy_value(field, prepared, connection)


def instances_like(template: models.Model, changes: Iterable[dict[str, Any]]) -> list[models.Model]:
    """New, unsaved instances of ``template``'s model: its field values with each dict of
    ``changes`` (attribute names: ``agency_id``, not ``agency``) applied. For a fan-out whose
    rows differ in a few fields: the model's ``__init__`` runs once, not once per row."""
    cls = type(template)
    base = {k: v for k, v in template.__dict__.items() if k != "_state"}
    made = []
    for change in changes:
        obj = cls.__new__(cls)
        obj.__dict__.update(base)
        obj.__dict__.update(change)
        obj._state = ModelState()
        made.append(obj)
    return made
