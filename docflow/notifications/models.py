"""In-app notifications; each may also be sent by email once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docflow.core.ids import uuid7
from docflow.tenancy.models import Agency
from docflow.core.scoping import TenantManager


class Notification(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("loại"), max_length=40)
    title = models.CharField(_("tiêu đề"), max_length=300)
    body = models.TextField(_("nội dung"), blank=True)
    link = models.CharField(max_length=300, blank=True)
    # One notification per event and recipient, however often the task runs.
    dedup_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        indexes = [models.Index(fields=["agency", "recipient", "read_at", "created_at"])]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How one person wants one kind of notification in one agency: in the bell, by email.

    No row means both (the default); turning both off means nothing is created for that kind.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("loại"), max_length=40)
    in_app = models.BooleanField(_("trên hệ thống"), default=True)
    email = models.BooleanField(_("qua email"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("cài đặt thông báo")
        verbose_name_plural = _("cài đặt thông báo")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "user", "kind"], name="notification_preference_unique"
            )
        ]
