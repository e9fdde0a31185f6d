"""The exchange envelope (API.md): the one check of what another agency's system sends.

Plain data in, plain data out: ``envelope_clean`` takes the envelope as JSON gives it (or as
``edxml.edxml_package`` reads it from a package) and returns it in the types the inbound service
takes (dates, integers, bytes of the attachments), or raises ``EnvelopeInvalid`` with every
error under its field (a nested field's under its parent, an attachment's at its place in the
list). The API's envelope serializer (``docflow/api/exchange/envelope.py``) and the axis package
reader (``axis/packages.py``) both call it, so a document sent as JSON, multipart or edXML and a
package polled from the axis are refused for the same things; an XML sender reads the errors
keyed by the MessageHeader elements (``edxml.edxml_error_keys``). The messages are the API's
usual ones for each kind of value.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from docflow.documents.types import DocType, Secrecy, Urgency
from docflow.exchange.identifier import parse_document_identifier
from docflow.tenancy.models import agency_code_validator

MAX_RECIPIENTS = 500
MAX_ATTACHMENTS = 50
MAX_NUMBER = 999_999_999
_MISSING = object()
_DECIMAL_TAIL = re.compile(r"\.0*\s*$")  # "12.0" is 12, as an integer field reads it


class EnvelopeInvalid(Exception):
    """The envelope's errors: ``{field: [message, …]}``, nested as the envelope is."""

    def __init__(self, errors: dict[str, Any]):
        super().__init__(errors)
        self.errors = errors


class _Refused(Exception):
    def __init__(self, detail: Any):
        self.detail = detail


def _text(value: Any, *, max_length: int, blank: bool = False) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Refused([_("Not a valid string.")])
    value = str(value).strip()
    if not value:
        if blank:
            return ""
        raise _Refused([_("This field may not be blank.")])
    if "\x00" in value:
        raise _Refused([_("Null characters are not allowed.")])
    if len(value) > max_length:
        raise _Refused([_("Ensure this field has no more than {max_length} characters.").format(max_length=max_length)])
    return value


def _code(value: Any) -> str:
    value = _text(value, max_length=13)
    try:
        agency_code_validator(value)
    except ValidationError as exc:
        raise _Refused(list(exc.messages)) from None
    return value


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        raise _Refused([_("Expected a date but got a datetime.")])
    if isinstance(value, datetime.date):
        return value
    try:
        parsed = parse_date(value)
    except (ValueError, TypeError):
        parsed = None
    if parsed is None:
        raise _Refused([_("Date has wrong format. Use one of these formats instead: {format}.").format(format="YYYY-MM-DD")])
    return parsed


def _number(value: Any) -> int:
    if isinstance(value, str) and len(value) > 1000:
        raise _Refused([_("String value too large.")])
    try:
        number = int(_DECIMAL_TAIL.sub("", str(value)))
    except (ValueError, TypeError):
        raise _Refused([_("A valid integer is required.")]) from None
    if number < 1:
        raise _Refused([_("Ensure this value is greater than or equal to {min_value}.").format(min_value=1)])
    if number > MAX_NUMBER:
        raise _Refused([_("Ensure this value is less than or equal to {max_value}.").format(max_value=MAX_NUMBER)])
    return number


def _choice(choices: type) -> Callable[[Any], str]:
    values = {str(value): value for value in choices.values}

    def check(value: Any) -> str:
        try:
            return values[str(value)]
        except KeyError:
            raise _Refused([_('"{input}" is not a valid choice.').format(input=value)]) from None

    return check


def _list(value: Any) -> list:
    if isinstance(value, str | Mapping) or not hasattr(value, "__iter__"):
        raise _Refused([_('Expected a list of items but got type "{input_type}".').format(
            input_type=type(value).__name__)])
    return list(value)


def _fields(data: Any, spec: dict[str, tuple]) -> dict[str, Any]:
    """Each field of ``spec`` (name → (check, default; _MISSING when required, nullable)) checked;
    every error gathered under its name."""
    if not isinstance(data, Mapping):
        raise _Refused({"non_field_errors": [_("Invalid data. Expected a dictionary, but got {datatype}.").format(
            datatype=type(data).__name__)]})
    out, errors = {}, {}
    for name, (check, default, nullable) in spec.items():
        value = data.get(name, _MISSING)
        try:
            if value is _MISSING:
                if default is _MISSING:
                    raise _Refused([_("This field is required.")])
                out[name] = default() if callable(default) else default
            elif value is None:
                if not nullable:
                    raise _Refused([_("This field may not be null.")])
                out[name] = None
            else:
                out[name] = check(value)
        except _Refused as refused:
            errors[name] = refused.detail
    if errors:
        raise _Refused(errors)
    return out


def _signer(value: Any) -> dict[str, str]:
    return _fields(value, {
        "full_name": (lambda v: _text(v, max_length=150), _MISSING, False),
        "position": (lambda v: _text(v, max_length=120, blank=True), "", False),
        "competence": (lambda v: _text(v, max_length=120, blank=True), "", False),
    })


def _reply_document_id(value: Any) -> str | None:
    """Our document's id, or its axis identifier (OrganId,yyyy/MM/dd,number/notation)."""
    value = _text(value, max_length=200, blank=True)
    if not value:
        return None
    try:
        return str(UUID(value))
    except ValueError:
        pass
    try:
        parse_document_identifier(value)
    except ValueError:
        raise _Refused([_("Phải là mã văn bản (UUID) hoặc mã định danh OrganId,yyyy/MM/dd,số/ký hiệu.")]) from None
    return value


def _reply_to(value: Any) -> dict[str, Any]:
    return _fields(value, {
        "sender_code": (_code, _MISSING, False),
        "notation": (lambda v: _text(v, max_length=80), _MISSING, False),
        "issued_at": (_date, None, True),
        "document_id": (_reply_document_id, None, True),
    })


def _content(value: Any) -> bytes:
    value = _text(value, max_length=10**9)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _Refused([_("Nội dung base64 không hợp lệ.")]) from None


def _attachment(value: Any) -> dict[str, Any]:
    return _fields(value, {
        "name": (lambda v: _text(v, max_length=255), _MISSING, False),
        "content_type": (lambda v: _text(v, max_length=120), "application/octet-stream", False),
        "content_base64": (_content, _MISSING, False),
    })


def _recipients(value: Any) -> list[str]:
    codes = _list(value)
    if not codes:
        raise _Refused([_("This list may not be empty.")])
    if len(codes) > MAX_RECIPIENTS:
        raise _Refused([_("Ensure this field has no more than {max_length} elements.").format(max_length=MAX_RECIPIENTS)])
    errors = {}
    for i, code in enumerate(codes):
        try:
            if code is None:
                raise _Refused([_("This field may not be null.")])
            codes[i] = _code(code)
        except _Refused as refused:
            errors[str(i)] = refused.detail
    if errors:
        raise _Refused(errors)
    return list(dict.fromkeys(codes))  # a code listed twice is one recipient


def _attachments(value: Any) -> list[dict[str, Any]]:
    items = _list(value)
    found, errors = [], []
    for item in items:
        try:
            found.append(_attachment(item))
            errors.append({})
        except _Refused as refused:
            errors.append(refused.detail)
    if any(errors):
        raise _Refused(errors)
    if len(found) > MAX_ATTACHMENTS:
        raise _Refused([_("Tối đa %(n)s tệp đính kèm.") % {"n": MAX_ATTACHMENTS}])
    return found


def _secrecy(value: Any) -> str:
    if _choice(Secrecy)(value) != Secrecy.NORMAL:
        raise _Refused([_("Văn bản mật chỉ được gửi bằng giấy, không gửi qua liên thông điện tử.")])
    return Secrecy.NORMAL


ENVELOPE = {
    "sender_code": (_code, _MISSING, False),
    "recipients": (_recipients, _MISSING, False),
    "number": (_number, None, True),
    "notation": (lambda v: _text(v, max_length=80), _MISSING, False),
    "issued_at": (_date, _MISSING, False),
    "place": (lambda v: _text(v, max_length=120, blank=True), "", False),
    "doc_type": (_choice(DocType), _MISSING, False),
    "subject": (lambda v: _text(v, max_length=500), _MISSING, False),
    "content": (lambda v: _text(v, max_length=100_000, blank=True), "", False),
    "urgency": (_choice(Urgency), Urgency.NORMAL, False),
    "secrecy": (_secrecy, Secrecy.NORMAL, False),
    "signer": (_signer, _MISSING, False),
    "due_date": (_date, None, True),
    "reply_to": (_reply_to, None, True),
    "attachments": (_attachments, list, False),
}


def envelope_clean(data: Any) -> dict[str, Any]:
    """The envelope checked, in the inbound service's types; ``EnvelopeInvalid`` otherwise."""
    try:
        return _fields(data, ENVELOPE)
    except _Refused as refused:
        raise EnvelopeInvalid(refused.detail) from None
