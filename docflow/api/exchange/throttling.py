"""Rate limits per exchange client: every key has its own budget, counted in a cache every
web process shares (``CACHES["exchange"]``: Redis beside the broker in production), so one
noisy system slows only itself and a second process does not double its allowance.

``DOCFLOW_EXCHANGE_RATE`` (default ``"120/min"``) for every request of a key, and
``DOCFLOW_EXCHANGE_WRITE_RATE`` (default ``"30/min"``) for its writes; past either, 429 with
``Retry-After``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ExchangeClientThrottle(SimpleRateThrottle):
    scope = "exchange"
    setting = "DOCFLOW_EXCHANGE_RATE"
    default = "120/min"

    def __init__(self):
        self.cache = caches["exchange" if "exchange" in settings.CACHES else "default"]
        super().__init__()

    def get_rate(self) -> str:
        return getattr(settings, self.setting, self.default)

    def applies(self, request) -> bool:
        return True

    def get_cache_key(self, request, view) -> str | None:
        client = getattr(request, "auth", None)
        if client is None or not hasattr(client, "key_prefix") or not self.applies(request):
            return None  # not an exchange client (the key check answers 401 first)
        return f"throttle:{self.scope}:{client.pk}"


class ExchangeClientWriteThrottle(ExchangeClientThrottle):
    scope = "exchange-write"
    setting = "DOCFLOW_EXCHANGE_WRITE_RATE"
    default = "30/min"

    def applies(self, request) -> bool:
        return request.method not in SAFE_METHODS
