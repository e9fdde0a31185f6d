"""Migration operations for the trigram index of a folded ``search_text`` column.

PostgreSQL only: on SQLite (the embedded mode) both are no-ops both ways, and search runs
``LIKE`` over the same folded column without an index. The index is not part of the model
state (``Meta.indexes`` would make SQLite try ``USING gin`` whenever it rebuilds the table),
so each model says in a comment which migration creates it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.contrib.postgres.operations import CreateExtension
from django.db.migrations.operations.base import Operation

REFILL_BATCH = 2000


def search_text_refill(model, fields: Sequence[str], *, text_of: Callable[[tuple], str]) -> None:
    """For a data migration: set ``search_text`` to ``text_of(row)`` on every row of ``model``
    (a historical model), ``row`` being the values of ``fields`` (the primary key first), in
    batches by primary key so a large table never sits in memory whole."""
    rows = model._base_manager.order_by("pk").values_list(*fields)
    last = None
    while True:
        page = list((rows.filter(pk__gt=last) if last is not None else rows)[:REFILL_BATCH])
        if not page:
            return
        model._base_manager.bulk_update(
            [model(pk=row[0], search_text=text_of(row)) for row in page], ["search_text"]
        )
        last = page[-1][0]


def trigram_index_sql(*, table: str, name: str, column: str = "search_text", concurrently: bool = False) -> str:
    """The statement that builds the index (the migration's, and a benchmark's after a bulk load)."""
    return (
        f'CREATE INDEX{" CONCURRENTLY" if concurrently else ""} IF NOT EXISTS "{name}" ON "{table}" '
        f'USING gin ("{column}" gin_trgm_ops)'
    )


class TrigramExtension(CreateExtension):
    """``CREATE EXTENSION IF NOT EXISTS pg_trgm`` on PostgreSQL; nothing elsewhere. Never
    dropped on the way back: other indexes may use it."""

    def __init__(self) -> None:
        super().__init__("pg_trgm")

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        return None


class TrigramIndex(Operation):
    """A GIN ``gin_trgm_ops`` index on one column (PostgreSQL; nothing elsewhere).

    Built ``CONCURRENTLY`` when the migration is not atomic, so a large table keeps taking
    writes; an invalid index left by an interrupted build is dropped and built again.
    """

    reversible = True
    reduces_to_sql = False

    def __init__(self, *, model_name: str, name: str, column: str = "search_text") -> None:
        self.model_name, self.name, self.column = model_name, name, column

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {
            "model_name": self.model_name, "name": self.name, "column": self.column,
        })

    def state_forwards(self, app_label, state) -> None:
        return None

    def describe(self) -> str:
        return f"Create trigram index {self.name} on {self.model_name}.{self.column} (PostgreSQL)"

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        table = to_state.apps.get_model(app_label, self.model_name)._meta.db_table
        concurrently = "" if connection.in_atomic_block else " CONCURRENTLY"
        quote = schema_editor.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = %s", [self.name],
            )
            found = cursor.fetchone()
        if found is not None and not found[0]:
            schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {quote(self.name)}")
        schema_editor.execute(trigram_index_sql(
            table=table, name=self.name, column=self.column, concurrently=bool(concurrently)
        ))

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        concurrently = "" if connection.in_atomic_block else " CONCURRENTLY"
        schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {schema_editor.quote_name(self.name)}")
