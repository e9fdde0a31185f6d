"""Keyset (cursor) pagination on a composite, unique ordering.

DRF's CursorPagination positions on the first ordering field only; lists here sort on
(time, id) so a deep page costs the same index range scan as the first.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import FieldDoesNotExist, ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


def _encode_value(value):
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, UUID):
        return {"u": str(value)}
    return value


def _decode_value(value):
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.fromisoformat(value["dt"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        if "u" in value:
            return UUID(value["u"])
    return value


def _bad_cursor() -> ValidationError:
    return ValidationError({"cursor": [_("Con trỏ trang không hợp lệ.")]})


def _cursor_value(model, path: str, value):
    """``value`` as the ordering field at ``path`` holds it; 400 on ``cursor`` when it cannot be
    (a tampered cursor: null, a dict, an infinite number, text for a date)."""
    if value is None or isinstance(value, (dict, list)) or (isinstance(value, float) and not math.isfinite(value)):
        raise _bad_cursor()
    try:
        field = None
        for part in path.split("__"):
            field = model._meta.get_field(part)
            model = field.related_model or model
    except FieldDoesNotExist:  # an annotation: its type is the database's to check
        return value
    if field.is_relation:
        field = field.target_field
    try:
        return field.get_prep_value(field.to_python(value))
    except (DjangoValidationError, ValueError, TypeError, OverflowError):
        raise _bad_cursor() from None


def _resolve(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


def keyset_filter(ordering: tuple[str, ...], values: list, *, reverse: bool) -> Q:
    """Rows strictly after (or before, when ``reverse``) ``values`` in ``ordering``."""
    condition = Q()
    for i, field in enumerate(ordering):
        name = field.lstrip("-")
        descending = field.startswith("-") != reverse
        lookup = "lt" if descending else "gt"
        term = Q(**{f"{name}__{lookup}": values[i]})
        for prev_field, prev_value in zip(ordering[:i], values[:i]):
            term &= Q(**{prev_field.lstrip("-"): prev_value})
        condition |= term
    if len(ordering) > 1:
        # The same rows, plus a plain bound on the first field: PostgreSQL cannot start an index
        # scan from an OR, but can from this, so a deep page reads as few rows as the first.
        first = ordering[0]
        descending = first.startswith("-") != reverse
        condition = Q(**{f"{first.lstrip('-')}__{'lte' if descending else 'gte'}": values[0]}) & condition
    return condition


class CursorPagination(BasePagination):
    """``{"next", "previous", "results"}`` with opaque cursors; ordering must be unique."""

    page_size = 50
    max_page_size = 200
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    default_ordering: tuple[str, ...] = ("-created_at", "-id")

    def get_ordering(self, view) -> tuple[str, ...]:
        return tuple(getattr(view, "cursor_ordering", None) or self.default_ordering)

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            return max(1, min(int(raw), self.max_page_size))
        except ValueError:
            return self.page_size

    def decode_cursor(self, request):
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode()).decode())
            direction, values = data["d"], [_decode_value(v) for v in data["v"]]
        except (ValueError, KeyError, TypeError, binascii.Error, RecursionError):
            raise _bad_cursor() from None
        if direction not in ("n", "p") or not isinstance(values, list):
            raise _bad_cursor()
        return direction, values

    def encode_cursor(self, direction: str, obj, ordering) -> str:
        values = [_encode_value(_resolve(obj, f.lstrip("-"))) for f in ordering]
        raw = json.dumps({"d": direction, "v": values}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode()

    def paginate_queryset(self, queryset: QuerySet, request, view=None):
        self.request = request
        self.ordering = ordering = self.get_ordering(view)
        self.page_size = size = self.get_page_size(request)
        cursor = self.decode_cursor(request)
        direction = "n"
        if cursor is not None:
            direction, values = cursor
            if len(values) != len(ordering):
                raise _bad_cursor()
            values = [_cursor_value(queryset.model, f.lstrip("-"), v) for f, v in zip(ordering, values)]
            queryset = queryset.filter(keyset_filter(ordering, values, reverse=direction == "p"))
        if direction == "p":
            reversed_ordering = [f[1:] if f.startswith("-") else f"-{f}" for f in ordering]
            rows = list(queryset.order_by(*reversed_ordering)[: size + 1])
            has_more = len(rows) > size
            rows = list(reversed(rows[:size]))
            self.has_next, self.has_previous = True, has_more
        else:
            rows = list(queryset.order_by(*ordering)[: size + 1])
            has_more = len(rows) > size
            rows = rows[:size]
            self.has_next, self.has_previous = has_more, cursor is not None
        self.rows = rows
        return rows

    def _link(self, direction: str, obj) -> str | None:
        url = self.request.build_absolute_uri()
        if obj is None:
            return None
        return replace_query_param(url, self.cursor_query_param, self.encode_cursor(direction, obj, self.ordering))

    def get_next_link(self) -> str | None:
        if not self.has_next or not self.rows:
            return None
        return self._link("n", self.rows[-1])

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        if not self.rows:
            return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        return self._link("p", self.rows[0])

    def get_paginated_response(self, data) -> Response:
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }
