"""schemathesis over the whole OpenAPI schema, in-process through the WSGI app: as a member
with every role (Token) and as an external system (Api-Key). No answer is a 500, and every
answer the schema describes matches it."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, given, settings
from docflow.api.tokens import token_issue
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
    with scopes_disabled():
        member.save()
    issued(office, recipients=[external.code])
    return {"token": token_issue(user=member.user)[1], "api_key": issued_key(agency=external).key}


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
