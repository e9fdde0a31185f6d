"""Posting signed messages to an external agency's webhook, one logged attempt at a time.

Each attempt is a fresh timestamp and signature over the same message id (receivers dedupe by
id), with a timeout and no redirects; its outcome is a ``WebhookDelivery`` row of our sending
agency. A failed attempt raises ``WebhookFailed``; the task retries it with backoff. A message
a receiver already took is not posted again: a task redelivered after it did its work does
nothing. Delivery is at least once (a worker that dies between the receiver's answer and the
row's commit posts again, with the same id), and exactly once for a receiver that drops repeats.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from docflow.exchange.models import ExchangeClient, WebhookDelivery
from docflow.exchange.signing import signed_headers

USER_AGENT = "Docflow-Exchange/1.0"
DEFAULT_TIMEOUT_SECONDS = 10


class WebhookFailed(Exception):
    """The receiver did not answer 2xx (or could not be reached); worth another try later."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is an answer, not a place to send the signed body again


_opener = urllib.request.build_opener(_NoRedirect)


def message_body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()


def webhook_post(
    *, client: ExchangeClient, agency_id: int, event: str, message_id: UUID, object_id: UUID,
    payload: dict[str, Any], attempt: int,
) -> WebhookDelivery:
    """One signed POST of ``payload`` to the client's webhook; logged; WebhookFailed unless 2xx.

    The receiver's earlier 2xx for the same ``message_id`` is returned instead of posting again.
    """
    taken = (
        WebhookDelivery.objects.with_scope(agency=agency_id)
        .filter(agency_id=agency_id, event=event, message_id=message_id, ok=True).first()
    )
    if taken is not None:
        return taken
    body = message_body(payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
        **signed_headers(secret=client.signing_secret, body=body, message_id=str(message_id)),
    }
    request = urllib.request.Request(client.webhook_url, data=body, headers=headers, method="POST")
    timeout = getattr(settings, "DOCFLOW_EXCHANGE_WEBHOOK_TIMEOUT", DEFAULT_TIMEOUT_SECONDS)
    status, error, started = None, "", time.monotonic()
    try:
        with _opener.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        error = str(getattr(exc, "reason", exc))[:500] or exc.__class__.__name__
    ok = status is not None and 200 <= status < 300
    row = WebhookDelivery.objects.with_scope(agency=agency_id).create(
        agency_id=agency_id, client=client, event=event, message_id=message_id,
        object_id=object_id, url=client.webhook_url, attempt=attempt, response_status=status,
        ok=ok, error=error, duration_ms=int((time.monotonic() - started) * 1000),
    )
    if not ok:
        raise WebhookFailed(error or f"HTTP {status}")
    return row
