"""Many rows in one statement (COPY on PostgreSQL): every value arrives as it was given."""

from __future__ import annotations

import datetime
import gc
import threading
import uuid

import pytest
from django.utils import timezone

from docflow.audit.models import AuditEvent
from docflow.core.bulk import gc_paused, instances_like, rows_copy
from docflow.core.ids import uuid7
from docflow.core.scoping import cross_agency
from docflow.routing.copies import copy_texts_set
from docflow.routing.models import IncomingDocument
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

AWKWARD = "Tab\there, line\nbreak, return\r, back\\slash \\N, «Quyết định» 'x' \"y\" ;,|"


def test_copied_rows_keep_every_awkward_character_date_null_and_json():
    agencies = [AgencyFactory(), AgencyFactory()]
    now = timezone.now()
    template = IncomingDocument(
        sender_name=AWKWARD, subject=AWKWARD, content=AWKWARD + "\n\n" + AWKWARD, doc_type="cong_van",
        delivered_at=now, issued_on=datetime.date(2026, 1, 5), number=7, sender_due_date=None,
    )
    copies = instances_like(template, [{"id": uuid7(), "agency_id": a.pk} for a in agencies])
    marker = uuid.uuid4()  # a UUID given to a text column is stored as Django stores it: with hyphens
    copies[0].exchange_document_id = marker
    with cross_agency("system"):
        copy_texts_set(copies)
        rows_copy(IncomingDocument, copies, purpose="delivery")
        stored = list(IncomingDocument.objects.filter(pk__in=[c.pk for c in copies]))
    assert len(stored) == 2
    assert {c.pk for c in stored} == {c.pk for c in copies}  # uuid columns: written as 32 hex digits
    assert next(c for c in stored if c.pk == copies[0].pk).exchange_document_id == str(marker)
    for copy in stored:
        assert (copy.subject, copy.sender_name, copy.content) == (AWKWARD, AWKWARD, AWKWARD + "\n\n" + AWKWARD)
        assert copy.delivered_at == now and copy.issued_on == datetime.date(2026, 1, 5)
        assert copy.number == 7 and copy.sender_due_date is None and copy.register_id is None
        assert copy.created_at is not None and copy.updated_at is not None
        assert copy.search_text == copy.build_search_text()

    data = {"text": AWKWARD, "list": [1, 2.5, None, True], "nested": {"đ": "ư"}}
    event = AuditEvent(id=uuid7(), agency_id=agencies[0].pk, sequence=1, action="test.copied",
                       object_type="x", object_id=uuid.uuid4(), actor_label=AWKWARD, data=data,
                       created_at=now, prev_hash="0" * 64, hash="1" * 64)
    with cross_agency("system"):
        rows_copy(AuditEvent, [event], purpose="audit")
        back = AuditEvent.objects.get(pk=event.pk)
    assert back.data == data and back.actor_label == AWKWARD and back.object_id == event.object_id


def test_the_collector_is_off_while_any_fan_out_runs_and_as_it_was_after():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested (an exchange fan-out inside an issue)
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("a fan-out that fails")
    assert gc.isenabled()

    inside, release = threading.Event(), threading.Event()

    def other_thread():
        with gc_paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other_thread)
    thread.start()
    inside.wait(5)
    with gc_paused():
        pass
    assert not gc.isenabled()  # the other thread's fan-out still runs
    release.set()
    thread.join(5)
    assert gc.isenabled()

    gc.disable()  # off before: stays off
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
