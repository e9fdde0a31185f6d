"""Fixtures for the worker tests: a clean broker pause per test, and a Redis of the test's own
(a real ``redis-server`` on a free port) that a test may stop and start again, with a real
worker and this process's Celery app both pointed at it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
from celery import current_app
from django.test.utils import override_settings

from docflow.outbox.services import outbox_broker_resume
from tests.conftest import start_celery_worker

WRITE_URL = "CELERY_BROKER_WRITE_URL"


@pytest.fixture(autouse=True)
def _broker_not_paused():
    outbox_broker_resume()
    yield
    outbox_broker_resume()


class RedisServer:
    """One ``redis-server`` on 127.0.0.1, in memory only; ``stop`` and ``start`` keep its port."""

    def __init__(self, directory) -> None:
        if shutil.which("redis-server") is None:
            pytest.fail("redis-server is needed to stop and restart a broker in a test")
        self.directory, self.proc = directory, None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            if time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@contextmanager
def celery_app_broker(url: str):
    """This process's Celery app sends to ``url``. Celery reads CELERY_BROKER_WRITE_URL from the
    environment before its configuration, at every new connection; the pools are looked up
    again by URL (the ones of the usual broker stay open for afterwards)."""
    app, before = current_app, os.environ.get(WRITE_URL)

    def fresh_pools() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    os.environ[WRITE_URL] = url
    fresh_pools()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(WRITE_URL, None)
        else:
            os.environ[WRITE_URL] = before
        fresh_pools()


@pytest.fixture
def own_broker(django_db_setup, tmp_path):
    """A Redis of this test's own, a worker consuming from it, and this process sending to it.

    Yields ``(redis, worker)``; the test may ``redis.stop()`` and ``redis.start()``.
    """
    redis = RedisServer(tmp_path)
    redis.start()
    worker = start_celery_worker(broker_url=redis.url, log_path=tmp_path / "worker.log")
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False), celery_app_broker(redis.url):
            yield redis, worker
    finally:
        worker.stop()
        redis.stop()
