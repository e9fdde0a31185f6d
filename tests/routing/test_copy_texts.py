"""The search text of incoming copies is stored once per distinct text and shown only through
the copies a session may read."""

from __future__ import annotations

import pytest
from django.db import connection

from docflow.core.db.owner import as_owner
from tests.migrations import migrate_back_to_latest, migrate_to
from docflow.core.scoping import agency_scope, cross_agency
from docflow.core.search import search_filter
from docflow.routing.models import IncomingDocument
from docflow.routing.texts import CopyText, copy_text_id
from tests.documents.story import issued, recipients, sending_office
from tests.factories import AgencyFactory
from tests.routing.factories import IncomingDocumentFactory

pytestmark = pytest.mark.django_db


def found(agency, q: str) -> list[IncomingDocument]:
    with agency_scope(agency):
        return list(search_filter(IncomingDocument.objects.all(), q))


def test_an_issue_to_many_agencies_stores_its_text_once_and_each_finds_its_own_copy():
    office = sending_office()
    agencies = recipients(4)
    document = issued(office, recipients=[a.code for a in agencies], subject="Về việc phòng chống lụt bão")
    with cross_agency("system"):
        copies = list(IncomingDocument.objects.filter(source_document_id=document.pk))
        assert len({c.search_id for c in copies}) == 1
        assert CopyText.objects.filter(pk=copies[0].search_id).count() == 1
    for agency in agencies:
        assert [c.agency_id for c in found(agency, "lut bao")] == [agency.pk]
    assert found(AgencyFactory(), "lut bao") == []


def test_a_copy_whose_text_changes_gets_its_own_row_and_the_others_keep_theirs():
    """The OCR text of one agency's scan is that copy's alone: another agency's copy of the
    same envelope is not found by it."""
    office = sending_office()
    first, second = recipients(2)
    document = issued(office, recipients=[first.code, second.code], subject="Về việc cấp giấy phép")
    with cross_agency("system"):
        copy = IncomingDocument.objects.get(source_document_id=document.pk, agency=first)
        shared = copy.search_id
        copy.ocr_text = "Biên bản kiểm tra hiện trường xã Tà Xùa"
        copy.save(update_fields=["ocr_text", "updated_at"])
        assert copy.search_id not in (shared, None)
        assert IncomingDocument.objects.get(pk=copy.pk).search_text == copy.build_search_text()
        assert IncomingDocument.objects.get(source_document_id=document.pk, agency=second).search_id == shared
    assert [c.pk for c in found(first, "ta xua")] == [copy.pk]
    assert found(second, "ta xua") == []
    assert len(found(second, "giay phep")) == 1


def test_saving_a_copy_without_touching_its_text_writes_no_text(django_assert_num_queries):
    copy = IncomingDocumentFactory()
    copy.status_code = "02"
    with cross_agency("system"), django_assert_num_queries(1):  # the UPDATE alone
        copy.save()
    copy.subject = "Về việc khác"
    with cross_agency("system"), django_assert_num_queries(1):  # not named: not written
        copy.save(update_fields=["status_code"])


def test_the_identifier_is_the_texts_own():
    assert copy_text_id("ve viec hop") == copy_text_id("ve viec hop") != copy_text_id("ve viec hop ")


@pytest.mark.postgres
def test_row_level_security_shows_a_text_only_through_a_copy_the_session_may_read():
    a, b, c = AgencyFactory(), AgencyFactory(), AgencyFactory()
    shared = {"subject": "Về việc tiêm chủng mở rộng", "notation": "01/SYT-VP", "number": 1}
    IncomingDocumentFactory(agency=a, **shared)
    IncomingDocumentFactory(agency=b, **shared)
    only_b = IncomingDocumentFactory(agency=b, subject="Về việc riêng của xã")
    with cross_agency("system"):
        text_shared = IncomingDocument.objects.get(agency=a).search_id
    for agency, expected in ((a, {text_shared}), (b, {text_shared, only_b.search_id}), (c, set())):
        with agency_scope(agency):
            assert set(CopyText.objects.values_list("pk", flat=True)) == expected
    with connection.cursor() as cursor:  # no agency, no purpose: nothing, and no write
        cursor.execute("SELECT count(*) FROM routing_copytext")
        assert cursor.fetchone()[0] == 0
    with agency_scope(a), connection.cursor() as cursor:  # rows never change
        cursor.execute("UPDATE routing_copytext SET text = 'x'")
        assert cursor.rowcount == 0


BEFORE = [("routing", "0010_copy_indexes_narrowed")]
AFTER = [("routing", "0011_copy_text_shared")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_every_copys_text_into_one_row_per_text_and_back():
    agencies = [AgencyFactory() for _ in range(3)]
    with as_owner():  # migrations run as the tables' owner
        try:
            old = migrate_to(BEFORE).get_model("routing", "IncomingDocument")
            texts = ["ve viec hop", "ve viec hop", "ve viec khac"]
            for agency, text in zip(agencies, texts):
                old.objects.create(agency_id=agency.pk, sender_name="S", doc_type="cong_van", subject="s",
                                   delivered_at="2026-01-05T00:00:00Z", search_text=text)
            apps = migrate_to(AFTER)
            new, rows = apps.get_model("routing", "IncomingDocument"), apps.get_model("routing", "CopyText")
            assert {r.text for r in rows.objects.all()} == {"ve viec hop", "ve viec khac"}
            assert sorted((c.agency_id, c.search.text) for c in new.objects.all()) == sorted(
                (a.pk, t) for a, t in zip(agencies, texts))
            assert all(c.search_id == copy_text_id(c.search.text) for c in new.objects.all())
            back = migrate_to(BEFORE).get_model("routing", "IncomingDocument")
            assert sorted(c.search_text for c in back.objects.all()) == sorted(texts)
        finally:
            migrate_back_to_latest()
