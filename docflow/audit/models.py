"""The append-only event log: who did what to which object, with the state before and after."""

from __future__ import annotations

from django.conf import settings
from django.db import models
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
    agency = models.ForeignKey("tenancy.Agency", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Free-text actor for events from outside (an external agency's system).
    actor_label = models.CharField(max_length=255, blank=True)
    action = models.CharField(_("hành động"), max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.UUIDField()
    state_before = models.CharField(max_length=32, blank=True)
    state_after = models.CharField(max_length=32, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = TenantManager(models.Manager.from_queryset(AuditQuerySet))

    class Meta:
        verbose_name = _("sự kiện")
        verbose_name_plural = _("nhật ký")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["agency", "object_type", "object_id", "created_at"])]

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")
