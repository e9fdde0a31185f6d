"""An administrator registers an external agency; its key is shown once, stored hashed, revocable."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from docflow.exchange.clients import client_for_key, exchange_client_revoke
from docflow.exchange.keys import key_hash
from docflow.exchange.models import ExchangeClient
from docflow.exchange.signing import SignatureInvalid, signature_check, signed_headers
from docflow.tenancy.models import Agency
from tests.exchange.factories import issued_key

pytestmark = pytest.mark.django_db


def test_command_registers_the_agency_and_prints_the_key_on_the_last_line():
    out = StringIO()
    call_command(
        "exchange_client_create", "--code", "000.00.00.G12", "--name", "Sở Nội vụ tỉnh Sơn La",
        "--webhook", "https://snv.example.test/docflow", stdout=out,
    )
    key = out.getvalue().strip().splitlines()[-1]
    agency = Agency.objects.get(code="000.00.00.G12")
    assert agency.is_external and agency.name == "Sở Nội vụ tỉnh Sơn La"
    client = ExchangeClient.objects.get(external_agency=agency)
    assert client.key_sha256 == key_hash(key) and key not in out.getvalue().splitlines()[:-1]
    assert key.startswith(f"dfx_{client.key_prefix}.") and client.webhook_url.endswith("/docflow")
    assert client_for_key(key=key) == client


def test_key_is_never_stored_in_clear_and_a_wrong_key_finds_nothing():
    issued = issued_key()
    row = ExchangeClient.objects.get(pk=issued.client.pk)
    assert issued.key not in (row.key_sha256, row.key_prefix, row.signing_secret)
    tampered = issued.key[:-2] + ("AA" if not issued.key.endswith("AA") else "BB")
    assert client_for_key(key=tampered) is None
    assert client_for_key(key="not-a-key") is None


def test_revoked_key_stops_working_and_a_second_key_keeps_working():
    first = issued_key()
    agency = first.client.external_agency
    second = issued_key(agency=agency)
    assert exchange_client_revoke(code=agency.code, key_prefix=first.client.key_prefix) == 1
    assert client_for_key(key=first.key) is None
    assert client_for_key(key=second.key) == second.client
    out = StringIO()
    call_command("exchange_client_revoke", "--code", agency.code, stdout=out)
    assert client_for_key(key=second.key) is None
    with pytest.raises(CommandError):
        call_command("exchange_client_revoke", "--code", agency.code, stdout=StringIO())


def test_a_used_key_shows_when_it_was_last_used(external):
    assert external.api.get("/api/v1/exchange/documents/").status_code == 200
    row = ExchangeClient.objects.get(external_agency=external.agency)
    assert row.last_used_at is not None


def test_an_agency_inside_docflow_cannot_be_registered_as_external(agency_a):
    with pytest.raises(CommandError, match="code"):
        call_command("exchange_client_create", "--code", agency_a.code, "--name", "X", stdout=StringIO())
    agency_a.refresh_from_db()
    assert not agency_a.is_external


def test_signature_verifies_only_fresh_untampered_bodies_with_the_right_secret():
    body = b'{"a": 1}'
    headers = signed_headers(secret="s3cret", body=body, now=1_000_000)
    args = dict(
        message_id=headers["X-Docflow-Id"], timestamp=headers["X-Docflow-Timestamp"],
        signature=headers["X-Docflow-Signature"],
    )
    signature_check(secret="s3cret", body=body, now=1_000_100, **args)
    with pytest.raises(SignatureInvalid, match="cũ"):
        signature_check(secret="s3cret", body=body, now=1_000_301, **args)
    with pytest.raises(SignatureInvalid, match="không đúng"):
        signature_check(secret="s3cret", body=b'{"a": 2}', now=1_000_000, **args)
    with pytest.raises(SignatureInvalid, match="không đúng"):
        signature_check(secret="other", body=body, now=1_000_000, **args)
    with pytest.raises(SignatureInvalid):
        signature_check(secret="s3cret", body=body, now=1_000_000, **{**args, "signature": ""})
