"""Every notification kind the services send has a Vietnamese name and an English one."""

from __future__ import annotations

import pytest
from django.utils import translation

from docflow.reports.services import READY_KIND
from docflow.routing.handling import ASSIGNED_KIND
from docflow.routing.issue_notifications import KIND_DELIVERED, KIND_ISSUED, KIND_RECALL
from docflow.routing.reminders import KIND_DUE_TOMORROW, KIND_OVERDUE
from docflow.routing.status import SENDER_STATUS_KIND
from docflow.web.notification_kinds import KIND_LABELS, kind_label

SENT_KINDS = [
    KIND_DELIVERED, KIND_RECALL, KIND_ISSUED, ASSIGNED_KIND, KIND_DUE_TOMORROW, KIND_OVERDUE,
    SENDER_STATUS_KIND, READY_KIND, "incoming_to_assign", "incoming_opinion", "incoming_completed",
    "outgoing.to_approve", "outgoing.approved", "outgoing.returned",
]


@pytest.mark.parametrize("kind", SENT_KINDS)
def test_every_sent_kind_is_named_in_vietnamese_and_english(kind):
    assert kind in KIND_LABELS
    with translation.override("vi"):
        vietnamese = kind_label(kind)
    with translation.override("en"):
        english = kind_label(kind)
    assert vietnamese != kind and english != vietnamese


def test_reminders_are_named_for_people():
    with translation.override("vi"):
        assert kind_label(KIND_DUE_TOMORROW) == "Văn bản đến đến hạn xử lý ngày mai"
    with translation.override("en"):
        assert kind_label(KIND_OVERDUE) == "Incoming document overdue"
