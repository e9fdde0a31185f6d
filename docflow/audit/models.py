"""The append-only event log: who did what to which object, with the state before and after.

Each agency's events form a hash chain (``docflow/audit/chain.py``): a per-agency sequence
number, the previous event's hash and the event's own. ``AuditChainHead`` holds each agency's
newest sequence and hash; writers lock it (``SELECT … FOR UPDATE``) so concurrent services of
one agency keep one chain. On PostgreSQL triggers refuse UPDATE and DELETE of events.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from docflow.core.ids import uuid7
from docflow.core.scoping import TenantManager


class AppendOnlyError(Exception):
    """Audit events are never changed or deleted."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # No index of its own: (agency, sequence) and (agency, object_type, …) start with it.
    agency = models.ForeignKey("tenancy.Agency", on_delete=models.PROTECT, related_name="+", db_index=False)
    # Indexed below only where there is one: a fan-out's 10,000 events have none.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    # Free-text actor for events from outside (an external agency's system).
    actor_label = models.CharField(max_length=255, blank=True)
    action = models.CharField(_("hành động"), max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.UUIDField()
    state_before = models.CharField(max_length=32, blank=True)
    state_after = models.CharField(max_length=32, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Set before the row is hashed (so not auto_now_add, which would set it after). No index of
    # its own: an agency's events are read newest first by their sequence in its chain, an
    # object's by (agency, object, created_at); a fan-out writes 10,000 events at once.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sequence = models.PositiveBigIntegerField(_("số thứ tự trong chuỗi"), editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = TenantManager(models.Manager.from_queryset(AuditQuerySet))

    class Meta:
        verbose_name = _("sự kiện")
        verbose_name_plural = _("nhật ký")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["agency", "object_type", "object_id", "created_at"]),
            models.Index(fields=["actor"], name="audit_event_actor_idx", condition=models.Q(actor__isnull=False)),
        ]
        constraints = [models.UniqueConstraint(fields=["agency", "sequence"], name="audit_one_event_per_link")]

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditChainHead(models.Model):
    """Each agency's newest event in its chain: the row writers lock to append in order."""

    agency = models.OneToOneField("tenancy.Agency", on_delete=models.PROTECT, primary_key=True, related_name="+")
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager()

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")
        verbose_name_plural = _("đầu chuỗi nhật ký")
