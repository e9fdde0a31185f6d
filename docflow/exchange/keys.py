"""API keys of external agencies: high-entropy, shown once, kept as SHA-256 with a visible prefix.

A key reads ``dfx_<prefix>.<secret>``; the prefix finds the row, the hash proves the key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

KEY_MARK = "dfx_"


def key_generate() -> tuple[str, str]:
    """A new (prefix, key). The key carries 256 random bits after its prefix."""
    prefix = secrets.token_hex(6)
    return prefix, f"{KEY_MARK}{prefix}.{secrets.token_urlsafe(32)}"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str | None:
    """The prefix of a well-formed key, else None."""
    if not key.startswith(KEY_MARK) or "." not in key:
        return None
    prefix = key[len(KEY_MARK):].split(".", 1)[0]
    return prefix if 0 < len(prefix) <= 16 else None


def key_matches(key: str, stored_sha256: str) -> bool:
    return hmac.compare_digest(key_hash(key), stored_sha256)


def secret_generate() -> str:
    """A signing secret for webhooks and signed requests."""
    return f"whsec_{secrets.token_hex(24)}"
