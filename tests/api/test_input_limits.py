"""Bad input is a 400 naming where it was, never a 500 (issue #19): deep and oversized JSON,
tampered cursors, NUL bytes in parameters, headers and JSON strings."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from tests.documents.story import draft, sending_office

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000


def cursor(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode() if not isinstance(value, bytes) else value).decode()


def test_drafter_posting_json_nested_a_thousand_deep_gets_400_naming_body(client_for):
    office = sending_office()
    response = client_for(office.staff).post("/api/v1/outgoing/", DEEP, content_type="application/json")
    assert response.status_code == 400 and list(response.json()) == ["body"], response.content


def test_deep_json_inside_an_object_is_refused_too(client_for):
    office = sending_office()
    body = '{"subject": ' + "{" * 200 + '"a": 1' + "}" * 200 + "}"
    response = client_for(office.staff).post("/api/v1/outgoing/", body, content_type="application/json")
    assert response.status_code == 400 and list(response.json()) == ["body"]


def test_a_25_mb_json_body_is_refused_with_413_without_being_read_whole(client_for):
    office = sending_office()
    body = json.dumps({"subject": "Kế hoạch", "body": "x" * (25 * 1024 * 1024)})
    response = client_for(office.staff).post("/api/v1/outgoing/", body, content_type="application/json")
    assert response.status_code == 413 and list(response.json()) == ["body"]


def test_brackets_inside_strings_do_not_count_as_depth(client_for):
    from docflow.api.parsers import json_depth

    assert json_depth(b'{"a": "[[[[[[[[{{{{\\"]]]", "b": [[1]]}') == 3


@pytest.mark.parametrize("raw", [b"null", b"{}", b"1e309", b"[]", b'{"d": "n"}', b'{"d": "n", "v": null}',
                                 b'{"d": "n", "v": [1e309, 1]}', b'{"d": "n", "v": [{}, {}]}',
                                 b'{"d": "n", "v": [null, null]}', b'{"d": "x", "v": []}',
                                 b'{"d": "n", "v": [{"dt": "hom qua"}, {"u": "x"}]}',
                                 b'{"d": "n", "v": ["2026-01-01", "khong-phai-uuid"]}'])
def test_a_tampered_cursor_is_400_naming_cursor(client_for, raw):
    office = sending_office()
    draft(office)
    response = client_for(office.staff).get("/api/v1/outgoing/", {"cursor": cursor(raw)})
    assert response.status_code == 400 and list(response.json()) == ["cursor"], response.content


@pytest.mark.parametrize("garbage", ["!!!", "%%%", "a" * 7, "8J-Ygw"])
def test_a_cursor_that_is_not_base64_json_is_400_naming_cursor(client_for, garbage):
    office = sending_office()
    response = client_for(office.staff).get("/api/v1/outgoing/", {"cursor": garbage})
    assert response.status_code == 400 and list(response.json()) == ["cursor"]


def test_a_genuine_cursor_still_walks_the_pages(client_for):
    office = sending_office()
    for _ in range(3):
        draft(office)
    client = client_for(office.staff)
    first = client.get("/api/v1/outgoing/", {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1


@pytest.mark.parametrize("params, where", [
    ({"q": "công\x00văn"}, "q"), ({"status\x00": "draft"}, "status"), ({"cursor": "\x00"}, "cursor"),
])
def test_a_nul_byte_in_a_query_parameter_is_400_naming_it(client_for, params, where):
    office = sending_office()
    response = client_for(office.staff).get("/api/v1/outgoing/", params)
    assert response.status_code == 400 and list(response.json()) == [where]


def test_a_nul_byte_in_a_header_or_a_web_form_field_is_400_naming_it():
    client = Client()
    response = client.get("/api/v1/outgoing/", HTTP_AUTHORIZATION="Token abc\x00def")
    assert response.status_code == 400 and list(response.json()) == ["Authorization"]
    response = client.post("/dang-nhap/", "username=van%00thu&password=x",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and list(response.json()) == ["username"]
    response = client.post("/dang-nhap/", {"username": "van\x00thu", "password": "x"})  # multipart
    assert response.status_code == 200  # the form field's own validator: the page again, no 500


def test_a_nul_in_a_json_string_is_400_naming_body(client_for):
    office = sending_office()
    response = client_for(office.staff).post("/api/v1/outgoing/", {"subject": "Kế\u0000hoạch"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["body"]


@pytest.mark.postgres
def test_on_postgresql_a_nul_in_a_search_parameter_never_reaches_a_query(client_for):
    office = sending_office()
    draft(office)
    for url in ("/api/v1/outgoing/", "/api/v1/incoming/", "/api/v1/search/"):
        response = client_for(office.staff).get(url, {"q": "a\x00b"})
        assert response.status_code == 400, (url, response.status_code)
