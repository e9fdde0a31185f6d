"""``Authorization: Api-Key <key>``: the request's principal is the external agency of the key."""

from __future__ import annotations

from dataclasses import dataclass

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from docflow.exchange.clients import client_for_key, client_used
from docflow.exchange.models import ExchangeClient
from docflow.tenancy.models import Agency

KEYWORD = "Api-Key"


@dataclass(frozen=True)
class ExchangePrincipal:
    """Stands in for ``request.user`` on exchange requests: an agency system, not a person."""

    client: ExchangeClient

    is_authenticated = True
    is_anonymous = False
    pk = None

    @property
    def agency(self) -> Agency:
        return self.client.external_agency

    def __str__(self) -> str:
        return f"{self.agency.code} ({self.client.key_prefix})"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0] != KEYWORD:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Tiêu đề Authorization phải là: Api-Key <khóa>.")
        client = client_for_key(key=header[1])
        if client is None:
            raise exceptions.AuthenticationFailed("Khóa API không hợp lệ hoặc đã bị thu hồi.")
        client_used(client=client)
        return ExchangePrincipal(client=client), client

    def authenticate_header(self, request) -> str:
        return KEYWORD


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "`Api-Key <khóa>`: khóa của hệ thống cơ quan ngoài (liên thông).",
        }
