"""Each test starts with this process's broker pause cleared (a simulated outage ends with it)."""

from __future__ import annotations

import pytest

from docflow.outbox.services import outbox_broker_resume


@pytest.fixture(autouse=True)
def _broker_not_paused():
    outbox_broker_resume()
    yield
    outbox_broker_resume()
