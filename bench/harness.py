"""What every benchmark here does the same way: time a call, run series interleaved, take medians
and percentiles, measure a rate, and print figures beside the baseline measured in the same run.

Times are kept in milliseconds (``elapsed_ms``, ``interleaved``) or seconds (``Stopwatch``), as
each bench prints them; ``Summary`` reads a list of either. Not a test: nothing here asserts.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


class Stopwatch:
    """``with Stopwatch() as watch: …`` then ``watch.seconds`` (``perf_counter``)."""

    seconds: float = 0.0

    def __enter__(self) -> Stopwatch:
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self._started

    @property
    def ms(self) -> float:
        return self.seconds * 1000


def elapsed_ms(call: Callable[[], Any]) -> float:
    """How long one call took, in milliseconds."""
    started = time.perf_counter_ns()
    call()
    return (time.perf_counter_ns() - started) / 1e6


def interleaved(series: dict[str, Callable[[], Any]], rounds: int, *, warmup: int = 20) -> dict[str, list[float]]:
    """One call of each series per round (so drift hits them alike), after ``warmup`` rounds;
    milliseconds per call. A call answering an HTTP status other than 200 stops the bench."""
    for _ in range(warmup):
        for call in series.values():
            call()
    timings: dict[str, list[float]] = {name: [] for name in series}
    for _ in range(rounds):
        for name, call in series.items():
            started = time.perf_counter_ns()
            response = call()
            timings[name].append((time.perf_counter_ns() - started) / 1e6)
            if getattr(response, "status_code", 200) != 200:
                sys.exit(f"{name}: HTTP {response.status_code}")
    return timings


def percentile(values: Iterable[float], p: float) -> float:
    """The ``p``-th percentile (1–99), inclusive method: p99 of 200 values is not their maximum."""
    return statistics.quantiles(list(values), n=100, method="inclusive")[int(p) - 1]


@dataclass(frozen=True)
class Summary:
    """Median, p95, p99, min and max of one series of timings."""

    n: int
    p50: float
    p95: float
    p99: float
    min: float
    max: float

    @classmethod
    def of(cls, values: Iterable[float]) -> Summary:
        values = sorted(values)
        if len(values) < 2:
            only = values[0]
            return cls(1, only, only, only, only, only)
        return cls(len(values), statistics.median(values), percentile(values, 95), percentile(values, 99),
                   values[0], values[-1])

    def line(self, *, scale: float = 1.0, unit: str = "ms") -> str:
        """``median … p95 … (n=…)``; ``scale`` turns seconds into ms (1000)."""
        return (f"median {self.p50 * scale:7.1f} {unit}   p95 {self.p95 * scale:7.1f} {unit}   "
                f"(min {self.min * scale:.1f}, max {self.max * scale:.1f}, n={self.n})")


def rate(call: Callable[[], Any], seconds: float, *, min_runs: int = 1) -> float:
    """Calls per second, run back to back for about ``seconds`` (at least ``min_runs`` calls),
    after one warm-up call (fonts, caches, first imports)."""
    call()
    count, started = 0, time.perf_counter()
    while True:
        call()
        count += 1
        now = time.perf_counter()
        if now - started >= seconds and count >= min_runs:
            return count / (now - started)


def times(value: float, baseline: float) -> str:
    """``value / baseline`` written as the benches print it: ``2.31×``."""
    return f"{value / baseline:.2f}×"


def series_table(timings: dict[str, list[float]], *, width: int = 20) -> dict[str, Summary]:
    """Print ``series  p50  p95  p99`` (ms) for each series; returns their summaries for ratios."""
    print(f"{'series':<{width}}{'p50':>9}{'p95':>9}{'p99':>9}")
    stats = {name: Summary.of(values) for name, values in timings.items()}
    for name, s in stats.items():
        print(f"{name:<{width}}{s.p50:>9.2f}{s.p95:>9.2f}{s.p99:>9.2f}")
    return stats


def rate_table(rows: list[tuple[str, float]], *, unit: str = "docs/s", width: int = 45) -> None:
    """Print each measured rate and its time against the first row, the baseline
    (``× baseline time``: how many times longer one call takes than the baseline's)."""
    baseline = rows[0][1]
    print(f"{'measurement':<{width}} {unit:>8} {'× baseline time':>16}")
    for label, value in rows:
        print(f"{label:<{width}} {value:8.1f} {baseline / value:16.2f}")


class Phases:
    """Where the time of one call goes: ``phases.wrap(module, "name", "label")`` for each
    function of interest, then ``with phases.timing(): call()`` and ``phases.seconds`` — the
    time spent in each label's own code (nested labelled calls counted in theirs, not twice).
    ``wrap`` leaves a missing attribute alone, so one breakdown serves a changing code base."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._stack: list[list[float]] = []
        self._patches: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, attr: str, label: str) -> None:
        original = getattr(owner, attr, None)
        if original is None:
            return

        def timed(*args, **kwargs):
            frame = [time.perf_counter(), 0.0]
            self._stack.append(frame)
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - frame[0]
                self._stack.pop()
                self.seconds[label] = self.seconds.get(label, 0.0) + elapsed - frame[1]
                if self._stack:
                    self._stack[-1][1] += elapsed

        self._patches.append((owner, attr, original))
        setattr(owner, attr, timed)

    def unwrap(self) -> None:
        for owner, attr, original in reversed(self._patches):
            if isinstance(owner, type) or not hasattr(type(owner), attr):
                setattr(owner, attr, original)
            else:
                delattr(owner, attr)  # an instance attribute shadowing the class's method
        self._patches.clear()

    def reset(self) -> None:
        self.seconds = {}

    def table(self, total: float, *, runs: int = 1, width: int = 34) -> None:
        """Print each label's median-free mean share of ``total`` (seconds summed over ``runs``)."""
        print(f"{'phase':<{width}}{'ms/run':>9}{'share':>8}")
        rest = total - sum(self.seconds.values())
        for label, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1]) + [("other", rest)]:
            print(f"{label:<{width}}{seconds * 1000 / runs:>9.1f}{seconds / total:>8.0%}")
