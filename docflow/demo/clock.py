"""The story's clock: each step of the demo runs at its own moment of the past weeks.

The services take no dates (they stamp ``timezone.now()``), so instead of rewriting their rows
afterwards the clock moves the process's time while a step runs (time-machine, ticking). Every
row a step writes — its timestamps, its UUIDv7 id, its audit event, its register number's year
— is then of that moment, as if the clerk had clicked then; nothing is updated after the fact,
which the append-only audit log would refuse anyway. Steps run in story order; a step can never
start before the previous one ended, nor after the real now.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import time_machine
from django.utils import timezone

WEEKEND = (5, 6)  # Saturday, Sunday


class StoryClock:
    """Working days counted back from the real today; ``at`` runs a block at one moment."""

    def __init__(self, *, now: dt.datetime | None = None) -> None:
        self.real_start = now or timezone.now()
        self.today = timezone.localdate(self.real_start)
        self.last: dt.datetime | None = None

    def workday(self, offset: int) -> dt.date:
        """``offset`` working days from today (0 is today, -1 the previous working day)."""
        day, step = self.today, -1 if offset < 0 else 1
        for _ in range(abs(offset)):
            day += dt.timedelta(days=step)
            while day.weekday() in WEEKEND:
                day += dt.timedelta(days=step)
        return day

    def moment(self, offset: int, hhmm: str) -> dt.datetime:
        hour, minute = (int(part) for part in hhmm.split(":"))
        naive = dt.datetime.combine(self.workday(offset), dt.time(hour, minute))
        return timezone.make_aware(naive)

    @contextlib.contextmanager
    def at(self, offset: int, hhmm: str) -> Iterator[dt.datetime]:
        """Run the block at working day ``offset``, ``hh:mm`` local time (clamped to now)."""
        destination = min(self.moment(offset, hhmm), timezone.now())
        if self.last is not None and destination <= self.last:
            destination = self.last + dt.timedelta(seconds=1)
        with time_machine.travel(destination, tick=True):
            yield destination
            self.last = timezone.now()

    def story_today(self) -> dt.date:
        """The local date inside the running step."""
        return timezone.localdate()
