"""The notifications written before they named their object get it back from their link."""

from __future__ import annotations

import uuid

import pytest

from docflow.core.db.owner import as_owner
from tests.migrations import migrate_back_to_latest, migrate_to

BEFORE = [("notifications", "0003_notification_preference")]
AFTER = [("notifications", "0004_notification_object_from_link")]


@pytest.mark.django_db(transaction=True)
def test_the_link_of_every_old_notification_becomes_its_object_and_back(agency_a):
    from tests.factories import MembershipFactory

    member = MembershipFactory(agency=agency_a, staff=True)
    copy, document, report = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    links = {
        "a": f"/van-ban-den/{copy}/", "b": f"/van-ban-di/{document}/",
        "c": f"/thong-ke/bao-cao/{report}/", "d": "", "e": "/somewhere/else/",
    }
    with as_owner():  # migrations run as the tables' owner
        _old_and_back(links, agency_a, member, copy, document, report)


def _old_and_back(links, agency_a, member, copy, document, report):
    try:
        old = migrate_to(BEFORE).get_model("notifications", "Notification")
        for key, link in links.items():
            old.objects.create(agency_id=agency_a.pk, recipient_id=member.user_id, kind="k",
                               title=key, link=link, dedup_key=key)

        new = migrate_to(AFTER).get_model("notifications", "Notification")
        about = {n.title: (n.object_type, n.object_id) for n in new.objects.all()}
        assert about == {
            "a": ("incoming_document", copy), "b": ("outgoing_document", document),
            "c": ("statistics_report", report), "d": ("", None), "e": ("", None),
        }

        back = migrate_to(BEFORE).get_model("notifications", "Notification")
        assert {n.title: n.link for n in back.objects.all()} == {**links, "e": ""}
    finally:
        migrate_back_to_latest()
