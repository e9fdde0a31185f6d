"""The Celery app. Configuration comes from Django settings (``CELERY_*``)."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_process_init, worker_ready
from django.conf import settings
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docflow.settings")

app = Celery("docflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (
    Queue("default"),
    Queue("delivery"),
    Queue("pdf"),
    Queue("notify"),
)
# Routing by task-name prefix: each kind of work has its own queue and its own workers.
app.conf.task_routes = {
    "delivery.*": {"queue": "delivery"},
    "pdf.*": {"queue": "pdf"},
    "notify.*": {"queue": "notify"},
}
app.conf.beat_schedule = {
    "outbox-sweep": {"task": "outbox.sweep", "schedule": float(settings.DOCFLOW_OUTBOX_SWEEP_SECONDS)},
    "outbox-purge": {"task": "outbox.purge", "schedule": crontab(hour=2, minute=30)},
    # Deadline reminders at 07:00 local time (CELERY_TIMEZONE); 13:00 catches up a beat that was
    # down in the morning and otherwise records nothing new (once per agency and day).
    "deadline-reminders": {"task": "notify.deadline_reminders", "schedule": crontab(hour="7,13", minute=0)},
    # The daily notification digest at 17:00 local time (CELERY_TIMEZONE, Asia/Ho_Chi_Minh); 19:00
    # catches up a beat that was down and otherwise sends nothing twice (once per person and day).
    "notification-digests": {"task": "notify.digests", "schedule": crontab(hour="17,19", minute=0)},
    # Last month's report per agency, at 06:00 local time (CELERY_TIMEZONE) on the 1st; the 2nd
    # and 3rd catch up after a beat outage and otherwise find every report made (idempotent).
    "statistics-monthly": {
        "task": "reports.monthly", "schedule": crontab(minute=0, hour=6, day_of_month="1-3"),
    },
    # The oversight's monthly rollup of the past months, nightly at 01:30 local time (idempotent).
    "oversight-rollup": {"task": "reports.oversight_rollup", "schedule": crontab(hour=1, minute=30)},
    # The national axis: packages waiting for us every minute; its directory daily at 05:00.
    # Both do nothing while the connector is off (DOCFLOW_AXIS_* unset).
    "axis-poll": {"task": "axis.poll", "schedule": 60.0},
    "axis-directory": {"task": "axis.directory_sync", "schedule": crontab(hour=5, minute=0)},
}
app.set_default()
app.autodiscover_tasks(["workers"], related_name="tasks")


@worker_process_init.connect  # each prefork pool process, once forked
@worker_ready.connect  # the worker's own process (the one that runs tasks with --pool=solo)
def _process_ready(**_kwargs) -> None:
    """The tasks and what they import are loaded: out of the garbage collector's walks
    (``docflow.core.runtime``)."""
    from docflow.core.runtime import process_ready

    process_ready(urls=False)
