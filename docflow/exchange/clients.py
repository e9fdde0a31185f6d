"""External agencies and their API keys: registering, revoking, authenticating."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError
from django.utils import timezone

from docflow.audit.services import event_record
from docflow.exchange.keys import key_generate, key_hash, key_matches, key_prefix, secret_generate
from docflow.exchange.models import ExchangeClient, SignedRequestSeen
from docflow.exchange.signing import (
    HEADER_ID,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    WINDOW_SECONDS,
    SignatureInvalid,
    signature_check,
)
from docflow.tenancy.models import Agency, AgencyLevel
from docflow.core.services import savepoint, service

CLIENT_OBJECT = "exchange_client"


@dataclass(frozen=True)
class IssuedKey:
    """A new client with the key and signing secret in clear: shown once, never stored."""

    client: ExchangeClient
    key: str
    signing_secret: str


@service(scope=None)
def exchange_client_create(
    *, code: str, name: str, webhook_url: str = "", level: str = AgencyLevel.DEPARTMENT,
    allow_unsigned: bool = False,
) -> IssuedKey:
    """Register (or update) the external agency ``code`` and give it a new API key.

    Refuses a code that belongs to an agency inside Docflow. Earlier keys stay valid until
    revoked, so an agency can roll its key without a gap. ``allow_unsigned`` (the operator's
    choice for a legacy system) lets the key write without signing.
    """
    if webhook_url:
        try:
            URLValidator(schemes=["http", "https"])(webhook_url)
        except ValidationError:
            raise ValidationError({"webhook_url": ["Địa chỉ webhook không hợp lệ."]}) from None
    agency = Agency.objects.select_for_update().filter(code=code).first()
    if agency is not None and not agency.is_external:
        raise ValidationError({"code": [f"{code} là cơ quan trong hệ thống, không phải cơ quan ngoài."]})
    agency = agency or Agency(code=code, is_external=True, level=level)
    agency.name = name
    agency.full_clean()
    agency.save()
    prefix, key = key_generate()
    client = ExchangeClient(
        external_agency=agency, key_prefix=prefix, key_sha256=key_hash(key),
        webhook_url=webhook_url, signing_secret=secret_generate(), allow_unsigned=allow_unsigned,
    )
    client.full_clean()
    client.save()
    event_record(
        agency_id=agency.pk, action="exchange_client.created", object_type=CLIENT_OBJECT,
        object_id=client.id, actor_label="manage.py",
        data={"key_prefix": prefix, "webhook_url": webhook_url, "allow_unsigned": allow_unsigned},
    )
    return IssuedKey(client=client, key=key, signing_secret=client.signing_secret)


@service(scope=None)
def exchange_client_revoke(*, code: str, key_prefix: str = "") -> int:
    """Revoke the agency's active keys (or only the one with ``key_prefix``); returns how many."""
    clients = ExchangeClient.objects.select_for_update().filter(
        external_agency__code=code, revoked_at__isnull=True
    )
    if key_prefix:
        clients = clients.filter(key_prefix=key_prefix)
    revoked = list(clients)
    now = timezone.now()
    for client in revoked:
        client.revoked_at = now
        client.save(update_fields=["revoked_at"])
        event_record(
            agency_id=client.external_agency_id, action="exchange_client.revoked",
            object_type=CLIENT_OBJECT, object_id=client.id, actor_label="manage.py",
            data={"key_prefix": client.key_prefix},
        )
    return len(revoked)


@service(scope=None)
def exchange_client_unsigned_set(
    *, code: str, allow: bool, key_prefix: str = "", actor_label: str = "manage.py"
) -> int:
    """Let the agency's active keys (or the one with ``key_prefix``) send unsigned writes, or
    stop that; an operator's decision, recorded in the audit log. Returns how many changed."""
    clients = ExchangeClient.objects.select_for_update().filter(
        external_agency__code=code, revoked_at__isnull=True
    ).exclude(allow_unsigned=allow)
    if key_prefix:
        clients = clients.filter(key_prefix=key_prefix)
    changed = list(clients)
    for client in changed:
        client.allow_unsigned = allow
        client.save(update_fields=["allow_unsigned"])
        event_record(
            agency_id=client.external_agency_id, action="exchange_client.unsigned_allowed" if allow
            else "exchange_client.unsigned_refused", object_type=CLIENT_OBJECT, object_id=client.id,
            actor_label=actor_label, data={"key_prefix": client.key_prefix},
        )
    return len(changed)


def client_for_key(*, key: str) -> ExchangeClient | None:
    """The active client holding ``key``, with its agency; None for an unknown or revoked key."""
    prefix = key_prefix(key)
    if prefix is None:
        return None
    client = (
        ExchangeClient.objects.select_related("external_agency")
        .filter(key_prefix=prefix, revoked_at__isnull=True, external_agency__is_active=True)
        .first()
    )
    if client is None or not key_matches(key, client.key_sha256):
        return None
    return client


def client_used(*, client: ExchangeClient) -> None:
    """Record that the key was used, at most once a minute (one UPDATE, no lock)."""
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > timedelta(minutes=1):
        ExchangeClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now


def client_for_webhook(*, external_agency_id: int) -> ExchangeClient | None:
    """The agency's newest active key that has a webhook: where pushes go (none: pull only)."""
    return (
        ExchangeClient.objects.filter(
            external_agency_id=external_agency_id, revoked_at__isnull=True
        )
        .exclude(webhook_url="")
        .order_by("-created_at")
        .first()
    )


def _meta_name(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def signed_request_accept(*, client: ExchangeClient, meta: Mapping[str, str], body: bytes) -> bool:
    """Check a request's signature; returns whether it was signed.

    Every write (any method but GET, HEAD, OPTIONS, read from ``REQUEST_METHOD``) must be
    signed, so replay protection covers every client — unless the operator marked the client
    ``allow_unsigned`` (a legacy system). Reads may be signed. A request carrying any signature
    header must verify with the client's signing secret, be fresh, and use an id never accepted
    before from this client (SignatureInvalid otherwise). Ids older than twice the window are
    forgotten: their timestamps could no longer pass.
    """
    values = {h: meta.get(_meta_name(h), "") for h in (HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE)}
    if not any(values.values()):
        if meta.get("REQUEST_METHOD", "POST").upper() in SAFE_METHODS or client.allow_unsigned:
            return False
        raise SignatureInvalid(
            f"Yêu cầu ghi phải được ký ({HEADER_ID}, {HEADER_TIMESTAMP}, {HEADER_SIGNATURE}); xem docs/EXCHANGE.md."
        )
    signature_check(
        secret=client.signing_secret, message_id=values[HEADER_ID],
        timestamp=values[HEADER_TIMESTAMP], signature=values[HEADER_SIGNATURE], body=body,
    )
    cutoff = timezone.now() - timedelta(seconds=2 * WINDOW_SECONDS)
    SignedRequestSeen.objects.filter(client=client, created_at__lt=cutoff).delete()
    try:
        with savepoint():
            SignedRequestSeen.objects.create(client=client, message_id=values[HEADER_ID])
    except IntegrityError:
        raise SignatureInvalid(f"{HEADER_ID} đã được dùng: yêu cầu bị gửi lặp lại.") from None
    return True
