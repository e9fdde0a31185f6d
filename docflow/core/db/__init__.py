"""Database backends and what code uses of them whatever the vendor.

Prepared statements (PostgreSQL; ``docflow.core.db.postgresql``): what ``prepared_cursor`` runs
is prepared once per connection; after five runs PostgreSQL plans it once (its generic plan)
when that plan looks no costlier than planning each run. For a fixed statement that every
request runs, whose joined tables cost more to plan than to read and whose values do not change
the best plan (the API token's lookup); never for a query whose best plan depends on its values
(a search, a big agency's list), which keeps Django's client-side binding and is planned each
time with its own values. In autocommit mode a prepared statement that needs the tenant
settings costs three more round trips (its own transaction), so it pays only where planning
costs more than those. Elsewhere (SQLite) it is Django's own cursor.
"""

from __future__ import annotations

import contextvars

# Whether the cursor the backend makes now is a preparing one (read by its create_cursor).
PREPARE = contextvars.ContextVar("docflow_prepare", default=False)


def prepared_cursor(connection):
    """A cursor whose statements are prepared on ``connection`` where its backend can."""
    token = PREPARE.set(True)
    try:
        return connection.cursor()
    finally:
        PREPARE.reset(token)
