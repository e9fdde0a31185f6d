"""One SELECT over several models' rows joined, read back as model instances.

For the few reads every request makes (a user's memberships with their agencies and units; the
API token with its user and those memberships), where the ORM's building and compiling of a
query of four to six models cost more than PostgreSQL's reading of it (1.7 ms of Python against
1.0 ms for the statement, a user's memberships). The SQL and each column's converters are built
from the models' concrete fields on first use and kept for the process, so they follow the
models' migrations; each column is converted as the ORM converts it (SQLite hands back text
for dates and uuids, integers for booleans).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from django.db import connection
from django.db.models import Model

NAME = re.compile(r"\{(\w+)\}")


class JoinedRead:
    """``SELECT <every concrete column of each part>[, extra] <tail>``.

    ``parts``: (alias, model) in the order of the columns; ``tail``: the FROM, WHERE and ORDER BY
    clauses; ``extra``: one more expression after the parts' columns, read as the row's last
    value. In both, ``{name}`` is a table or column name, quoted for the database."""

    def __init__(self, parts: Sequence[tuple[str, type[Model]]], tail: str, extra: str = "") -> None:
        self.parts, self.tail, self.extra = tuple(parts), tail, extra

    def sql(self) -> str:
        return self._built(connection.vendor)[0]

    def instances(self, row: Sequence) -> list[Model | None]:
        """One model instance per part of ``row``; None for a part a LEFT JOIN found no row of."""
        found, start = [], 0
        for model, names, converters, cols in self._built(connection.vendor)[1]:
            values = list(row[start:start + len(names)])
            start += len(names)
            if values[0] is None:  # its primary key: no row joined
                found.append(None)
                continue
            for i, column_converters in enumerate(converters):
                for converter in column_converters:
                    values[i] = converter(values[i], cols[i], connection)
            found.append(model.from_db(connection.alias, names, values))
        return found

    @cache  # noqa: B019 - a few module-level reads, alive as long as the process
    def _built(self, vendor: str):
        qn = connection.ops.quote_name
        columns, parts = [], []
        for alias, model in self.parts:
            fields = model._meta.concrete_fields
            converters = []
            for field in fields:
                col = field.get_col(alias)
                converters.append(connection.ops.get_db_converters(col) + col.get_db_converters(connection))
                columns.append(f"{alias}.{qn(field.column)}")
            parts.append((model, [f.attname for f in fields], converters, [f.get_col(alias) for f in fields]))
        if self.extra:
            columns.append(self.extra)
        sql = NAME.sub(lambda m: qn(m.group(1)), f"SELECT {', '.join(columns)} {self.tail}")
        return sql, parts
