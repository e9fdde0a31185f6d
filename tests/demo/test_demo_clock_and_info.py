"""The story's clock (working days, story order, never past now) and the logins demo_info prints."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from docflow.demo.clock import StoryClock
from docflow.tenancy.demo import demo_agencies, demo_people_seed

# A Wednesday, 10:00 in Hà Nội.
WEDNESDAY = timezone.make_aware(dt.datetime(2026, 12, 2, 10, 0))


def test_working_days_skip_the_weekend():
    clock = StoryClock(now=WEDNESDAY)
    assert clock.workday(0) == dt.date(2026, 12, 2)
    assert clock.workday(-2) == dt.date(2026, 11, 30)  # Monday
    assert clock.workday(-3) == dt.date(2026, 11, 27)  # the Friday before
    assert clock.workday(3) == dt.date(2026, 12, 7)  # the next Monday


def test_a_step_runs_at_its_moment_and_never_before_the_previous_one():
    clock = StoryClock()
    with clock.at(-5, "09:30") as moment:
        assert timezone.localtime().replace(second=0, microsecond=0) == moment
        assert timezone.localdate() == clock.workday(-5)
    with clock.at(-6, "08:00") as earlier_asked:
        assert earlier_asked > moment  # out of order in the story: right after the previous step
    assert abs(timezone.now() - clock.real_start) < dt.timedelta(minutes=5)  # back to the real time


def test_a_step_later_today_than_now_happens_now():
    clock = StoryClock()
    with clock.at(0, "23:59") as moment:
        assert moment <= clock.real_start + dt.timedelta(minutes=5)


@pytest.mark.django_db
def test_demo_info_prints_every_login_by_agency_with_its_roles_and_the_address(settings):
    settings.DOCFLOW_SITE_URL = "http://0.0.0.0:8123"
    settings.DOCFLOW_DEMO_PASSWORD = "demo12345"
    demo_people_seed(password="demo12345")
    out = io.StringIO()
    call_command("demo_info", stdout=out)
    text = out.getvalue()
    assert "http://0.0.0.0:8123/" in text and "demo12345" in text
    blocks = {block.splitlines()[0]: block for block in text.split("\n\n") if block.startswith("Ủy ban")}
    for demo in demo_agencies():
        block = blocks[f"{demo.name} ({demo.code})"]
        assert f"{demo.slug}_admin " in block and "quản trị đơn vị" in block
        assert f"{demo.slug}_clerk " in block and "văn thư" in block
        assert f"{demo.slug}_leader " in block and f"{demo.slug}_staff " in block
    assert "bacyen_staff2" in blocks["Ủy ban nhân dân huyện Bắc Yên (000.00.31.H52)"]
