"""How a system outside Docflow signs its requests, written as docs/EXCHANGE.md §2 tells it
(on purpose not importing ``docflow``: the load test's exchange client is an outside client)."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid


def sign(secret: str, body: bytes) -> dict[str, str]:
    """The three signing headers of one request: a new id, the time, the HMAC over both and the body."""
    message_id, ts = str(uuid.uuid4()), str(int(time.time()))
    mac = hmac.new(secret.encode(), f"{message_id}.{ts}.".encode() + body, hashlib.sha256)
    return {"X-Docflow-Id": message_id, "X-Docflow-Timestamp": ts, "X-Docflow-Signature": mac.hexdigest()}
