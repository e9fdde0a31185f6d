"""seed_demo tells four weeks of Bắc Yên's work through the services, once.

One test seeds (the story takes seconds) and checks what a new user meets on the first
screens; the second run must add no row to any table.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from docflow.audit.models import AuditEvent
from docflow.core.scoping import cross_agency
from docflow.demo.seed import BAC_YEN
from docflow.documents.models import OutgoingDocument, OutgoingState
from docflow.documents.services import document_create
from docflow.notifications.models import Notification
from docflow.records.models import FileListEntry, FileState, WorkFile
from docflow.routing.models import Delivery, HandlingNote, IncomingDocument, Status
from docflow.routing.selectors import incoming_list
from docflow.tenancy.demo import demo_agencies, demo_people_seed
from docflow.tenancy.models import Membership, User
from docflow.core.scoping import agency_scope
from docflow.web.worklists import outgoing_counts


def row_counts() -> dict[str, int]:
    """Every table's row count (the base manager ignores tenant scopes)."""
    return {m._meta.label: m._base_manager.count() for m in apps.get_models()}


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def check_every_state_and_status() -> None:
    with cross_agency("system"):
        states = set(OutgoingDocument.objects.values_list("state", flat=True))
        assert states == set(OutgoingState.values)
        seen = set(IncomingDocument.objects.values_list("status_code", flat=True))
        seen |= set(Delivery.objects.values_list("status_code", flat=True))
        assert seen == set(Status.values)
        # One công văn reached the communes, who stand at every status from 01 to 06.
        harvest = OutgoingDocument.objects.get(agency__code=BAC_YEN, subject__startswith="Đẩy nhanh tiến độ thu hoạch")
        assert set(Delivery.objects.filter(document=harvest).values_list("status_code", flat=True)) == {
            "01", "02", "03", "04", "05", "06"
        }
        recalled = OutgoingDocument.objects.get(recall_requested_at__isnull=False)
        answers = set(Delivery.objects.filter(document=recalled).values_list("status_code", flat=True))
        assert answers == {Status.RECALL_REQUESTED, Status.RECALL_ACCEPTED, Status.RECALL_REFUSED}
        returned = OutgoingDocument.objects.get(state=OutgoingState.DRAFT, return_comment__gt="")
        assert returned.agency.code == BAC_YEN
        assert OutgoingDocument.objects.filter(state=OutgoingState.ISSUED, recipient_codes=[]).count() == 0
        # Replies were written with "Trả lời" on the copy they answer, and closed it.
        replies = OutgoingDocument.objects.filter(reply_to_incoming_id__isnull=False, state=OutgoingState.ISSUED)
        assert replies.count() == 3
        answered = IncomingDocument.objects.filter(id__in=replies.values("reply_to_incoming_id"))
        assert set(answered.values_list("status_code", flat=True)) == {Status.COMPLETED}
        external = IncomingDocument.objects.filter(agency__code=BAC_YEN, sender_agency__is_external=True)
        assert external.count() == 2
        assert HandlingNote.objects.filter(kind=HandlingNote.Kind.OPINION).count() >= 3


def check_dated_over_the_past_weeks() -> None:
    now = timezone.now()
    with cross_agency("system"):
        first = OutgoingDocument.objects.order_by("created_at").first().created_at
        assert now - first >= dt.timedelta(days=25)
        assert not OutgoingDocument.objects.filter(updated_at__gt=now).exists()
        assert not IncomingDocument.objects.filter(delivered_at__gt=now).exists()
        # The audit history is of the same days as the rows it tells about.
        harvest_copy = IncomingDocument.objects.filter(status_code=Status.COMPLETED).order_by("delivered_at").first()
        events = list(AuditEvent.objects.filter(object_id=harvest_copy.id).order_by("created_at"))
        assert events[0].created_at <= harvest_copy.delivered_at + dt.timedelta(seconds=1)
        assert events[-1].created_at == max(e.created_at for e in events) < now - dt.timedelta(days=1)


def check_the_clerks_first_screen_shows_work() -> None:
    with cross_agency("system"):
        clerk = Membership.objects.select_related("agency", "user").get(user__username="bacyen_clerk")
    with agency_scope(clerk.agency_id):
        for work_list in ("to_accept", "to_handle"):
            assert incoming_list(user_id=clerk.user_id, work_list=work_list).exists(), work_list
        for work_list in ("overdue", "due_soon"):
            assert incoming_list(user_id=clerk.user_id, work_list=work_list, mine=True).exists(), work_list
        assert outgoing_counts(member=clerk)["to_issue"] == 1
        mine = Notification.objects.filter(recipient_id=clerk.user_id)
        assert 0 < mine.filter(read_at__isnull=True).count() < mine.count()  # read up to two days ago
    with cross_agency("system"):
        leader = Membership.objects.select_related("agency", "user").get(user__username="bacyen_leader")
    with agency_scope(leader.agency_id):
        assert outgoing_counts(member=leader)["to_approve"] == 1
        assert incoming_list(user_id=leader.user_id, work_list="to_approve").exists()


def check_bac_yen_keeps_files() -> None:
    """Two files of the year's list hold Bắc Yên's handled documents and a note each; one is closed."""
    with cross_agency("system"):
        files = {f.code: f for f in WorkFile.objects.filter(agency__code=BAC_YEN)}
        assert set(files) == {"01.VP", "02.TCKH"}
        assert FileListEntry.objects.filter(agency__code=BAC_YEN, code__in=files).count() == 2
        assert (files["01.VP"].state, files["02.TCKH"].state) == (FileState.CLOSED, FileState.OPEN)
        assert files["01.VP"].disposal_on and files["01.VP"].closing_note
        for work_file in files.values():
            kinds = list(work_file.documents.order_by("position").values_list("incoming_id", "outgoing_id", "note"))
            assert len(kinds) == 4 and kinds[-1][2] and all(i or o for i, o, _ in kinds[:-1])
            assert work_file.document_count == 3 and work_file.page_count > 0


@pytest.mark.django_db
def test_seed_demo_tells_the_weeks_once(settings):
    settings.DOCFLOW_DEMO_PASSWORD = "demo12345"
    output = seed()
    assert "Đã tạo 18 văn bản" in output and "dfx_" in output  # the external sender's key, once
    check_every_state_and_status()
    check_dated_over_the_past_weeks()
    check_the_clerks_first_screen_shows_work()
    check_bac_yen_keeps_files()
    admins = set(User.objects.filter(username__endswith="_admin").values_list("username", flat=True))
    assert admins == {f"{demo.slug}_admin" for demo in demo_agencies()}

    before = row_counts()
    again = seed()
    assert row_counts() == before
    assert "không thêm gì" in again and "dfx_" not in again


@pytest.mark.django_db
def test_seed_demo_leaves_an_agency_with_real_work_alone():
    demo_people_seed(password="demo12345")
    with cross_agency("system"):
        staff = Membership.objects.select_related("agency", "user").get(user__username="bacyen_staff")
    document_create(actor=staff, doc_type="thong_bao", subject="Lịch tiếp công dân tháng 12", recipients=["000.02.31.H52"])
    before = row_counts()
    assert "không thêm văn bản mẫu" in seed()
    with cross_agency("system"):
        assert OutgoingDocument.objects.count() == 1
    assert row_counts()["audit.AuditEvent"] == before["audit.AuditEvent"]
