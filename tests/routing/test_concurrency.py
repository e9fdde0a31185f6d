"""Two clerks accepting the same copy at the same moment: one incoming number, one 409."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from docflow.core.errors import InvalidState
from docflow.core.scoping import cross_agency
from docflow.documents.models import RegisterCounter
from docflow.routing import handling
from docflow.tenancy.models import AgencyLevel
from tests.factories import AgencyFactory, MembershipFactory
from tests.routing.factories import sent_copy


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_accepting_at_once_give_one_incoming_number(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections need PostgreSQL (the PostgreSQL pass)")
    district = AgencyFactory(level=AgencyLevel.DISTRICT)
    commune = AgencyFactory()
    clerks = [MembershipFactory(agency=commune, clerk=True) for _ in range(2)]
    incoming = sent_copy(sender=district, recipient=commune)

    # The first to lock the copy holds it a moment, so the other waits on the lock.
    real_register_for = handling.register_for

    def slow_register_for(**kwargs):
        time.sleep(0.3)
        return real_register_for(**kwargs)

    monkeypatch.setattr(handling, "register_for", slow_register_for)
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def accept(clerk):
        start.wait()
        try:
            outcomes.append(handling.incoming_accept(membership=clerk, incoming_id=incoming.id))
        except InvalidState as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(clerk,)) for clerk in clerks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    accepted = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, InvalidState)]
    assert len(accepted) == 1 and len(refused) == 1
    assert accepted[0].incoming_number == 1 and refused[0].state == "accepted"
    with cross_agency("system"):
        assert list(RegisterCounter.objects.values_list("last_number", flat=True)) == [1]
