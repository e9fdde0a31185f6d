"""schemathesis over the whole OpenAPI schema, in-process through the WSGI app: as a member
with every role (Token) and as an external system (Api-Key). No answer is a 500, and every
answer the schema describes matches it."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from docflow.api.tokens import token_issue
from docflow.core.scoping import cross_agency
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.documents.story import issued, sending_office
from tests.exchange.factories import ExternalAgencyFactory, issued_key

pytestmark = pytest.mark.django_db
MAX_EXAMPLES = 8


@pytest.fixture
def callers(db):
    external = ExternalAgencyFactory()
    office = sending_office()
    member = office.clerk
    for role in ("is_leader", "is_staff_member", "is_agency_admin"):
        setattr(member, role, True)
    with cross_agency("system"):
        member.save()
    issued(office, recipients=[external.code])
    # A legacy-unsigned key (the operator's switch): the fuzzer reaches the writes' validation.
    return {"token": token_issue(user=member.user)[1], "api_key": issued_key(agency=external, allow_unsigned=True).key}


def headers_for(case, callers) -> dict[str, str]:
    # The in-process WSGI client does not undo gzip, which the server applies to text answers.
    plain = {"Accept-Encoding": "identity"}
    exchange = case.path.startswith("/api/v1/exchange/") and "webhook-deliveries" not in case.path
    if exchange:
        return {**plain, "Authorization": f"Api-Key {callers['api_key']}"}
    return {**plain, "Authorization": f"Token {callers['token']}"}


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, which must not close the test's connection between requests
    (Django's test client does the same)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_no_operation_answers_500_or_breaks_the_schema(callers, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:
        if operation.path == "/api/v1/auth/logout/":
            continue  # revokes the caller's token for every later operation (tests/api/test_auth_tokens.py)

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(
                headers=headers_for(case, callers),
                checks=[not_a_server_error, response_schema_conformance],
            )

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)


DEEP = "[" * 1000 + "]" * 1000
BAD_CURSORS = ["bnVsbA==", "e30=", "MWUzMDk=", "!!not-base64!!", "eyJkIjoibiIsInYiOlsxZTMwOSwxXX0=",
               "eyJkIjoibiIsInYiOlt7fSx7fV19", "eyJkIjoieCIsInYiOltdfQ=="]


def _json_body(operation) -> bool:
    body = operation.definition.raw.get("requestBody", {})
    return "application/json" in body.get("content", {})


def _hostile_run(operation, callers, change, allowed: set[int]) -> list[str]:
    """One generated case of ``operation``, changed by ``change``; the answers not in ``allowed``."""
    seen: list[str] = []

    @given(case=operation.as_strategy())
    @settings(max_examples=1, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def run(case):
        kwargs = change(case)
        response = case.call(headers={**headers_for(case, callers), **kwargs.pop("headers", {})}, **kwargs)
        if response.status_code not in allowed:
            seen.append(f"{operation.method.upper()} {operation.path}: {response.status_code} {response.text[:300]}")

    run()
    return seen


def test_hostile_input_on_every_operation_is_a_4xx_never_a_500(callers, wsgi_app):
    """JSON nested 1,000 deep and 3 MB of JSON on every JSON operation; a NUL in a query
    parameter and tampered cursors on every operation that takes a query."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    client_errors = {400, 401, 403, 404, 405, 409, 413, 415}
    failures: list[str] = []
    json_operations = [op for op in operations if _json_body(op)]
    assert len(json_operations) > 10
    big = '{"body": "' + "x" * (3 * 1024 * 1024) + '"}'
    for operation in json_operations:
        for body in (DEEP, big):
            failures += _hostile_run(operation, callers, lambda case, body=body: {
                "data": body, "headers": {"Content-Type": "application/json"}}, client_errors)
    for operation in [op for op in operations if op.method.upper() == "GET"]:
        failures += _hostile_run(operation, callers, lambda case: {"params": {"q": "a\x00b", "since": "\x00"}}, {400})
        for cursor in BAD_CURSORS:
            failures += _hostile_run(operation, callers, lambda case, cursor=cursor: {"params": {"cursor": cursor}},
                                     client_errors | {200})
    assert not failures, "\n".join(failures)
