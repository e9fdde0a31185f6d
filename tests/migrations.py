"""Moving the test database between migrations, for tests of a data migration."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from docflow.core import rls


def migrate_to(targets):
    """Migrate to ``targets`` ([(app, migration)]) and return the apps of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_back_to_latest() -> None:
    """Every app to its latest migration, and the policies of the tables made again (as after
    ``migrate``)."""
    migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
    rls.apply(connection)
