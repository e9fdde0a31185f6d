"""PostgreSQL's SQL compilers, each running its query with the agency or purpose the query was
made with (``Model.objects.with_scope(agency=…)`` / ``.cross_agency(…)``), so the settings the
backend sets before it are that query's."""

from django.db.backends.postgresql import compiler as pg
from django.db.models.sql import compiler as base

from docflow.core.scoping import query_rls


class _RLSMixin:
    def execute_sql(self, *args, **kwargs):
        with query_rls(self.query.__dict__.get("docflow_rls")):
            return super().execute_sql(*args, **kwargs)


class SQLCompiler(_RLSMixin, pg.SQLCompiler):
    pass


class SQLInsertCompiler(_RLSMixin, pg.SQLInsertCompiler):
    pass


class SQLDeleteCompiler(_RLSMixin, base.SQLDeleteCompiler):
    pass


class SQLUpdateCompiler(_RLSMixin, base.SQLUpdateCompiler):
    pass


class SQLAggregateCompiler(_RLSMixin, base.SQLAggregateCompiler):
    pass
