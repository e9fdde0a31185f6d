"""Signing what we push and checking what clients sign: HMAC-SHA256 over id, timestamp and body.

The signature is the hex HMAC-SHA256, keyed with the client's signing secret, of
``f"{id}.{timestamp}.".encode() + body``. A receiver refuses a timestamp more than
``WINDOW_SECONDS`` away from its clock and an id it has already accepted (a replay).
These are pure functions: the integration guide's reference implementation is this module.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from docflow.core.ids import uuid7

HEADER_ID = "X-Docflow-Id"
HEADER_TIMESTAMP = "X-Docflow-Timestamp"
HEADER_SIGNATURE = "X-Docflow-Signature"
WINDOW_SECONDS = 300


class SignatureInvalid(Exception):
    """The request's signature headers are incomplete, stale or do not verify."""


def signature_compute(*, secret: str, message_id: str, timestamp: int | str, body: bytes) -> str:
    payload = f"{message_id}.{timestamp}.".encode() + body
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def signed_headers(
    *, secret: str, body: bytes, message_id: str | None = None, now: float | None = None
) -> dict[str, str]:
    """The three headers for ``body``; a new message id unless one is given (a retry)."""
    message_id = message_id or str(uuid7())
    timestamp = int(time.time() if now is None else now)
    return {
        HEADER_ID: message_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: signature_compute(
            secret=secret, message_id=message_id, timestamp=timestamp, body=body
        ),
    }


def signature_check(
    *,
    secret: str,
    message_id: str,
    timestamp: str,
    signature: str,
    body: bytes,
    now: float | None = None,
    window: int = WINDOW_SECONDS,
) -> None:
    """Raise SignatureInvalid unless the headers are complete, fresh and verify for ``body``.

    Replays (an id seen before) are the caller's check: it needs storage.
    """
    if not (message_id and timestamp and signature):
        raise SignatureInvalid(
            f"Cần đủ {HEADER_ID}, {HEADER_TIMESTAMP} và {HEADER_SIGNATURE}."
        )
    if len(message_id) > 100:
        raise SignatureInvalid(f"{HEADER_ID} dài quá 100 ký tự.")
    try:
        sent = int(timestamp)
    except ValueError:
        raise SignatureInvalid(f"{HEADER_TIMESTAMP} phải là số giây Unix.") from None
    current = time.time() if now is None else now
    if abs(current - sent) > window:
        raise SignatureInvalid(f"{HEADER_TIMESTAMP} lệch quá {window} giây: yêu cầu đã cũ.")
    expected = signature_compute(secret=secret, message_id=message_id, timestamp=sent, body=body)
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise SignatureInvalid(f"{HEADER_SIGNATURE} không đúng.")
