"""The indexes a recipient's rows go into at issue (PostgreSQL pass): no index another one
already serves, and the due-date index, which holds only copies with a due date, still serves
the lists ordered by due date (overdue, due soon)."""

from __future__ import annotations

import pytest
from django.db import connection

from docflow.core.scoping import agency_scope
from docflow.routing.selectors import incoming_due_soon, incoming_overdue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# Per table an issue writes a row of for each recipient: its indexes, none redundant.
EXPECTED = {
    "routing_delivery": {
        "routing_delivery_pkey", "delivery_doc_idx", "delivery_unique",
        "routing_delivery_recipient_agency_id_4b93d13a",
    },
    "routing_incomingattachment": {
        "routing_incomingattachment_pkey", "incoming_attachment_file_idx",
        "routing_incomingattachment_agency_id_a1c6931c", "routing_incomingattachment_incoming_id_0500f0d3",
    },
    "audit_auditevent": {
        "audit_auditevent_pkey", "audit_audit_agency__a09b3b_idx", "audit_one_event_per_link",
        "audit_event_actor_idx",
    },
}


def _indexes(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return dict(cursor.fetchall())


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_the_rows_of_each_recipient_go_into_these_indexes_only(table):
    assert set(_indexes(table)) == EXPECTED[table]


def test_partial_indexes_leave_out_the_rows_a_fan_out_writes():
    assert _indexes("routing_incomingdocument")["incoming_due_idx"].endswith("WHERE (due_date IS NOT NULL)")
    assert _indexes("audit_auditevent")["audit_event_actor_idx"].endswith("WHERE (actor_id IS NOT NULL)")


@pytest.mark.parametrize("query", ["overdue", "due_soon"])
def test_the_due_date_lists_can_use_the_partial_index(agency_a, query):
    from datetime import date

    with agency_scope(agency_a):
        qs = {
            "overdue": lambda: incoming_overdue(today=date(2026, 12, 2)),
            "due_soon": lambda: incoming_due_soon(days=3, today=date(2026, 12, 2)),
        }[query]()
        with connection.cursor() as cursor:  # this transaction only: the test's
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = on")
        plan = qs.explain()
    assert "incoming_due_idx" in plan, plan
