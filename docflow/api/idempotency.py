"""``Idempotency-Key`` on endpoints that create something (API.md, Conventions).

A repeated key with the same request returns the first response; with a different request it
answers 409. The record and the handler's writes commit in one transaction, the service's own
(``core.services.service_transaction``: the services the handler calls join it, durable ones
too): the first request inserts its record (unique per agency, principal and key, through
``core.idempotency.key_claim``), runs, and stores its response; a concurrent retry's INSERT
waits on the unique index until the first commits, then replays what it stored (or runs
itself, if the first rolled back). Only successful responses are kept:
a request refused with 4xx leaves no record and can be sent again with the same key.

The principal is an argument so each kind of caller keeps its own keys: ``user_principal``
for people, and the exchange API passes its client's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from docflow.api.models import IdempotencyRecord
from docflow.core.errors import InvalidState
from docflow.core.idempotency import key_claim
from docflow.core.services import service_transaction

HEADER = "HTTP_IDEMPOTENCY_KEY"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


def user_principal(request) -> str:
    return f"user:{request.user.pk}"


def request_fingerprint(request) -> str:
    """SHA-256 of the method, the path and the body as parsed: JSON canonically (key order and
    spacing do not matter), multipart by field values and each file's name and content hash."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    data, files = request.data, getattr(request, "FILES", {})
    fields = {}
    if hasattr(data, "lists"):
        for name, values in data.lists():
            if name not in files:
                fields[name] = values
    else:
        fields = data
    digest.update(json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False).encode())
    for name in sorted(files):
        for upload in files.getlist(name):
            file_digest = hashlib.sha256()
            for chunk in upload.chunks():
                file_digest.update(chunk)
            upload.seek(0)
            digest.update(f"\n{name}:{upload.name}:{file_digest.hexdigest()}".encode())
    return digest.hexdigest()


def _key_of(request) -> str | None:
    key = request.META.get(HEADER)
    if key is None:
        return None
    if not (0 < len(key) <= MAX_KEY_LENGTH) or not key.isascii() or not key.isprintable():
        raise ValidationError({"idempotency_key": [_("Idempotency-Key phải gồm 1–255 ký tự ASCII in được.")]})
    return key


def idempotent(
    *, request, agency_id: int, principal: str, handler: Callable[[], Response],
    fingerprint: str | None = None,
) -> Response:
    """Run ``handler`` at most once per key; see the module docstring for the guarantees.

    ``fingerprint`` replaces ``request_fingerprint`` for callers that parse the body themselves
    (the exchange API reads its raw body under a size limit and signature check).
    """
    key = _key_of(request)
    if key is None:
        return handler()
    fingerprint = fingerprint or request_fingerprint(request)
    records = IdempotencyRecord.objects.with_scope(agency=agency_id)
    with service_transaction():
        record = key_claim(lambda: records.create(
            agency_id=agency_id, principal=principal, key=key, request_hash=fingerprint
        ), wait=True)
        if record is None:
            return _replay(records.get(principal=principal, key=key), fingerprint)
        response = handler()
        if not 200 <= response.status_code < 300:
            transaction.set_rollback(True)  # keep nothing: the same key may be sent again
            return response
        # Through the scoped manager: the row is the key's agency's, whatever scope is active.
        records.filter(pk=record.pk).update(
            response_status=response.status_code,
            response_body=json.loads(JSONRenderer().render(response.data) or b"null"),
        )
        return response


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        raise InvalidState(
            _("Idempotency-Key này đã dùng cho một yêu cầu khác."), state="idempotency_key_reused"
        )
    return Response(record.response_body, status=record.response_status, headers={REPLAYED_HEADER: "true"})


def idempotency_purge(*, older_than_days: int = 7) -> int:
    """Forget records past the window in which a client may retry."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _counts = IdempotencyRecord.objects.cross_agency("housekeeping").filter(created_at__lt=cutoff).delete()
    return deleted
