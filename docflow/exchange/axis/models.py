"""The log of every exchange with the national axis: one row per package sent or received.

A row belongs to our agency that sent or received the package (a tenant row, read by that
agency's administrator). ``dedup_key`` makes each exchange happen once: the same document sent
to the same recipient twice, or the same axis message polled twice, is one row.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from docflow.core.ids import uuid7
from docflow.core.scoping import TenantManager
from docflow.tenancy.models import Agency


class Direction(models.TextChoices):
    OUT = "out", _("Gửi đi")
    IN = "in", _("Nhận về")


class Kind(models.TextChoices):
    EDOC = "edoc", _("Văn bản")
    STATUS = "status", _("Trạng thái")


class Business(models.TextChoices):
    """What an edoc package does (edXML TraceHeaderList/Bussiness, the format's names:
    edxml_tables.BUSINESS_TYPES); status rows carry "status"."""

    NEW = "new", _("Văn bản mới")
    REVOCATION = "revocation", _("Thu hồi")
    UPDATE = "update", _("Cập nhật")
    REPLACEMENT = "replacement", _("Thay thế")
    STATUS = "status", _("Trạng thái")


class State(models.TextChoices):
    PENDING = "pending", _("Đang chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Bị từ chối")
    RECEIVED = "received", _("Đã nhận")
    APPLIED = "applied", _("Đã cập nhật")
    DUPLICATE = "duplicate", _("Trùng, đã có")


class AxisMessage(models.Model):
    """One package between our agency and an agency on the axis, and how its exchange went."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(_("chiều"), max_length=3, choices=Direction.choices)
    kind = models.CharField(_("loại"), max_length=6, choices=Kind.choices)
    business = models.CharField(_("nghiệp vụ"), max_length=11, choices=Business.choices, default=Business.NEW)
    # OrganId,yyyy/MM/dd,number/notation: the document the package is (edoc) or is about (status).
    document_identifier = models.CharField(_("mã văn bản liên thông"), max_length=255, blank=True)
    # The agency at the other end: the recipient of what we send, the sender of what we receive.
    counterpart = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    counterpart_code = models.CharField(_("mã cơ quan"), max_length=13)
    # Our row the package was made from or became: an outgoing document, a status report,
    # an incoming copy or a delivery (by kind and direction).
    object_id = models.UUIDField(null=True, blank=True)
    remote_id = models.CharField(_("mã trên trục"), max_length=100, blank=True)
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices)
    status_code = models.CharField(_("mã trạng thái"), max_length=2, blank=True)
    attempts = models.PositiveIntegerField(_("số lần thử"), default=0)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True)
    dedup_key = models.CharField(max_length=300)
    # A sender holds the row until then, so two workers never send the same package at once.
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    done_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("trao đổi qua trục liên thông")
        verbose_name_plural = _("nhật ký trục liên thông")
        constraints = [
            models.UniqueConstraint(fields=["agency", "dedup_key"], name="axis_message_once"),
        ]
        indexes = [
            models.Index(fields=["agency", "-created_at", "-id"], name="axis_log_idx"),
            models.Index(fields=["direction", "remote_id"], name="axis_remote_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.kind} {self.document_identifier or self.remote_id} → {self.counterpart_code}"
