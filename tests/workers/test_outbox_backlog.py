"""With a real Redis: the sweeper reads the oldest waiting message's send time, copies a row
whose message the queue already moved past (its worker died with it), and never one that still
waits its turn. Marked ``worker`` (needs ``redis-server``): runs in the PostgreSQL pass."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery import current_app
from django.test.utils import override_settings
from django.utils import timezone

from docflow.outbox.models import OutboxTask
from docflow.outbox.services import SEND_ORDER_SLACK, outbox_send, outbox_sweep, queue_backlog
from tests.workers.conftest import RedisServer, celery_app_broker

pytestmark = [pytest.mark.worker, pytest.mark.django_db]

QUEUE = "nobody-consumes"

@pytest.fixture
def idle_broker(tmp_path):
    """A Redis of the test's own that no worker reads: what is sent stays in its queue."""
    redis = RedisServer(tmp_path)
    redis.start()
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False), celery_app_broker(redis.url):
            yield redis
    finally:
        redis.stop()

def test_a_row_the_queue_moved_past_is_sent_again_and_one_waiting_its_turn_is_not(idle_broker, monkeypatch):
    first = OutboxTask.objects.create(task_name="outbox.purge", kwargs={}, queue=QUEUE)
    second = OutboxTask.objects.create(task_name="outbox.purge", kwargs={}, queue=QUEUE)
    earlier = timezone.now() - 2 * SEND_ORDER_SLACK
    with monkeypatch.context() as m:  # the first was sent a while before the second
        m.setattr("docflow.outbox.services.timezone.now", lambda: earlier)
        assert outbox_send(outbox_id=first.id)
    assert outbox_send(outbox_id=second.id)
    first.refresh_from_db()
    backlog = queue_backlog(queues={QUEUE})[QUEUE]
    assert backlog.waiting == 2
    assert abs(backlog.oldest_sent_at - first.sent_at) < timedelta(milliseconds=1)  # the first's own
    later = timezone.now() + timedelta(minutes=10)
    assert outbox_sweep(now=later) == 0  # both wait their turn in a queue nobody reads

    # A worker took the first message and died before it took the row's lease.
    with current_app.connection_for_write() as connection, connection.channel() as channel:
        channel.client.rpop(QUEUE)
    assert outbox_sweep(now=later) == 1  # the first row: the queue moved past it
    assert OutboxTask.objects.get(id=first.id).send_count == 2
    assert OutboxTask.objects.get(id=second.id).send_count == 1
    assert outbox_sweep(now=later) == 0  # its copy waits behind the second
