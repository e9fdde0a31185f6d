"""The recipients' status changes reach the sender's drafter gathered: at most one notification
per document, person and hour, whose text says how many agencies moved and to what; a refusal
still comes on its own, by email."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from docflow.core.scoping import cross_agency
from docflow.notifications.models import Notification
from docflow.notifications.services import notification_gather
from docflow.routing import handling
from docflow.routing.issuing import document_issue
from docflow.routing.models import IncomingDocument
from tests.documents.story import approved, sending_office
from tests.factories import AgencyFactory
from tests.routing.conftest import office

MORNING = timezone.make_aware(datetime(2026, 12, 1, 9, 5))


def issued_to_communes(n: int):
    district = sending_office(name="Ủy ban nhân dân huyện Bắc Yên")
    communes = [office(AgencyFactory()) for _ in range(n)]
    document = approved(district, doc_type="cong_van", recipients=[c.agency.code for c in communes])
    document = document_issue(actor=district.clerk, document_id=document.pk)
    with cross_agency("system"):
        copy_of = {c.agency_id: c.id for c in IncomingDocument.objects.filter(source_document_id=document.pk)}
    return district, document, [(c, copy_of[c.agency.pk]) for c in communes]


def status_rows(user_id: int) -> list[Notification]:
    with cross_agency("system"):
        return list(Notification.objects.filter(kind="delivery_status", recipient_id=user_id).order_by("created_at"))


def handle_fully(commune, copy_id) -> None:
    handling.incoming_accept(membership=commune.clerk, incoming_id=copy_id)
    handling.incoming_assign(membership=commune.leader, incoming_id=copy_id, lead=commune.staff.user.username)
    handling.incoming_progress(membership=commune.staff, incoming_id=copy_id, note="Đang tổng hợp.")
    handling.incoming_complete(membership=commune.staff, incoming_id=copy_id, note="Đã báo cáo.")


@pytest.mark.django_db
def test_sixteen_communes_changing_every_status_notify_the_drafter_once_in_the_hour():
    with time_machine.travel(MORNING, tick=False):
        district, document, copies = issued_to_communes(16)
        for commune, copy_id in copies:
            handle_fully(commune, copy_id)

    for person in (district.staff, district.clerk):  # the drafter and the issuing clerk
        [gathered] = status_rows(person.user_id)
        assert gathered.count == 16 * 4 and len(gathered.parts) == 16
        assert gathered.title == f"16 cơ quan đã cập nhật trạng thái văn bản {document.notation}: 16 hoàn thành"
        assert (gathered.object_type, gathered.object_id) == ("outgoing_document", document.pk)
        assert gathered.read_at is None and gathered.done_at is None
    assert mail.outbox == []  # status changes are for the bell (and the digest), not one email each


@pytest.mark.django_db
def test_the_gathered_text_counts_agencies_by_their_last_status():
    with time_machine.travel(MORNING, tick=False):
        district, document, copies = issued_to_communes(16)
        for commune, copy_id in copies[:10]:
            handling.incoming_accept(membership=commune.clerk, incoming_id=copy_id)
        for commune, copy_id in copies[10:]:
            handle_fully(commune, copy_id)
    [gathered] = status_rows(district.staff.user_id)
    assert gathered.title == (
        f"16 cơ quan đã cập nhật trạng thái văn bản {document.notation}: 10 đã tiếp nhận, 6 hoàn thành"
    )


@pytest.mark.django_db
def test_one_agency_is_named_and_the_next_hour_starts_a_new_notification_unread_again():
    with time_machine.travel(MORNING, tick=False):
        district, document, [(first, first_copy), (second, second_copy)] = issued_to_communes(2)
        handling.incoming_accept(membership=first.clerk, incoming_id=first_copy)
    [only] = status_rows(district.staff.user_id)
    assert only.title == f"{first.agency.name}: Đã tiếp nhận văn bản {document.notation}"

    with time_machine.travel(MORNING + timedelta(hours=1), tick=False):
        handling.incoming_accept(membership=second.clerk, incoming_id=second_copy)
    earlier, later = status_rows(district.staff.user_id)
    assert earlier.pk == only.pk and earlier.count == 1
    assert later.title == f"{second.agency.name}: Đã tiếp nhận văn bản {document.notation}"


@pytest.mark.django_db
def test_a_later_change_in_the_hour_brings_a_read_notification_back_to_the_bell():
    with time_machine.travel(MORNING, tick=False):
        district, _document, [(first, first_copy), (second, second_copy)] = issued_to_communes(2)
        handling.incoming_accept(membership=first.clerk, incoming_id=first_copy)
        with cross_agency("system"):
            Notification.objects.filter(kind="delivery_status").update(read_at=timezone.now())
        handling.incoming_accept(membership=second.clerk, incoming_id=second_copy)
    [gathered] = status_rows(district.staff.user_id)
    assert gathered.read_at is None and gathered.count == 2


@pytest.mark.django_db
def test_a_rejection_comes_on_its_own_and_by_email(django_capture_on_commit_callbacks):
    with time_machine.travel(MORNING, tick=False):
        district, document, [(first, first_copy), (second, second_copy)] = issued_to_communes(2)
        with django_capture_on_commit_callbacks(execute=True):
            handling.incoming_accept(membership=first.clerk, incoming_id=first_copy)
            handling.incoming_reject(membership=second.clerk, incoming_id=second_copy, reason="Gửi nhầm.")
    rows = status_rows(district.staff.user_id)
    assert [r.gathered_hour is None for r in rows] == [False, True]
    assert rows[1].title == f"{second.agency.name}: Đã từ chối văn bản {document.notation}"
    assert rows[1].body == "Gửi nhầm."
    assert {m.subject for m in mail.outbox} == {f"[Docflow] {rows[1].title}"}


@pytest.mark.django_db
def test_gathering_costs_the_same_queries_however_many_agencies_are_gathered():
    district, _document, copies = issued_to_communes(12)

    def accepting(commune, copy_id) -> int:
        with CaptureQueriesContext(connection) as queries:
            handling.incoming_accept(membership=commune.clerk, incoming_id=copy_id)
        return len(queries)

    with time_machine.travel(MORNING, tick=False):
        counts = [accepting(c, i) for c, i in copies]
    assert counts[1] == counts[-1]  # the second and the twelfth agency gathered alike
    [gathered] = status_rows(district.staff.user_id)
    assert gathered.count == 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_status_changes_gather_into_one_row_and_none_is_lost():
    district, document, copies = issued_to_communes(6)
    start, errors = threading.Barrier(len(copies)), []

    def accept(commune, copy_id):
        try:
            start.wait()
            handling.incoming_accept(membership=commune.clerk, incoming_id=copy_id)
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=accept, args=pair) for pair in copies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    [gathered] = status_rows(district.staff.user_id)
    assert gathered.count == 6 and len(gathered.parts) == 6


@pytest.mark.django_db
def test_gathering_for_nobody_wanted_makes_nothing(agency_a):
    about = dict(agency_id=agency_a.pk, kind="delivery_status", object_type="outgoing_document",
                 object_id="0190a0c8-0000-7000-8000-000000000001", part="x", state=["03", "Xã"],
                 title=lambda parts: "t")
    assert notification_gather(recipient_ids=[None], **about) == []
