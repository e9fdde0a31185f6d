"""Deadlines and work lists as the selectors read them, inside one agency's scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from docflow.core.errors import NotFound
from docflow.core.scoping import cross_agency
from docflow.routing import handling
from docflow.routing.models import IncomingDocument
from docflow.routing.selectors import (
    incoming_detail,
    incoming_due_soon,
    incoming_list,
    incoming_overdue,
)
from docflow.core.scoping import agency_scope

pytestmark = pytest.mark.django_db


def handled_by(office, incoming, lead, *, due_in: int, coordinators=()):
    handling.incoming_accept(membership=office.clerk, incoming_id=incoming.id)
    handling.incoming_assign(membership=office.leader, incoming_id=incoming.id,
                             lead=lead.user.username, coordinators=[c.user.username for c in coordinators])
    with cross_agency("system"):  # arrange a deadline relative to today (the rules refuse past dates)
        IncomingDocument.objects.filter(pk=incoming.pk).update(
            due_date=timezone.localdate() + timedelta(days=due_in))


def test_overdue_and_due_soon_per_agency_and_per_user(commune, copy_for):
    late_mine = copy_for(commune)
    handled_by(commune, late_mine, commune.staff, due_in=-2, coordinators=[commune.staff3])
    late_theirs = copy_for(commune)
    handled_by(commune, late_theirs, commune.staff2, due_in=-1)
    soon_mine = copy_for(commune)
    handled_by(commune, soon_mine, commune.staff, due_in=3)
    later = copy_for(commune)
    handled_by(commune, later, commune.staff, due_in=4)
    today_due = copy_for(commune)
    handled_by(commune, today_due, commune.staff2, due_in=0)
    done_late = copy_for(commune)
    handled_by(commune, done_late, commune.staff, due_in=-5)
    handling.incoming_complete(membership=commune.staff, incoming_id=done_late.id, note="Xong")

    with agency_scope(commune.agency):
        assert list(incoming_overdue()) == [late_mine, late_theirs]  # oldest deadline first
        assert list(incoming_overdue(user_id=commune.staff.user_id)) == [late_mine]
        assert list(incoming_overdue(user_id=commune.staff3.user_id)) == [late_mine]  # co-ordinator
        assert list(incoming_due_soon()) == [today_due, soon_mine]  # 3 days ahead by default
        assert list(incoming_due_soon(days=4, user_id=commune.staff.user_id)) == [soon_mine, later]
        rows = {row.id: row.is_overdue for row in incoming_list(user_id=commune.staff.user_id)}
    assert rows[late_mine.id] and rows[late_theirs.id]
    assert not rows[today_due.id] and not rows[done_late.id]


def test_detail_of_another_agencys_copy_is_not_found(commune, other_commune, copy_for):
    theirs = copy_for(other_commune)
    with agency_scope(commune.agency), pytest.raises(NotFound):
        incoming_detail(incoming_id=theirs.id)


@pytest.mark.postgres
def test_work_lists_are_never_prepared_statements(commune):
    """Work lists are planned with their own values each time: with server-side prepared
    statements PostgreSQL may switch to a generic plan made for an average agency, which
    bench/bench_incoming_list.py measures at seconds instead of a millisecond for a search in a
    large agency. Django's cursors bind on the client and never prepare; only what runs through
    ``docflow.core.db.prepared_cursor`` is prepared (the API token's lookup)."""
    from django.db import connection

    assert connection.vendor == "postgresql", "runs in the PostgreSQL pass only"
    import psycopg

    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, psycopg.ClientCursor)
    with agency_scope(commune.agency):
        for q in ("", "ngân sách") * 6:
            list(incoming_list(user_id=commune.staff.user_id, q=q)[:51])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                       ['%"routing_incomingdocument"%'])
        assert cursor.fetchone()[0] == 0
