"""SQLite (the embedded mode) with its real limit on query parameters.

Django assumes SQLite's old compile-time default of 999 parameters per statement and splits a
bulk INSERT into batches accordingly: issuing to 200 agencies became ten INSERTs of incoming
copies. SQLite since 3.32 allows 32,766 and reports its limit, so read it per connection
(Django 6 does the same), and fan-out writes stay one statement up to that many values.
"""

from __future__ import annotations

import sqlite3


def sqlite_use_real_parameter_limit(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: raise ``max_query_params`` to the library's limit."""
    if connection.vendor != "sqlite":
        return
    getlimit = getattr(connection.connection, "getlimit", None)  # Python 3.11+
    if getlimit is not None:
        connection.features.max_query_params = getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
