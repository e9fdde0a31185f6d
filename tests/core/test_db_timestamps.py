"""Moments read from PostgreSQL: psycopg's C loader in place of Django's Python one, with the
same values (PostgreSQL pass)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from django.db import connection
from django.test import override_settings
from psycopg.pq import Format

from docflow.core.db.postgresql import base

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

MOMENTS = [
    ("2026-12-02 20:14:01.123456+00", datetime(2026, 12, 2, 20, 14, 1, 123456, tzinfo=timezone.utc)),
    ("2026-12-03 03:14:01+07", datetime(2026, 12, 2, 20, 14, 1, tzinfo=timezone.utc)),
    ("2025-06-30 23:59:59.999999+00", datetime(2025, 6, 30, 23, 59, 59, 999999, tzinfo=timezone.utc)),
    ("0001-01-01 00:00:00+00", datetime(1, 1, 1, tzinfo=timezone.utc)),
    ("9999-12-31 23:59:59.999999+00", datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)),
]


def _loaded(text: str) -> datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz", [text])
        return cursor.fetchone()[0]


def test_connections_load_moments_with_the_c_loader():
    if base.C_TIMESTAMPTZ_LOADER is None:
        pytest.fail("psycopg[binary] is a dependency: its C loader must be there")
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(
        connection.connection.adapters.types["timestamptz"].oid, Format.TEXT)
    assert loader is base.UtcTimestamptzLoader
    with connection.cursor() as cursor:  # Django registers no loader of its own on the cursor
        assert cursor.cursor.adapters.get_loader(1184, Format.TEXT) is base.UtcTimestamptzLoader


@pytest.mark.parametrize(("text", "expected"), MOMENTS)
def test_a_moment_is_aware_in_utc_as_djangos_loader_makes_it(text, expected):
    value = _loaded(text)
    assert value == expected
    assert value.tzinfo is timezone.utc  # what Django's own loader sets: the same object


def test_without_use_tz_djangos_own_loader_stays():
    with override_settings(USE_TZ=False):
        adapters = connection.get_connection_params()["context"]
    assert adapters.get_loader(1184, Format.TEXT) is not base.UtcTimestamptzLoader
    assert connection.get_connection_params()["context"].get_loader(1184, Format.TEXT) is base.UtcTimestamptzLoader
