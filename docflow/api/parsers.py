"""The API's JSON parser: bounded in size and depth, no NUL in any string; 400/413 naming ``body``.

DRF's own parser reads ``request`` as a stream, which Django does not bound: only
``request.body`` checks ``DATA_UPLOAD_MAX_MEMORY_SIZE``, so a 25 MB JSON body was read whole
whatever the setting. This parser reads at most ``DOCFLOW_MAX_JSON_BYTES`` + 1 bytes and
answers 413 past them. Python's decoder recurses per nesting level (deep input is a
RecursionError, a 500), so the depth is counted first, without recursion, and held to
``DOCFLOW_MAX_JSON_DEPTH``. PostgreSQL refuses NUL in text, so a string holding one is a 400
here instead of a database error later.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_DEPTH = 64
# Brackets outside strings: a string is skipped whole (escapes included) by the first branch.
TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "body_too_large"

    def __init__(self, limit: int):
        super().__init__({"body": [_("Nội dung JSON vượt quá %(kb)s KB.") % {"kb": limit // 1024}]})


def max_json_bytes() -> int:
    return getattr(settings, "DOCFLOW_MAX_JSON_BYTES", DEFAULT_MAX_BYTES)


def max_json_depth() -> int:
    return getattr(settings, "DOCFLOW_MAX_JSON_DEPTH", DEFAULT_MAX_DEPTH)


def body_error(message: str, field: str = "body") -> exceptions.ValidationError:
    return exceptions.ValidationError({field: [message]})


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in ``raw`` (strings skipped), iteratively."""
    depth = deepest = 0
    for match in TOKENS.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def json_loads_bounded(raw: bytes | str, *, field: str = "body", max_depth: int | None = None):
    """``raw`` parsed, or a 400 on ``field``: not JSON, nested deeper than the limit, or a NUL
    (``\\u0000`` or a raw one) in any string or key."""
    data = raw.encode() if isinstance(raw, str) else raw
    limit = max_json_depth() if max_depth is None else max_depth
    if json_depth(data) > limit:
        raise body_error(_("JSON lồng nhau quá %(n)s tầng.") % {"n": limit}, field)
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise body_error(_("JSON không hợp lệ."), field) from None
    if _holds_nul(value):
        raise body_error(_("Chuỗi không được chứa ký tự NUL."), field)
    return value


def _holds_nul(value) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def stream_read_bounded(stream, limit: int) -> bytes:
    """At most ``limit`` bytes of ``stream``; 413 on ``body`` when there are more."""
    if stream is None:
        return b""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise BodyTooLarge(limit)
    return data


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the size, depth and NUL bounds above (the default parser)."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream_read_bounded(stream, max_json_bytes())
        if not raw.strip():
            raise exceptions.ParseError(_("JSON không hợp lệ."))
        return json_loads_bounded(raw)
