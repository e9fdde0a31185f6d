"""Signing keys (where they are, never in clear), external signing requests, verification results."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from docflow.core.ids import uuid7
from docflow.core.scoping import TenantManager
from docflow.documents.models import StoredFile
from docflow.tenancy.models import Agency


class CredentialKind(models.TextChoices):
    PKCS12 = "pkcs12", _("Tệp PKCS#12 (.p12)")
    PKCS11 = "pkcs11", _("Thiết bị PKCS#11 (token, HSM)")
    EXTERNAL = "external", _("Ký ngoài (USB token, ký số từ xa)")


class SigningCredential(models.Model):
    """A signer's key: a member's (``user`` set, personal signature) or the agency's (``user``
    empty, the agency signature). Only the certificate is kept in clear; a PKCS#12 file and its
    password are encrypted with a key derived from SECRET_KEY; a PKCS#11 PIN stays in the
    environment variable the row names. ``image`` is the signature image (or the agency's seal)."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=CredentialKind.choices)
    certificate_der = models.BinaryField(blank=True, default=b"")
    p12_encrypted = models.BinaryField(blank=True, default=b"")
    p12_password_encrypted = models.BinaryField(blank=True, default=b"")
    pkcs11_module = models.CharField(max_length=255, blank=True)
    pkcs11_token_label = models.CharField(max_length=100, blank=True)
    pkcs11_key_label = models.CharField(max_length=100, blank=True)
    pkcs11_pin_env = models.CharField(max_length=100, blank=True)
    image = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("khóa ký số")
        verbose_name_plural = _("khóa ký số")
        constraints = [
            models.UniqueConstraint(fields=["agency", "user"], name="signing_credential_member_unique"),
            models.UniqueConstraint(
                fields=["agency"], condition=Q(user__isnull=True), name="signing_credential_agency_unique"
            ),
        ]


class SigningRequestState(models.TextChoices):
    PENDING = "pending", _("Chờ chữ ký")
    DONE = "done", _("Đã ký")


class SigningRequest(models.Model):
    """A prepared external signature: the PDF with its placeholder, the digest handed out, and
    where the signature goes, until the signature comes back or the request expires."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document_id = models.UUIDField(db_index=True)
    prepared = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    digest = models.BinaryField()
    md_algorithm = models.CharField(max_length=20)
    reserved_start = models.BigIntegerField()
    reserved_end = models.BigIntegerField()
    state = models.CharField(max_length=10, choices=SigningRequestState.choices,
                             default=SigningRequestState.PENDING)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("yêu cầu ký ngoài")
        verbose_name_plural = _("yêu cầu ký ngoài")


class FileVerification(models.Model):
    """The signatures found in one file's bytes and what checking them gave. Not a tenant row:
    it belongs to the content (every copy of the same bytes shares it), checked once.

    ``signatures`` is a list of ``{signer, kind, signed_at, valid, trusted, detail}`` in signing
    order; ``trusted`` is null when the chain or revocation could not be checked."""

    file = models.OneToOneField(StoredFile, primary_key=True, on_delete=models.CASCADE,
                                related_name="verification")
    signatures = models.JSONField(default=list)
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kết quả kiểm tra chữ ký")
        verbose_name_plural = _("kết quả kiểm tra chữ ký")
