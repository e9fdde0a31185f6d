"""A web or worker process, once loaded, has its views imported, start-up's objects frozen out
of the garbage collector's walks and a larger youngest generation (docflow.core.runtime). Run in a fresh interpreter: a
frozen test process would keep its objects for the rest of the session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json, sys
before, threshold_before = gc.get_freeze_count(), gc.get_threshold()
views_before = "docflow.api.incoming" in sys.modules
import docflow.wsgi  # what gunicorn loads
web, threshold = gc.get_freeze_count(), gc.get_threshold()
views_after = "docflow.api.incoming" in sys.modules
objects = []
for _ in range(1000):
    pair = [None]; pair[0] = pair  # cycles made after start-up are still collected
    objects.append(pair)
del objects, pair
collected = gc.collect()
from workers.celery import _process_ready
_process_ready(sender=None)  # a worker's pool process, once forked
worker = gc.get_freeze_count()
print(json.dumps({"threshold_before": threshold_before, "threshold": threshold, "before": before, "views_before": views_before, "web": web,
                  "views_after": views_after, "collected": collected, "worker": worker}))
"""


def test_a_loaded_process_has_its_views_imported_and_start_up_frozen(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DOCFLOW_", "DATABASE_", "CELERY_"))}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**clean, "DOCFLOW_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "docflow.settings"},
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["before"] == 0 and not seen["views_before"]
    assert seen["views_after"]  # the URL configuration, and with it the API's views, imported
    assert seen["web"] > 50_000  # Django's, DRF's and our modules' objects
    assert seen["threshold_before"] == [700, 10, 10]  # Python's own
    assert seen["threshold"] == [5000, 10, 10]  # the youngest generation grows further
    assert seen["collected"] >= 1000  # the cycles made afterwards are still collected
    assert seen["worker"] >= seen["web"]  # a second call freezes only what was made since
