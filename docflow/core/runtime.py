"""What a long-lived process (a web process, a worker's pool process) does once it is ready.

``process_ready`` imports what the process serves — the URL configuration, and with it every
view, serializer and form — so the first request does not pay for it, then moves every object
alive at that moment out of the cyclic garbage collector's reach (``gc.freeze``), and lets the
youngest generation grow to 5,000 objects before a collection instead of 700.

Why: a request makes thousands of short-lived objects, and every 700 of them start a
collection; each tenth of those walks the middle generation, each tenth of those the whole
heap. A Django process holds some 167,000 objects of its own after start-up (modules,
classes, functions, the URL patterns, the models' metadata) that are never garbage, and a
full collection walked them all: 128–252 ms in one request of ``bench/bench_incoming_list.py``,
at most 27 ms once they were frozen. Frozen objects are still freed by reference counting; only a
cycle among them would never be reclaimed, which the start-up's objects do not make. After a
fork the child's pages stay shared with the parent's as well, since the collector no longer
writes into those objects' headers.

The youngest generation: objects a request still holds when a collection starts are moved on
to the older generations, which are walked again later; with 700 a list request started two
or three collections and carried its rows into them. Frozen and with 5,000, the benchmark's
8,000 timed requests spent 0.51–0.58 s in the collector against 0.88–1.16 s with Python's
defaults (``--collector-defaults``), and the API's first page went from 6.3–8.6 to 5.4–7.3 ms
at p99. The older generations keep Python's own ratios (each every tenth of the one below).
"""

from __future__ import annotations

import gc
import logging

logger = logging.getLogger(__name__)

YOUNG_GENERATION_THRESHOLD = 5000  # Python's default is 700


def process_ready(*, urls: bool = True) -> int:
    """Import the URL configuration (``urls``), collect once, freeze what is alive and set the
    youngest generation's threshold; the number of objects frozen. Idempotent: a second call
    freezes only what was made since."""
    if urls:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018  imports every view module
    gc.collect()
    gc.freeze()
    _young, *ratios = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *ratios)
    frozen = gc.get_freeze_count()
    logger.debug("process ready: %d objects frozen out of the garbage collector", frozen)
    return frozen
