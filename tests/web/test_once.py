"""The web forms' one-time key: the key and the action's writes commit together; a second
submission while the first runs is answered at once (409, reload), never by waiting in the request."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import RequestFactory

from docflow.core.services import service
from docflow.tenancy.models import Membership, Unit
from docflow.web.models import SubmittedForm
from docflow.web.once import submit_once
from tests.factories import MembershipFactory


@service
def _unit_add(*, actor: Membership, symbol: str) -> Unit:
    return Unit.objects.create(agency_id=actor.agency_id, name=f"Phòng {symbol}", symbol=symbol)


def _request(member: Membership):
    request = RequestFactory().post("/quan-tri/")
    request.user = member.user
    return request


def _units(member: Membership) -> list[str]:
    return list(Unit.objects.with_scope(agency=member.agency).values_list("symbol", flat=True))


@pytest.mark.django_db
def test_a_failed_first_submission_rolls_back_with_its_key_so_the_corrected_form_can_be_sent():
    member, key = MembershipFactory(admin=True), uuid.uuid4()

    def refused() -> str:
        _unit_add(actor=member, symbol="VP")
        raise ValidationError({"symbol": ["Ký hiệu đã có."]})

    with pytest.raises(ValidationError):
        submit_once(_request(member), key=key, action=refused, fallback="/quan-tri/")
    assert _units(member) == [] and not SubmittedForm.objects.filter(key=key).exists()
    response = submit_once(_request(member), key=key, action=lambda: (_unit_add(actor=member, symbol="NV"),
                                                                     "/quan-tri/phong/")[1],
                           fallback="/quan-tri/")
    assert (response.status_code, response["Location"]) == (302, "/quan-tri/phong/")
    assert _units(member) == ["NV"]


@pytest.mark.django_db
def test_a_key_sent_again_goes_where_the_first_went_without_acting_again():
    member, key = MembershipFactory(admin=True), uuid.uuid4()
    first = submit_once(_request(member), key=key, action=lambda: (_unit_add(actor=member, symbol="VP"),
                                                                  "/quan-tri/phong/")[1],
                        fallback="/quan-tri/")
    again = submit_once(_request(member), key=key, action=lambda: pytest.fail("acted twice"), fallback="/quan-tri/")
    assert first["Location"] == again["Location"] == "/quan-tri/phong/"
    assert _units(member) == ["VP"]


@pytest.mark.django_db
def test_someone_elses_key_is_not_theirs_to_follow():
    member, other, key = MembershipFactory(admin=True), MembershipFactory(admin=True), uuid.uuid4()
    submit_once(_request(member), key=key, action=lambda: "/van-ban-di/bi-mat/", fallback="/")
    again = submit_once(_request(other), key=key, action=lambda: pytest.fail("acted twice"), fallback="/quan-tri/")
    assert again["Location"] == "/quan-tri/"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_submit_while_the_first_still_runs_is_told_at_once_and_a_reload_follows_the_first():
    if connection.vendor != "postgresql":
        pytest.fail("concurrent transactions need PostgreSQL: run scripts/test.sh postgres")
    member, key = MembershipFactory(admin=True), uuid.uuid4()
    started, release, answers = threading.Event(), threading.Event(), []

    def slow() -> str:
        _unit_add(actor=member, symbol="VP")
        started.set()
        assert release.wait(timeout=30)
        return "/quan-tri/phong/"

    def first():
        try:
            answers.append(submit_once(_request(member), key=key, action=slow, fallback="/quan-tri/"))
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert started.wait(timeout=30)
        busy = submit_once(_request(member), key=key, action=lambda: pytest.fail("acted twice"),
                           fallback="/quan-tri/")
    finally:
        release.set()
        thread.join(timeout=60)
    body = busy.content.decode()
    assert busy.status_code == 409 and "vui lòng tải lại" in body and 'href="/quan-tri/"' in body
    assert answers[0]["Location"] == "/quan-tri/phong/"
    reload = submit_once(_request(member), key=key, action=lambda: pytest.fail("acted twice"), fallback="/quan-tri/")
    assert (reload.status_code, reload["Location"]) == (302, "/quan-tri/phong/")
    assert _units(member) == ["VP"]
