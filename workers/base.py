"""The base class of every Docflow task: retries with backoff and jitter, and outbox bookkeeping."""

from __future__ import annotations

from celery import Task
from django.db import OperationalError, InterfaceError

from docflow.outbox.services import OUTBOX_ID_KWARG, outbox_mark_done


class DocflowTask(Task):
    """Tasks are adapters: ids in, load, call one service. Each is safe to run twice."""

    autoretry_for = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
    retry_backoff = 2
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 8
    acks_late = True
    # A retry re-sends the request's kwargs, outbox id included (``__call__`` takes it off):
    # Celery's argument check against the task function would refuse it and drop the retry.
    typing = False

    def __call__(self, *args, **kwargs):
        outbox_id = kwargs.pop(OUTBOX_ID_KWARG, None)
        result = super().__call__(*args, **kwargs)
        if outbox_id:
            outbox_mark_done(outbox_id=outbox_id)
        return result
