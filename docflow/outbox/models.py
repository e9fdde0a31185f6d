"""Work recorded in the database before it is sent to Celery, so a lost send is re-driven."""

from __future__ import annotations

from django.db import models

from docflow.core.ids import uuid7


class OutboxTask(models.Model):
    """One task to run after its transaction commits.

    Not tenant-scoped: the sweeper reads across agencies. Tasks receive their agency explicitly
    in ``kwargs``.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    queue = models.CharField(max_length=32, default="default")
    # The same work asked for twice (a retried request) is recorded once.
    dedup_key = models.CharField(max_length=255, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    # A running task holds a lease, renewed by its worker (``workers.base``) while it runs, so
    # the sweeper leaves it alone; a lease that lapsed means its worker died. The owner is the
    # Celery task id: a retry or a redelivery of the same message takes the lease back.
    lease_owner = models.CharField(max_length=64, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"], name="outbox_pending_idx",
                condition=models.Q(done_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name} {self.kwargs}"
