"""Arranging the exchange for tests: external agencies and their keys, through the services."""

from __future__ import annotations

import factory
from rest_framework.test import APIClient

from docflow.core.scoping import cross_agency
from docflow.exchange.clients import IssuedKey, exchange_client_create
from docflow.exchange.models import WebhookDelivery
from docflow.exchange.signing import HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, signed_headers
from docflow.core.ids import uuid7
from docflow.tenancy.models import AgencyLevel
from tests.factories import AgencyFactory


class ExternalAgencyFactory(AgencyFactory):
    """A directory entry outside Docflow (a provincial department on another product)."""

    code = factory.Sequence(lambda n: f"{n % 1000:03d}.{(n // 1000) % 100:02d}.88.G01")
    name = factory.Sequence(lambda n: f"Sở Nội vụ tỉnh Thử Nghiệm {n}")
    level = AgencyLevel.DEPARTMENT
    is_external = True


def issued_key(*, agency=None, webhook_url: str = "", allow_unsigned: bool = False) -> IssuedKey:
    agency = agency or ExternalAgencyFactory()
    return exchange_client_create(code=agency.code, name=agency.name, webhook_url=webhook_url,
                                  allow_unsigned=allow_unsigned)


class SigningAPIClient(APIClient):
    """An external system's client: the API key on every request, and every write signed over
    its body with the key's secret as docs/EXCHANGE.md tells (a test that sets any signature
    header of its own keeps exactly what it set)."""

    def __init__(self, *, key: str, secret: str, **kwargs):
        super().__init__(**kwargs)
        self.secret = secret
        self.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    def generic(self, method, path, data="", content_type="application/octet-stream", secure=False, **extra):
        own = {"HTTP_" + h.upper().replace("-", "_") for h in (HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE)}
        if method.upper() not in ("GET", "HEAD", "OPTIONS") and not own & set(extra):
            body = data.encode() if isinstance(data, str) else bytes(data or b"")
            for name, value in signed_headers(secret=self.secret, body=body).items():
                extra["HTTP_" + name.upper().replace("-", "_")] = value
        return super().generic(method, path, data, content_type, secure=secure, **extra)


def webhook_delivery(*, agency, client=None, ok: bool = True) -> WebhookDelivery:
    client = client or issued_key(webhook_url="http://127.0.0.1:9/hook").client
    with cross_agency("system"):
        return WebhookDelivery.objects.create(
            agency=agency, client=client, event="document", message_id=uuid7(), object_id=uuid7(),
            url=client.webhook_url or "http://127.0.0.1:9/hook", attempt=1,
            response_status=200 if ok else 500, ok=ok,
        )
