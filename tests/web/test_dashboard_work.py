""""Việc của tôi" on the dashboard lists what the tiles count, for every role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from docflow.documents.services import document_approve, document_submit
from tests.web.conftest import web_client

pytestmark = pytest.mark.django_db


def work_of(member) -> list[tuple[str, str]]:
    page = web_client(member).get(reverse("web:dashboard"))
    return [(str(w.task), w.subject) for w in page.context["my_work"]]


def test_a_commune_clerk_sees_the_copies_to_register(office):
    office.issued("Về việc phòng chống rét cho gia súc")
    assert ("Tiếp nhận", "Về việc phòng chống rét cho gia súc") in work_of(office.commune_clerks[0])


def test_a_leader_sees_the_drafts_to_approve_and_the_clerk_those_to_issue(office):
    draft = office.draft("Về việc kiểm tra công tác văn thư")
    document_submit(actor=office.staff, document_id=draft.pk)
    assert ("Duyệt", "Về việc kiểm tra công tác văn thư") in work_of(office.leader)
    document_approve(actor=office.leader, document_id=draft.pk)
    assert ("Phát hành", "Về việc kiểm tra công tác văn thư") in work_of(office.clerk)
    assert ("Duyệt", "Về việc kiểm tra công tác văn thư") not in work_of(office.leader)
