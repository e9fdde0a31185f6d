"""Django's PostgreSQL backend, setting the tenant scope for row-level security.

Before a statement runs, the agency and cross-agency purposes of the running code
(``docflow.core.scoping.rls_state``) are set with ``set_config(..., true)`` — local to the
transaction, so it holds behind PgBouncer in transaction mode — when they differ from what this
transaction has set already: one extra statement per transaction while the scope stays the same.
A statement in autocommit mode carries the settings in the same round trip (both in one
implicit transaction); a server-side cursor or an ``executemany`` there gets a transaction of
its own. Commit, rollback, a savepoint rolled back and a new connection forget what was set.

A cursor made by ``docflow.core.db.prepared_cursor`` binds on the server and has psycopg prepare
what it runs, named at the protocol level (which PgBouncer 1.21+ keeps in transaction mode); in
autocommit mode it cannot send the settings in the same round trip, so its statement gets a
transaction of its own.
"""

from __future__ import annotations

from datetime import timezone
from functools import lru_cache

from django.db.backends.postgresql import base
from django.db.models.signals import post_migrate

from docflow.core.db import PREPARE
from docflow.core.scoping import rls_state

EMPTY = ("", "")
# The planner's price of starting parallel workers (PostgreSQL's default: 1000). At the default
# it splits a walk down an index that stops after a page of rows (search's recency window over
# a common word: 30 ms against 15 ms serial, bench/bench_search.py) among workers whose start
# costs more than the walk; a scan of millions of rows (oversight) still goes parallel.
PARALLEL_SETUP_COST = 10000
# psycopg prepares nothing when a connection's threshold is None (Django's default): a number no
# count reaches lets ``PreparedCursor`` prepare what it runs while nothing else ever is (Django's
# client-side binding cursors never prepare).
PREPARE_WHEN_ASKED = 2**31
TRANSACTION_CONTROL = ("SAVEPOINT ", "RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")
UNKNOWN = None


class PreparedCursor(base.ServerBindingCursor):
    """Django's server-binding cursor, asking psycopg to prepare every statement it runs."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)


def set_sql(state: tuple[str, str]) -> str:
    agency, purposes = state
    # Both values are made by rls_state: integers' digits and purpose names from a fixed
    # list (letters only), so they are written in as literals, never from outside input.
    return (f"SELECT set_config('docflow.agency_id', '{agency}', true), "
            f"set_config('docflow.purpose', '{purposes}', true)")


def _c_timestamptz_loader():
    """psycopg's C loader of timestamptz text, or None without the C implementation."""
    import psycopg
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    loader = psycopg.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)
    return None if issubclass(loader, Loader) else loader


C_TIMESTAMPTZ_LOADER = _c_timestamptz_loader()


if C_TIMESTAMPTZ_LOADER is not None:
    from psycopg.adapt import Loader

    class UtcTimestamptzLoader(Loader):
        """A timestamptz as Django's backend loads it with ``USE_TZ`` (aware, in UTC, the
        session's time zone Django sets on connecting), parsed by psycopg's C loader. Django's
        own loader subclasses psycopg's Python one to replace the tzinfo: 5 µs a value, 0.7 ms
        of a 50-row work list (bench/bench_incoming_list.py). The C loader cannot be subclassed,
        so each instance takes its ``load``; ``timezone`` is what Django's ``create_cursor``
        compares with the connection's before it registers its own loader on a cursor."""

        timezone = timezone.utc

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._c_loader = C_TIMESTAMPTZ_LOADER(oid, context)
            self.load = self._c_loader.load  # bound in C: no Python frame per value

        def load(self, data):  # pragma: no cover - each instance's own ``load`` shadows it
            return self._c_loader.load(data)

    @lru_cache
    def utc_adapters(template):
        """Django's adapters map for this connection, with the C timestamptz loader."""
        from psycopg.adapt import AdaptersMap

        adapters = AdaptersMap(template)
        adapters.register_loader("timestamptz", UtcTimestamptzLoader)
        return adapters


class DatabaseOperations(base.DatabaseOperations):
    compiler_module = "docflow.core.db.compiler"

    def last_executed_query(self, cursor, sql, params):
        if isinstance(cursor, PreparedCursor):  # it binds on the server: Django's reading gets None
            return self.compose_sql(sql, params)
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rls_set = EMPTY
        # ``?prepare=off`` in DATABASE_URL: behind a pooler that cannot keep prepared statements
        # (PgBouncer before 1.21 in transaction mode), nothing is prepared.
        self.prepare_enabled = self.settings_dict.get("OPTIONS", {}).get("prepare", "on") != "off"
        self.execute_wrappers.append(self._rls_execute)

    def _rls_execute(self, execute, sql, params, many, context):
        if sql.startswith(TRANSACTION_CONTROL):  # reads no rows; may run in an aborted transaction
            return execute(sql, params, many, context)
        state = rls_state()
        if self.in_atomic_block or not self.get_autocommit():
            self._rls_send(state)
            return execute(sql, params, many, context)
        if state == EMPTY:
            return execute(sql, params, many, context)
        raw = context["cursor"].cursor
        # One round trip ("set; statement") needs the simple query protocol: only a client-side
        # binding cursor that is not named speaks it.
        if many or getattr(raw, "name", None) or isinstance(raw, PreparedCursor):
            with self.connection.transaction():
                self.connection.execute(set_sql(state))
                return execute(sql, params, many, context)
        result = execute(set_sql(state) + "; " + sql, params, many, context)
        raw.nextset()
        return result

    def _rls_send(self, state: tuple[str, str]) -> None:
        if state != self.rls_set:
            self.connection.execute(set_sql(state))
            self.rls_set = state

    def create_cursor(self, name=None):
        if name or not (self.prepare_enabled and PREPARE.get()):
            return super().create_cursor(name)
        cursor = PreparedCursor(self.connection)
        if self.timezone != cursor.adapters.get_loader(base.TIMESTAMPTZ_OID, base.Format.TEXT).timezone:
            base.register_tzloader(self.timezone, cursor)
        return cursor

    def rls_apply(self) -> None:
        """Bring the transaction's settings up to what the running code's scope needs, for a
        statement that runs no execute wrapper (``COPY``, ``docflow.core.bulk``). In a
        transaction only: a setting made in autocommit mode would end with its statement."""
        if not (self.in_atomic_block or not self.get_autocommit()):
            raise RuntimeError("rls_apply() outside a transaction: its settings would not hold")
        self._rls_send(rls_state())

    def get_connection_params(self):
        params = super().get_connection_params()
        params.pop("prepare", None)
        if params.get("prepare_threshold") is None:
            params["prepare_threshold"] = PREPARE_WHEN_ASKED
        if C_TIMESTAMPTZ_LOADER is not None and self.timezone == timezone.utc and "context" in params:
            params["context"] = utc_adapters(params["context"])
        return params

    def get_new_connection(self, conn_params):
        self.rls_set = EMPTY
        return super().get_new_connection(conn_params)

    def _configure_connection(self, connection):
        super()._configure_connection(connection)
        with connection.cursor() as cursor:
            cursor.execute(f"SET parallel_setup_cost = {PARALLEL_SETUP_COST}")
        return True  # committed by Django when the connection is not in autocommit

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self.rls_set = EMPTY

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self.rls_set = EMPTY

    def _savepoint_rollback(self, sid):
        try:
            return super()._savepoint_rollback(sid)
        finally:
            self.rls_set = UNKNOWN

    def _set_autocommit(self, autocommit):
        self.rls_set = EMPTY
        return super()._set_autocommit(autocommit)


def _apply_policies(sender, using="default", plan=None, **kwargs):
    """After ``migrate`` (not after a flush, which has no plan): every tenant table's policies."""
    if plan is None or sender.name != "docflow.tenancy":
        return
    from django.conf import settings
    from django.db import connections

    from docflow.core import rls

    connection = connections[using]
    rls.apply(connection)
    role = getattr(settings, "DOCFLOW_DB_APP_ROLE", "")
    if role and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone():
                for statement in rls.grant_sql(role):
                    cursor.execute(statement)


post_migrate.connect(_apply_policies, dispatch_uid="docflow_rls_policies")
