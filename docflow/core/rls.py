"""Row-level security on every tenant table (PostgreSQL), the database's own tenant wall.

django-scopes filters tenant queries in Python; this makes PostgreSQL refuse the same rows when
a query slips past it (raw SQL, an unscoped manager, a bug). Every table with an ``agency_id``
column gets ROW LEVEL SECURITY, enabled and forced, and a policy that shows and accepts only the
rows of the agency (or agencies) set for the transaction (``docflow.agency_id``, set with
``set_config(..., true)`` by the backend in ``docflow.core.db.postgresql``). With no agency set
a query returns nothing.

Cross-agency work is named: ``cross_agency("delivery")`` (``docflow.core.scoping``) sets
``docflow.purpose``, and a table answers a purpose only when ``PURPOSES`` gives it that table,
with the commands listed (SELECT always; INSERT, UPDATE, DELETE only where written).

``policy_sql()`` is the whole DDL, made from the models and ``PURPOSES``; it is applied after
every ``migrate`` (``apply``), so a new tenant table gets its policy with the migration that
creates it. ``tests/core/test_rls.py`` compares ``pg_class``/``pg_policies`` with the models.
"""

from __future__ import annotations

from dataclasses import dataclass

AGENCY_SETTING = "docflow.agency_id"
PURPOSE_SETTING = "docflow.purpose"

# What each purpose may do on which table, beyond the agency's own rows. "s" select,
# "i" insert, "u" update, "d" delete; select is implied by the others.
PURPOSES: dict[str, dict[str, str]] = {
    # Who belongs where: signing in (a user's memberships before an agency is chosen), the
    # clerks of a recipient, agencies found by an old code.
    "directory": {
        "tenancy_membership": "s",
        "tenancy_unit": "s",
        "tenancy_agencyalias": "s",
    },
    # Issuing: copies created in the recipients' agencies, their clerks told, their registers
    # ready; the sender's delivery rows; reminders about copies not yet accepted.
    "delivery": {
        "routing_incomingdocument": "siu",
        "routing_incomingattachment": "si",
        "routing_delivery": "siu",
        "documents_outgoingdocument": "su",
        "documents_register": "si",
        "tenancy_membership": "s",
        "notifications_notification": "siu",
        "notifications_notificationpreference": "s",
        "audit_auditevent": "si",
        "audit_auditchainhead": "siu",
    },
    # Status back: a recipient's status reaches the sender's delivery row and its people.
    "status": {
        "routing_delivery": "su",
        "routing_incomingdocument": "s",
        "routing_statusreport": "si",
        "documents_outgoingdocument": "s",
        "notifications_notification": "siu",
        "notifications_notificationpreference": "s",
        "audit_auditevent": "si",
        "audit_auditchainhead": "siu",
    },
    # The exchange with systems outside Docflow and the national axis: packages in and out,
    # found by their identifiers, signed with the agency's credential, status packages.
    "exchange": {
        "routing_incomingdocument": "siu",
        "routing_incomingattachment": "si",
        "routing_delivery": "su",
        "routing_statusreport": "s",
        "documents_outgoingdocument": "s",
        "documents_attachment": "s",
        "documents_register": "si",
        "signing_signingcredential": "s",
        "tenancy_membership": "s",
        "tenancy_unit": "s",
        "axis_axismessage": "siu",
        "exchange_webhookdelivery": "siu",
        "notifications_notification": "siu",
        "notifications_notificationpreference": "s",
        "audit_auditevent": "si",
        "audit_auditchainhead": "siu",
    },
    # Notifications and digests for people of any agency.
    "notify": {
        "notifications_notification": "siu",
        "notifications_notificationpreference": "s",
        "notifications_notificationdigest": "siu",
        "tenancy_membership": "s",
    },
    # The superior's oversight: counts over the agencies below it (the code reads counts only).
    "oversight": {
        "routing_incomingdocument": "s",
        "routing_delivery": "s",
        "documents_outgoingdocument": "s",
        "reports_oversightmonth": "s",
    },
    # The audit log: events recorded in another agency's chain, the chains verified.
    "audit": {
        "audit_auditevent": "si",
        "audit_auditchainhead": "siu",
    },
    # Scheduled housekeeping across agencies: old one-time keys, monthly reports, the oversight
    # rollup rebuilt every night.
    "housekeeping": {
        "api_idempotencyrecord": "sd",
        "reports_statisticsreport": "si",
        "reports_oversightmonth": "sid",
    },
    # A merger moves every table's rows to the successor; the directory import creates
    # agencies' units and memberships; management commands, the Django admin and the demo
    # story act as the system. Every tenant table, every command.
    "merge": "*",  # type: ignore[dict-item]
    "system": "*",  # type: ignore[dict-item]
}

_OPS = {"s": "SELECT", "i": "INSERT", "u": "UPDATE", "d": "DELETE"}


@dataclass(frozen=True)
class SharedTable:
    """A table with no agency of its own whose rows many agencies' rows point to (content
    stored once): a row is shown only where a row of ``reader`` the session may read (by that
    table's own policies) points to it through ``key``. Any scoped session may add rows; rows
    never change; only ``deleters`` remove them."""

    reader: str
    key: str
    deleters: tuple[str, ...] = ("housekeeping", "merge", "system")


SHARED_TABLES: dict[str, SharedTable] = {
    # The search text of incoming copies, one row per distinct text (routing.CopyText).
    "routing_copytext": SharedTable(reader="routing_incomingdocument", key="search_id"),
}


@dataclass(frozen=True)
class TenantTable:
    table: str
    model: str


def tenant_tables() -> list[TenantTable]:
    """Every concrete model's table with an ``agency_id`` column, sorted by table name."""
    from django.apps import apps

    found: dict[str, TenantTable] = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.abstract:
            continue
        if any(f.column == "agency_id" for f in meta.concrete_fields):
            found[meta.db_table] = TenantTable(meta.db_table, meta.label)
    return sorted(found.values(), key=lambda t: t.table)


def grants(purpose: str, table: str) -> str:
    """The commands ``purpose`` may run on ``table`` across agencies ('' when none)."""
    given = PURPOSES[purpose]
    if given == "*":
        return "siud"
    ops = given.get(table, "")
    return ("s" + ops.replace("s", "")) if ops else ""


def purposes_of(table: str) -> dict[str, str]:
    """{purpose: commands} for one table."""
    return {p: ops for p in PURPOSES if (ops := grants(p, table))}


FUNCTIONS_SQL = f"""
CREATE OR REPLACE FUNCTION docflow_agencies() RETURNS bigint[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT string_to_array(NULLIF(current_setting('{AGENCY_SETTING}', true), ''), ',')::bigint[] $$;
CREATE OR REPLACE FUNCTION docflow_purposes() RETURNS text[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT string_to_array(NULLIF(current_setting('{PURPOSE_SETTING}', true), ''), ',') $$;
"""


def table_sql(table: str) -> list[str]:
    """ENABLE + FORCE and the policies of one table (dropped and made again)."""
    statements = [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
    ]
    statements += [
        f'DROP POLICY IF EXISTS "{name}" ON "{table}"' for name in existing_names(table)
    ]
    statements.append(
        f'CREATE POLICY docflow_agency ON "{table}" FOR ALL '
        "USING (agency_id = ANY (docflow_agencies())) "
        "WITH CHECK (agency_id = ANY (docflow_agencies()))"
    )
    by_op: dict[str, list[str]] = {}
    for purpose, ops in purposes_of(table).items():
        for op in ops:
            by_op.setdefault(op, []).append(purpose)
    for op, purposes in sorted(by_op.items()):
        names = ", ".join(f"'{p}'" for p in purposes)
        test = f"docflow_purposes() && ARRAY[{names}]"
        command = _OPS[op]
        if command == "INSERT":
            clause = f"WITH CHECK ({test})"
        elif command == "UPDATE":
            clause = f"USING ({test}) WITH CHECK ({test})"
        else:
            clause = f"USING ({test})"
        statements.append(f'CREATE POLICY docflow_{command.lower()} ON "{table}" FOR {command} {clause}')
    return statements


def existing_names(table: str) -> list[str]:
    """The policy names this module creates on a table (dropped before they are made again)."""
    return ["docflow_agency"] + [f"docflow_{c.lower()}" for c in _OPS.values()]


def shared_table_sql(table: str) -> list[str]:
    """ENABLE + FORCE and the policies of a shared table (``SHARED_TABLES``)."""
    shared = SHARED_TABLES[table]
    deleters = ", ".join(f"'{p}'" for p in shared.deleters)
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        *(f'DROP POLICY IF EXISTS "{name}" ON "{table}"' for name in existing_names(table)),
        f'CREATE POLICY docflow_select ON "{table}" FOR SELECT USING (EXISTS ('
        f'SELECT 1 FROM "{shared.reader}" r WHERE r."{shared.key}" = "{table}".id))',
        f'CREATE POLICY docflow_insert ON "{table}" FOR INSERT WITH CHECK ('
        "docflow_agencies() IS NOT NULL OR docflow_purposes() IS NOT NULL)",
        f'CREATE POLICY docflow_delete ON "{table}" FOR DELETE USING (docflow_purposes() && ARRAY[{deleters}])',
    ]


def policy_sql() -> list[str]:
    """Every statement: the two functions, then each tenant table's security and policies,
    then the shared tables'."""
    statements = [FUNCTIONS_SQL]
    for t in tenant_tables():
        statements += table_sql(t.table)
    for table in sorted(SHARED_TABLES):
        statements += shared_table_sql(table)
    return statements


def expected_policies(table: str) -> set[tuple[str, str]]:
    """{(policy name, command)} the table should have (as ``pg_policies`` names them)."""
    expected = {("docflow_agency", "ALL")}
    for ops in purposes_of(table).values():
        expected |= {(f"docflow_{_OPS[o].lower()}", _OPS[o]) for o in ops}
    return expected


def apply(connection) -> None:
    """Create or refresh the functions and every tenant table's policies (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in policy_sql():
            cursor.execute(statement)


def grant_sql(role: str, *, owner: str | None = None) -> list[str]:
    """What the app role may do: read and write rows, never own, never bypass RLS; the audit
    log only grows (no UPDATE, DELETE, TRUNCATE)."""
    q = '"' + role.replace('"', '""') + '"'
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {q}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {q}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {q}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent FROM {q}",
    ]
    if owner:
        o = '"' + owner.replace('"', '""') + '"'
        statements += [
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {q}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {q}",
        ]
    return statements


def role_sql(role: str) -> list[str]:
    """The app role, created when missing: it logs in, owns nothing, bypasses nothing."""
    q = '"' + role.replace('"', '""') + '"'
    literal = "'" + role.replace("'", "''") + "'"
    return [
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
        f"{literal}) THEN CREATE ROLE {q} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB "
        "NOCREATEROLE; END IF; END $$",
        f"ALTER ROLE {q} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE",
    ]
