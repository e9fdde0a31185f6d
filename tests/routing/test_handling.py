"""What a commune's clerk, leader and staff do with what arrives, through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from docflow.audit.models import AuditEvent
from docflow.core.errors import InvalidState, NotFound, NotPermitted
from docflow.core.scoping import cross_agency
from docflow.documents.models import OutgoingDocument
from docflow.notifications.models import Notification
from docflow.routing import handling
from docflow.routing.deadlines import handling_settings_update
from docflow.routing.models import Assignment, Delivery, HandlingNote, IncomingDocument, StatusReport
from tests.factories import MembershipFactory
from tests.routing.factories import IncomingDocumentFactory, sent_copy

pytestmark = pytest.mark.django_db


def delivery_of(incoming) -> Delivery:
    with cross_agency("system"):
        return Delivery.objects.get(id=incoming.source_delivery_id)


def reload(incoming) -> IncomingDocument:
    with cross_agency("system"):
        return IncomingDocument.objects.get(pk=incoming.pk)


def assigned(office, incoming, **kwargs):
    handling.incoming_accept(membership=office.clerk, incoming_id=incoming.id)
    kwargs.setdefault("lead", office.staff.user.username)
    return handling.incoming_assign(membership=office.leader, incoming_id=incoming.id, **kwargs)


def test_clerk_accepts_with_the_next_incoming_number_and_the_sender_sees_03(commune, copy_for):
    first, second = copy_for(commune), copy_for(commune)
    accepted = handling.incoming_accept(membership=commune.clerk, incoming_id=first.id)
    handling.incoming_accept(membership=commune.clerk, incoming_id=second.id)
    assert (accepted.status_code, accepted.incoming_number) == ("03", 1)
    assert reload(second).incoming_number == 2
    assert accepted.received_by == commune.clerk.user and accepted.received_at is not None
    assert accepted.register.name == "Sổ văn bản đến"
    assert delivery_of(first).status_code == "03"
    with cross_agency("system"):
        sender_event = AuditEvent.objects.get(agency=first.sender_agency, action="delivery.status",
                                              data__delivery_id=str(first.source_delivery_id))
        assert sender_event.data["recipient_code"] == commune.agency.code
        assert (sender_event.state_before, sender_event.state_after) == ("01", "03")
        assert Notification.objects.filter(recipient=commune.leader.user, kind="incoming_to_assign").count() == 2


def test_secret_documents_are_numbered_in_the_secret_register(commune, copy_for):
    handling.incoming_accept(membership=commune.clerk, incoming_id=copy_for(commune).id)
    secret = handling.incoming_accept(
        membership=commune.clerk, incoming_id=copy_for(commune, secrecy="confidential").id
    )
    assert (secret.register.name, secret.incoming_number) == ("Sổ văn bản đến mật", 1)


def test_only_a_clerk_accepts_and_only_what_just_arrived(commune, copy_for):
    incoming = copy_for(commune)
    with pytest.raises(NotPermitted):
        handling.incoming_accept(membership=commune.staff, incoming_id=incoming.id)
    handling.incoming_accept(membership=commune.clerk, incoming_id=incoming.id)
    with pytest.raises(InvalidState) as err:
        handling.incoming_accept(membership=commune.clerk, incoming_id=incoming.id)
    assert err.value.state == "accepted"
    with pytest.raises(InvalidState):
        handling.incoming_reject(membership=commune.clerk, incoming_id=incoming.id, reason="Sai")


def test_rejection_needs_a_reason_that_reaches_the_sender(commune, copy_for):
    incoming = copy_for(commune)
    with pytest.raises(ValidationError) as err:
        handling.incoming_reject(membership=commune.clerk, incoming_id=incoming.id, reason="  ")
    assert "reason" in err.value.message_dict
    assert reload(incoming).status_code == "01"
    handling.incoming_reject(membership=commune.clerk, incoming_id=incoming.id, reason="Gửi nhầm nơi nhận")
    delivery = delivery_of(incoming)
    assert (delivery.status_code, delivery.status_note) == ("02", "Gửi nhầm nơi nhận")
    with cross_agency("system"):
        drafter = OutgoingDocument.objects.get(id=incoming.source_document_id).drafter
        told = Notification.objects.get(recipient=drafter, kind="delivery_status")
    assert told.body == "Gửi nhầm nơi nhận" and commune.agency.name in told.title


def test_leader_assigns_lead_coordinators_and_informed_with_default_due_date(commune, copy_for):
    incoming = copy_for(commune, urgency="urgent")
    done = assigned(commune, incoming, coordinators=[commune.staff2.user.username],
                    informed=[commune.staff3.user.username], instruction="Tham mưu trả lời")
    assert done.status_code == "04" and done.lead == commune.staff.user
    assert done.due_date == timezone.localdate() + timedelta(days=5)  # urgent: 5 days by default
    with cross_agency("system"):
        parts = {a.user_id: a.role for a in Assignment.objects.filter(incoming=incoming, is_active=True)}
        assert Notification.objects.filter(kind="incoming_assigned").count() == 3
    assert parts == {commune.staff.user_id: "lead", commune.staff2.user_id: "coordinator",
                     commune.staff3.user_id: "informed"}
    assert delivery_of(incoming).status_code == "04"


def test_default_due_date_follows_agency_settings_and_the_senders_own_date(commune, copy_for):
    handling_settings_update(membership=_admin(commune), normal_days=20)
    plain = assigned(commune, copy_for(commune))
    assert plain.due_date == timezone.localdate() + timedelta(days=20)
    soon = timezone.localdate() + timedelta(days=2)
    asked = assigned(commune, copy_for(commune, due_date=soon))
    assert asked.due_date == soon


def _admin(office):
    return MembershipFactory(agency=office.agency, admin=True)


def test_agency_admin_changes_the_due_days_and_nobody_else(commune):
    admin = _admin(commune)
    settings = handling_settings_update(membership=admin, flash_days=2, due_soon_days=5)
    assert (settings.flash_days, settings.due_soon_days, settings.normal_days) == (2, 5, 10)
    with cross_agency("system"):  # the admin acting is the event's actor, though the service names none
        assert list(AuditEvent.objects.filter(action="incoming.settings_update").values_list(
            "agency_id", "actor_id")) == [(commune.agency.pk, admin.user_id)]
    with pytest.raises(ValidationError) as err:
        handling_settings_update(membership=admin, urgent_days=0)
    assert "urgent_days" in err.value.message_dict
    with pytest.raises(NotPermitted):
        handling_settings_update(membership=commune.leader, flash_days=1)


def test_assignment_names_active_members_once_and_a_due_date_not_in_the_past(commune, other_commune, copy_for):
    incoming = copy_for(commune)
    handling.incoming_accept(membership=commune.clerk, incoming_id=incoming.id)
    cases = [
        ({"lead": other_commune.staff.user.username}, "lead"),
        ({"lead": commune.staff.user.username, "coordinators": ["khongco"]}, "coordinators"),
        ({"lead": commune.staff.user.username, "informed": [commune.staff.user.username]}, "informed"),
        ({"lead": commune.staff.user.username,
          "due_date": timezone.localdate() - timedelta(days=1)}, "due_date"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as err:
            handling.incoming_assign(membership=commune.leader, incoming_id=incoming.id, **kwargs)
        assert list(err.value.message_dict) == [field]
    assert reload(incoming).status_code == "03"
    with cross_agency("system"):
        assert not Assignment.objects.filter(incoming=incoming).exists()


def test_staff_cannot_assign(commune, copy_for):
    incoming = copy_for(commune)
    handling.incoming_accept(membership=commune.clerk, incoming_id=incoming.id)
    with pytest.raises(NotPermitted):
        handling.incoming_assign(membership=commune.staff, incoming_id=incoming.id,
                                 lead=commune.staff.user.username)


def test_reassigning_replaces_the_active_parts_and_keeps_the_old_ones(commune, copy_for):
    incoming = copy_for(commune)
    assigned(commune, incoming, coordinators=[commune.staff2.user.username])
    handling.incoming_progress(membership=commune.staff, incoming_id=incoming.id, note="Đang làm")
    again = handling.incoming_assign(membership=commune.leader, incoming_id=incoming.id,
                                     lead=commune.staff3.user.username)
    assert again.status_code == "05" and again.lead == commune.staff3.user
    with cross_agency("system"):
        rows = list(Assignment.objects.filter(incoming=incoming).values_list("user_id", "is_active"))
    assert sorted(rows) == sorted([(commune.staff.user_id, False), (commune.staff2.user_id, False),
                                   (commune.staff3.user_id, True)])


def test_lead_forwards_inside_the_agency_and_history_keeps_the_first_lead(commune, copy_for):
    incoming = copy_for(commune)
    assigned(commune, incoming, coordinators=[commune.staff2.user.username])
    with pytest.raises(NotPermitted):
        handling.incoming_forward(membership=commune.staff2, incoming_id=incoming.id,
                                  to=commune.staff3.user.username)
    with pytest.raises(ValidationError) as err:
        handling.incoming_forward(membership=commune.staff, incoming_id=incoming.id,
                                  to=commune.staff.user.username)
    assert "to" in err.value.message_dict
    moved = handling.incoming_forward(membership=commune.staff, incoming_id=incoming.id,
                                      to=commune.staff2.user.username, note="Nhờ anh xử lý")
    assert moved.lead == commune.staff2.user and moved.status_code == "04"
    with cross_agency("system"):
        active = list(Assignment.objects.filter(incoming=incoming, is_active=True).values_list("user_id", "role"))
        assert HandlingNote.objects.get(incoming=incoming, kind="forward").text == "Nhờ anh xử lý"
    assert active == [(commune.staff2.user_id, "lead")]
    handling.incoming_progress(membership=commune.staff2, incoming_id=incoming.id, note="Đã nhận")
    with pytest.raises(NotPermitted):
        handling.incoming_progress(membership=commune.staff, incoming_id=incoming.id, note="x")


def test_progress_is_reported_once_and_notes_accumulate(commune, copy_for):
    incoming = copy_for(commune)
    assigned(commune, incoming)
    with pytest.raises(ValidationError):
        handling.incoming_progress(membership=commune.staff, incoming_id=incoming.id, note="")
    handling.incoming_progress(membership=commune.staff, incoming_id=incoming.id, note="Bước 1")
    handling.incoming_progress(membership=commune.staff, incoming_id=incoming.id, note="Bước 2")
    assert reload(incoming).status_code == "05" and delivery_of(incoming).status_code == "05"
    with cross_agency("system"):
        assert HandlingNote.objects.filter(incoming=incoming, kind="progress").count() == 2
        reports = AuditEvent.objects.filter(agency=incoming.sender_agency, action="delivery.status")
        assert [e.state_after for e in reports] == ["03", "04", "05"]


def test_coordinators_give_opinions_and_informed_people_only_read(commune, copy_for):
    incoming = copy_for(commune)
    assigned(commune, incoming, coordinators=[commune.staff2.user.username],
             informed=[commune.staff3.user.username])
    opinion = handling.incoming_opinion(membership=commune.staff2, incoming_id=incoming.id,
                                        note="Đề nghị bổ sung số liệu")
    assert opinion.kind == "opinion"
    for member in (commune.staff3, commune.staff):
        with pytest.raises(NotPermitted):
            handling.incoming_opinion(membership=member, incoming_id=incoming.id, note="x")
    with cross_agency("system"):
        assert Notification.objects.filter(recipient=commune.staff.user, kind="incoming_opinion").exists()


def test_completing_what_is_not_assigned_is_a_conflict(commune, copy_for):
    incoming = copy_for(commune)
    handling.incoming_accept(membership=commune.clerk, incoming_id=incoming.id)
    with pytest.raises(InvalidState) as err:
        handling.incoming_complete(membership=commune.leader, incoming_id=incoming.id, note="Xong")
    assert err.value.state == "accepted"


def test_lead_completes_with_an_issued_reply_of_this_agency(commune, district, copy_for):
    incoming = copy_for(commune)
    assigned(commune, incoming)
    with pytest.raises(NotPermitted):
        handling.incoming_complete(membership=commune.leader, incoming_id=incoming.id, note="Xong")
    reply = sent_copy(sender=commune.agency, recipient=district)  # the commune's issued answer
    theirs = incoming.source_document_id  # the district's document: not ours
    with cross_agency("system"):
        draft = OutgoingDocument.objects.create(agency=commune.agency, doc_type="cong_van",
                                                subject="Dự thảo", drafter=commune.staff.user)
    for wrong in (theirs, draft.id):
        with pytest.raises(ValidationError) as err:
            handling.incoming_complete(membership=commune.staff, incoming_id=incoming.id,
                                       note="Xong", reply_outgoing_id=wrong)
        assert "reply_outgoing_id" in err.value.message_dict
    done = handling.incoming_complete(membership=commune.staff, incoming_id=incoming.id,
                                      note="Đã báo cáo", reply_outgoing_id=reply.source_document_id)
    assert done.status_code == "06" and done.completed_at and done.reply_outgoing_id == reply.source_document_id
    delivery = delivery_of(incoming)
    assert delivery.status_code == "06" and "Đã trả lời bằng văn bản số" in delivery.status_note
    with cross_agency("system"):
        assert Notification.objects.filter(recipient=commune.leader.user, kind="incoming_completed").exists()


def test_recall_accepted_leaves_work_lists_refused_restores_handling(commune, copy_for):
    kept, recalled = copy_for(commune), copy_for(commune)
    for incoming in (kept, recalled):
        assigned(commune, incoming)
        _request_recall(incoming)
    with pytest.raises(NotPermitted):
        handling.incoming_recall_decide(membership=commune.leader, incoming_id=kept.id, accept=True)
    handling.incoming_recall_decide(membership=commune.clerk, incoming_id=recalled.id, accept=True)
    handling.incoming_recall_decide(membership=commune.clerk, incoming_id=kept.id, accept=False,
                                    reason="Đã triển khai")
    assert reload(recalled).status_code == "15" and delivery_of(recalled).status_code == "15"
    assert reload(kept).status_code == "04" and delivery_of(kept).status_code == "16"
    assert delivery_of(kept).status_note == "Đã triển khai"
    with pytest.raises(InvalidState):
        handling.incoming_recall_decide(membership=commune.clerk, incoming_id=kept.id, accept=True)
    handling.incoming_progress(membership=commune.staff, incoming_id=kept.id, note="Tiếp tục")
    assert delivery_of(kept).status_code == "05"


def _request_recall(incoming) -> None:
    """What the sender's recall request leaves at both ends (the outgoing side's service)."""
    with cross_agency("system"):
        current = IncomingDocument.objects.get(pk=incoming.pk)
        IncomingDocument.objects.filter(pk=incoming.pk).update(
            status_code="13", status_before_recall=current.status_code, recall_reason="Sai sót"
        )
        Delivery.objects.filter(pk=incoming.source_delivery_id).update(status_code="13")


def test_an_external_senders_status_is_recorded_for_the_exchange(commune):
    incoming = IncomingDocumentFactory(agency=commune.agency)
    handling.incoming_reject(membership=commune.clerk, incoming_id=incoming.id, reason="Không rõ")
    with cross_agency("system"):
        report = StatusReport.objects.get(incoming=incoming)
    assert (report.status_code, report.note, report.sent_at) == ("02", "Không rõ", None)
    assert report.sender_code == incoming.sender_code


def test_another_agencys_copy_is_not_found_for_every_step(commune, other_commune, copy_for):
    theirs = copy_for(other_commune)
    me = commune
    steps = [
        (handling.incoming_accept, me.clerk, {}),
        (handling.incoming_reject, me.clerk, {"reason": "x"}),
        (handling.incoming_assign, me.leader, {"lead": me.staff.user.username}),
        (handling.incoming_forward, me.staff, {"to": me.staff2.user.username}),
        (handling.incoming_progress, me.staff, {"note": "x"}),
        (handling.incoming_opinion, me.staff, {"note": "x"}),
        (handling.incoming_complete, me.staff, {"note": "x"}),
        (handling.incoming_recall_decide, me.clerk, {"accept": True}),
    ]
    for service, member, kwargs in steps:
        with pytest.raises(NotFound):
            service(membership=member, incoming_id=theirs.id, **kwargs)
    assert reload(theirs).status_code == "01"


def test_a_failure_at_the_sender_end_undoes_the_recipients_step(commune, copy_for, monkeypatch):
    from docflow.routing import status

    incoming = copy_for(commune)

    def broken(**kwargs):
        raise RuntimeError("the sender's side failed")

    monkeypatch.setattr(status, "_notify_sender", broken)
    with pytest.raises(RuntimeError):
        handling.incoming_accept(membership=commune.clerk, incoming_id=incoming.id)
    after = reload(incoming)
    assert (after.status_code, after.incoming_number) == ("01", None)
    assert delivery_of(incoming).status_code == "01"
    with cross_agency("system"):
        assert not AuditEvent.objects.filter(object_id=incoming.id, action="incoming.accept").exists()
