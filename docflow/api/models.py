"""What the API keeps for itself: the first response to each Idempotency-Key."""

from __future__ import annotations

from django.db import models

from docflow.core.ids import uuid7
from docflow.tenancy.models import Agency
from docflow.core.scoping import TenantManager


class IdempotencyRecord(models.Model):
    """The first successful response to a create request sent with an ``Idempotency-Key``.

    Keyed by (agency, principal, key): the principal is whoever sent it, ``user:<id>`` for a
    person or ``client:<id>`` for an agency system, so two callers never share keys. The unique
    constraint makes concurrent retries wait for the first and then replay its answer.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    principal = models.CharField(max_length=100)
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and the canonical body: the same key with another body is refused.
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(default=0)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "principal", "key"], name="idempotency_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"


class ApiToken(models.Model):
    """One API token, made at one sign-in (``POST /api/v1/auth/token/``) for one device.

    The key itself is never stored: ``digest`` is its SHA-256 (the per-request lookup, one
    indexed query), ``prefix`` its first 8 characters (what the owner sees in the list and names
    to revoke it). ``password_mark`` ties it to the password it was issued under, so a password
    change, however made, ends every token. Revoking deletes the row.
    """

    prefix = models.CharField(max_length=8, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey("tenancy.User", on_delete=models.CASCADE, related_name="api_tokens")
    device = models.CharField(max_length=120, blank=True)
    password_mark = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"
