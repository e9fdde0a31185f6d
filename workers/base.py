"""The base class of every Docflow task: retries with capped backoff, and outbox bookkeeping.

A task sent through the outbox carries its row's id. Before it runs, the task takes the row's
lease (``outbox_claim``): a row already done, or held by another live run, means this message
is a copy (a redelivery, a second send by the sweeper) and the task does nothing. While it runs,
a thread of the worker process renews the lease every third of ``DOCFLOW_OUTBOX_LEASE_SECONDS``;
a worker killed with its pool stops renewing, the lease lapses and the sweeper sends the work
again (docs/RUNTIME.md). Done, the row is marked done.
"""

from __future__ import annotations

import logging
import os
import random
import threading

from celery import Task
from celery.exceptions import Retry
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection

from docflow.outbox.services import (
    OUTBOX_ID_KWARG, outbox_claim, outbox_lease_renew, outbox_mark_done, outbox_release,
)

log = logging.getLogger(__name__)


def retry_countdown(retries: int) -> float:
    """Seconds before retry number ``retries + 1``: base × 2^retries capped at the maximum, of
    which half is always waited and half is jitter (equal jitter). Full jitter could spend every
    retry in the first seconds of an outage; this way the retries span 17–35 minutes."""
    step = min(settings.DOCFLOW_TASK_RETRY_MAX_SECONDS, settings.DOCFLOW_TASK_RETRY_BASE_SECONDS * 2 ** retries)
    return step / 2 + random.uniform(0, step / 2)


class _Leases:
    """The outbox rows this worker process is running, and the thread that renews their leases."""

    def __init__(self) -> None:
        self.held: dict[str, str] = {}
        self.lock = threading.Lock()
        self.pid = 0  # the process whose thread runs; a forked pool child starts its own

    def hold(self, outbox_id: str, owner: str) -> None:
        with self.lock:
            self.held[outbox_id] = owner
            if self.pid != os.getpid():
                self.pid = os.getpid()
                threading.Thread(target=self._renew, name="outbox-lease", daemon=True).start()

    def drop(self, outbox_id: str) -> None:
        with self.lock:
            self.held.pop(outbox_id, None)

    def _renew(self) -> None:
        seconds = settings.DOCFLOW_OUTBOX_LEASE_SECONDS
        stop = threading.Event()
        while not stop.wait(seconds / 3):
            with self.lock:
                leases = list(self.held.items())
            if not leases:
                continue
            try:
                outbox_lease_renew(leases=leases, seconds=seconds)
            except Exception:  # the database is away: the lease may lapse, the sweeper re-drives
                log.warning("outbox: could not renew %d leases", len(leases), exc_info=True)
                connection.close()
            else:
                close_old_connections()


_leases = _Leases()


class DocflowTask(Task):
    """Tasks are adapters: ids in, load, call one service. Each is safe to run twice."""

    autoretry_for = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
    retry_backoff = False  # ``retry`` below waits ``retry_countdown``
    max_retries = settings.DOCFLOW_TASK_MAX_RETRIES
    acks_late = True
    # A retry re-sends the request's kwargs, outbox id included (``__call__`` takes it off):
    # Celery's argument check against the task function would refuse it and drop the retry.
    typing = False

    def __call__(self, *args, **kwargs):
        outbox_id = kwargs.pop(OUTBOX_ID_KWARG, None)
        if not outbox_id:
            return super().__call__(*args, **kwargs)
        owner = self.request.id or ""
        try:
            claimed = outbox_claim(outbox_id=outbox_id, owner=owner, seconds=settings.DOCFLOW_OUTBOX_LEASE_SECONDS)
        except self.autoretry_for as exc:  # the database is away before the task even began
            raise self.retry(exc=exc) from exc
        if not claimed:
            log.info("outbox: %s (%s) is done or running elsewhere; nothing to do", self.name, outbox_id)
            return None
        eager = self.request.is_eager
        if not eager:
            _leases.hold(outbox_id, owner)
        try:
            result = super().__call__(*args, **kwargs)
        except Retry:
            if eager:  # the next try is another apply, under another id
                outbox_release(outbox_id=outbox_id, owner=owner)
            raise  # else ``retry`` kept the lease for the wait
        except BaseException:
            self._release(outbox_id, owner)
            raise
        finally:
            _leases.drop(outbox_id)
        outbox_mark_done(outbox_id=outbox_id)
        return result

    def retry(self, args=None, kwargs=None, exc=None, throw=True, eta=None, countdown=None,
              max_retries=None, **options):
        """Celery's retry, waiting ``retry_countdown`` unless told otherwise; the outbox row's
        lease is kept for the wait, so the sweeper does not send a copy of a task waiting its turn."""
        if countdown is None and eta is None:
            countdown = retry_countdown(self.request.retries)
        outbox_id = (self.request.kwargs or {}).get(OUTBOX_ID_KWARG)
        if outbox_id and not self.request.is_eager and countdown is not None:
            try:
                outbox_claim(outbox_id=outbox_id, owner=self.request.id or "",
                             seconds=countdown + settings.DOCFLOW_OUTBOX_LEASE_SECONDS)
            except (OperationalError, InterfaceError):
                pass  # the database is away: the lease lapses and the sweeper may send a copy
        return super().retry(args=args, kwargs=kwargs, exc=exc, throw=throw, eta=eta,
                             countdown=countdown, max_retries=max_retries, **options)

    @staticmethod
    def _release(outbox_id: str, owner: str) -> None:
        try:
            outbox_release(outbox_id=outbox_id, owner=owner)
        except (OperationalError, InterfaceError):
            pass  # the lease lapses by itself
