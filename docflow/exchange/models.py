"""The exchange with agencies outside Docflow: their keys, what they sent us, the webhook log.

Statuses owed to external senders are routing's ``StatusReport`` rows; this package sends them.

External agencies are ``Agency`` rows with ``is_external=True``. Rows keyed to them
(``external_agency``) are directory data, not tenant data; rows about what one of *our*
agencies sent or received (``agency``) are tenant rows like any other.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from docflow.core.ids import uuid7
from docflow.tenancy.models import Agency
from docflow.core.scoping import TenantManager


class ExchangeClient(models.Model):
    """One API key of an external agency. The key is shown once; only its SHA-256 is kept."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    external_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="exchange_clients",
        limit_choices_to={"is_external": True},
    )
    # The visible part of the key, to find the row and to tell keys apart in logs.
    key_prefix = models.CharField(max_length=16, unique=True)
    key_sha256 = models.CharField(max_length=64)
    webhook_url = models.URLField(_("địa chỉ webhook"), max_length=500, blank=True)
    # Shared secret: signs what we push, and verifies what the agency signs.
    signing_secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Writes must be signed; only the operator may let an old system send unsigned ones.
    allow_unsigned = models.BooleanField(
        _("cho phép gửi không ký (hệ thống cũ)"), default=False,
        help_text=_("Chỉ bật cho hệ thống chưa ký được yêu cầu; mất chống gửi lặp lại."),
    )

    class Meta:
        verbose_name = _("khóa liên thông")
        verbose_name_plural = _("khóa liên thông")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.external_agency_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SignedRequestSeen(models.Model):
    """Ids of signed requests already accepted from a client: a second one is a replay."""

    client = models.ForeignKey(ExchangeClient, on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "message_id"], name="signed_request_once")
        ]


class InboundDocument(models.Model):
    """A document an external agency sent us: its id is the one the sender uses for status."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    external_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(ExchangeClient, on_delete=models.PROTECT, related_name="+")
    notation = models.CharField(max_length=80, blank=True)
    # Our agencies' codes, in the order the sender listed them.
    recipient_codes = models.JSONField(default=list)
    envelope = models.JSONField(default=dict)
    fmt = models.CharField(max_length=8, default="json")  # json | edxml
    # The axis identifier (OrganId,yyyy/MM/dd,number/notation) and the package's Bussiness
    # type (0 new, 2 update, 3 replacement): the same pair from the same sender is one document.
    exchange_document_id = models.CharField(max_length=200, blank=True, db_index=True)
    business_type = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["external_agency", "created_at"], name="inbound_agency_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["external_agency", "exchange_document_id", "business_type"],
                name="inbound_document_id_once", condition=~models.Q(exchange_document_id=""),
            )
        ]


class WebhookEvent(models.TextChoices):
    DOCUMENT = "document", _("Văn bản")
    STATUS = "status", _("Trạng thái")


class WebhookDelivery(models.Model):
    """One attempt to push a message to an external agency's webhook: the delivery log.

    Belongs to our agency that sent the message, whose administrator reads it.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(ExchangeClient, on_delete=models.PROTECT, related_name="+")
    event = models.CharField(max_length=12, choices=WebhookEvent.choices)
    message_id = models.UUIDField()  # X-Docflow-Id: the same on every attempt
    object_id = models.UUIDField()
    url = models.URLField(max_length=500)
    attempt = models.PositiveSmallIntegerField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("lần gửi webhook")
        verbose_name_plural = _("nhật ký gửi webhook")
        indexes = [models.Index(fields=["agency", "-created_at", "-id"], name="webhook_log_idx")]
