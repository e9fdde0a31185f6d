"""In-app notifications (about one object: a document, a copy, a report); each may also be
sent by email once, at once or in the day's digest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
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
    # What it is about; the web layer turns these into a page (domain code knows no URLs).
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.UUIDField(null=True, blank=True)
    # One notification per event and recipient, however often the task runs.
    dedup_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # The work it asks for was done (by this person or anyone of the agency): no longer unread.
    done_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Gathered notifications: the hour they gather in, how many events and each part's last state.
    gathered_hour = models.DateTimeField(null=True, blank=True)
    count = models.PositiveIntegerField(default=1)
    parts = models.JSONField(default=dict, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        indexes = [
            models.Index(fields=["agency", "recipient", "read_at", "created_at"]),
            models.Index(fields=["agency", "object_type", "object_id"], name="notification_object_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "object_id", "gathered_hour"],
                condition=models.Q(gathered_hour__isnull=False),
                name="notification_gathered_unique",
            )
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How one person wants one kind of notification in one agency: in the bell, by email at
    once or in the daily digest (``digest`` with ``email``).

    No row means bell and email at once (the default); both off means nothing is created.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("loại"), max_length=40)
    in_app = models.BooleanField(_("trên hệ thống"), default=True)
    email = models.BooleanField(_("qua email"), default=True)
    digest = models.BooleanField(_("email tổng hợp hằng ngày"), default=False)
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


class NotificationDigest(models.Model):
    """The daily digest sent to one person in one agency: at most one row per day, so a task
    run twice (or late) never sends a second digest that day."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager()

    class Meta:
        verbose_name = _("thư tổng hợp thông báo")
        verbose_name_plural = _("thư tổng hợp thông báo")
        constraints = [
            models.UniqueConstraint(fields=["agency", "user", "day"], name="notification_digest_unique")
        ]
