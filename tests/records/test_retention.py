"""Retention: the disposal date follows from the period and the closing date; the yearly list of
files past retention is for review and nothing is deleted."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from docflow.records.models import WorkFile
from tests.conftest import api_client_for


def test_files_past_retention_are_listed_for_their_year_and_kept(archive):
    clerk = api_client_for(archive.clerk)
    short = clerk.post("/api/v1/files/", {"code": "03.VP", "title": "Giấy mời hội nghị", "year": 2026,
                                          "retention": 5}, format="json").json()
    forever = clerk.post("/api/v1/files/", {"code": "04.VP", "title": "Quy chế làm việc", "year": 2026,
                                            "retention": "permanent"}, format="json").json()
    for made in (short, forever):
        assert clerk.post(f"/api/v1/files/{made['id']}/close/", {"note": "Xong."}, format="json").status_code == 200
    closed_on = timezone.localdate()
    detail = clerk.get(f"/api/v1/files/{short['id']}/").json()
    assert detail["disposal_on"] == WorkFile.disposal_date(closed_on=closed_on, years=5).isoformat()
    assert clerk.get(f"/api/v1/files/{forever['id']}/").json()["disposal_on"] is None

    def past(year: int) -> list[str]:
        return [f["code"] for f in clerk.get(f"/api/v1/files/past-retention/?year={year}").json()["results"]]

    assert past(closed_on.year + 4) == []
    assert past(closed_on.year + 5) == ["03.VP"]
    assert past(closed_on.year + 50) == ["03.VP"]  # still there, never deleted automatically
    assert clerk.get("/api/v1/files/past-retention/?year=abc").json() == {"year": ["Năm không hợp lệ."]}


def test_disposal_date_of_a_leap_day():
    assert WorkFile.disposal_date(closed_on=dt.date(2028, 2, 29), years=5) == dt.date(2033, 2, 28)
    assert WorkFile.disposal_date(closed_on=dt.date(2028, 2, 29), years=None) is None
