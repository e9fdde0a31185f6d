"""One word per state on every page, names before codes in the history, filters a thumb can use."""

from __future__ import annotations

import pytest
from django.urls import reverse

from docflow.audit.models import AuditEvent
from docflow.documents.models import Register
from docflow.routing.models import Status
from docflow.routing.register_books import RegisterBook
from docflow.web.status_words import STATUS_WORDS
from docflow.web.templatetags.docflow_web import event_actor, status_label
from tests.factories import UserFactory
from tests.web.conftest import web_client

pytestmark = pytest.mark.django_db


def test_every_state_has_its_one_word_said_as_done():
    assert set(STATUS_WORDS) == set(Status)
    assert status_label("04") == "Đã phân công" and status_label("02") == "Đã từ chối"
    assert status_label("01") == "Đã đến"


def test_history_names_the_person_then_the_login_and_the_agency_then_its_code():
    user = UserFactory(full_name="Nguyễn Văn An", username="bacyen_clerk")
    assert event_actor(AuditEvent(actor=user)) == "Nguyễn Văn An (bacyen_clerk)"
    sender = AuditEvent(actor_label="000.00.31.H52 Ủy ban nhân dân huyện Bắc Yên")
    assert event_actor(sender) == "Ủy ban nhân dân huyện Bắc Yên (000.00.31.H52)"
    assert event_actor(AuditEvent(actor_label="")) == "Hệ thống"


def test_the_dashboard_tile_says_the_badge_word_and_what_it_waits_for(office):
    office.issued()
    commune_clerk = office.commune_clerks[0]
    body = web_client(commune_clerk).get(reverse("web:dashboard")).content.decode()
    assert "Đã đến, chờ tiếp nhận" in body and "Chờ tiếp nhận" not in body
    listing = web_client(commune_clerk).get(reverse("web:incoming-list")).content.decode()
    assert '<span class="badge new">Đã đến</span>' in listing


def test_list_filters_are_checkboxes_not_a_multiple_select(office):
    body = web_client(office.clerk).get(reverse("web:incoming-list")).content.decode()
    assert "<select" in body and "multiple" not in body
    assert body.count('type="checkbox" name="status"') == len(Status)
    assert 'type="checkbox" name="urgency"' in body
    ticked = web_client(office.clerk).get(reverse("web:incoming-list"), {"status": ["01", "03"]}).content.decode()
    assert "<details class=\"more-filters\" open>" in ticked  # a set filter stays in sight


@pytest.mark.parametrize("direction,series,stem", [
    ("outgoing", "general", "so-van-ban-di-2026"), ("incoming", "secret", "so-van-ban-den-mat-2026"),
    ("outgoing", "quyet_dinh", "so-van-ban-di-quyet-dinh-2026"),
])
def test_register_file_names_carry_no_series_code_a_clerk_would_not_know(direction, series, stem):
    book = RegisterBook(register=Register(direction=direction, series=series), year=2026, title="",
                        columns=(), rows=[])
    assert book.file_stem == stem
