"""Arranging the exchange for tests: external agencies and their keys, through the services."""

from __future__ import annotations

import factory
from django_scopes import scopes_disabled

from docflow.exchange.clients import IssuedKey, exchange_client_create
from docflow.exchange.models import WebhookDelivery
from docflow.core.ids import uuid7
from docflow.tenancy.models import AgencyLevel
from tests.factories import AgencyFactory


class ExternalAgencyFactory(AgencyFactory):
    """A directory entry outside Docflow (a provincial department on another product)."""

    code = factory.Sequence(lambda n: f"{n % 1000:03d}.{(n // 1000) % 100:02d}.88.G01")
    name = factory.Sequence(lambda n: f"Sở Nội vụ tỉnh Thử Nghiệm {n}")
    level = AgencyLevel.DEPARTMENT
    is_external = True


def issued_key(*, agency=None, webhook_url: str = "") -> IssuedKey:
    agency = agency or ExternalAgencyFactory()
    return exchange_client_create(code=agency.code, name=agency.name, webhook_url=webhook_url)


def webhook_delivery(*, agency, client=None, ok: bool = True) -> WebhookDelivery:
    client = client or issued_key(webhook_url="http://127.0.0.1:9/hook").client
    with scopes_disabled():
        return WebhookDelivery.objects.create(
            agency=agency, client=client, event="document", message_id=uuid7(), object_id=uuid7(),
            url=client.webhook_url or "http://127.0.0.1:9/hook", attempt=1,
            response_status=200 if ok else 500, ok=ok,
        )
