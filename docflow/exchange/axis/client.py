"""An HTTP client for the national exchange axis's operations, as vendors' adapters call them.

Every operation is ``POST <DOCFLOW_AXIS_URL>/<operation>`` carrying our system id and secret
and the service type ``eDoc`` in headers; what an operation is about travels in headers too
(``from``, ``to``, ``messagetype`` edoc or status, ``docid``, ``status``). The axis answers
JSON with ``status`` ``OK`` or ``FAIL`` and ``ErrorCode`` / ``ErrorDesc``:

=====================  ==================================  =====================================
operation              request                             answer
=====================  ==================================  =====================================
getAgenciesList        —                                   ``data``: [{id, code, name, pid, mail}]
sendEdoc               from, to, messagetype; body: edXML   ``DocId``: the axis's message id
getReceivedEdocList    messagetype                          ``data``: [{id, from, to, messageType,
                                                            status, createdTime, contentSha256}]
getEdoc                docid                                ``data``: the package, base64
updateStatus           docid, status (done / fail)          —
=====================  ==================================  =====================================

A timeout bounds every request and no redirect is followed (a 3xx is an answer, never a
place to send our secret). ``AxisUnavailable`` (a ``ConnectionError``: unreachable, timed
out, 5xx, 429, credentials refused, an answer that is not the protocol's) is worth another try
later; ``AxisRefused`` (4xx, or ``FAIL``) is the axis saying no to this request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from docflow.config import AxisConfig

SERVICE_TYPE = "eDoc"
USER_AGENT = "Docflow-Axis/1.0"
RETRYABLE_HTTP = frozenset({401, 403, 408, 425, 429})
DONE, FAIL = "done", "fail"


class AxisUnavailable(ConnectionError):
    """The axis could not take the request now; the same request may succeed later."""


class AxisRefused(Exception):
    """The axis answered and refused this request; sending it again will not change that."""

    def __init__(self, message: str, *, code: str = "") -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class AxisAgency:
    code: str
    name: str
    parent_code: str
    email: str


@dataclass(frozen=True)
class AxisItem:
    """One package waiting for us on the axis (an edoc or a status)."""

    id: str
    sender_code: str
    to_codes: tuple[str, ...]
    message_type: str
    sha256: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


class AxisClient:
    """The axis at ``config.url``; one instance per task run (no state between requests)."""

    def __init__(self, config: AxisConfig) -> None:
        self.config = config

    def agencies(self) -> list[AxisAgency]:
        data = self._call("getAgenciesList").get("data") or []
        return [
            AxisAgency(code=str(a.get("code") or "").strip(), name=str(a.get("name") or "").strip(),
                       parent_code=str(a.get("pid") or "").strip(), email=str(a.get("mail") or "").strip())
            for a in _listed(data)
        ]

    def send(self, *, package: bytes, sender_code: str, to_codes: list[str], message_type: str) -> str:
        """Hand one package to the axis; returns the axis's id for it."""
        answer = self._call(
            "sendEdoc", body=package,
            headers={"from": sender_code, "to": ",".join(to_codes), "messagetype": message_type,
                     "Content-Type": "application/xml; charset=utf-8"},
        )
        remote_id = str(answer.get("DocId") or answer.get("docId") or "").strip()
        if not remote_id:
            raise AxisUnavailable("sendEdoc: the answer carries no DocId")
        return remote_id

    def received(self, *, message_type: str) -> list[AxisItem]:
        data = self._call("getReceivedEdocList", headers={"messagetype": message_type}).get("data") or []
        return [
            AxisItem(
                id=str(item.get("id") or item.get("docId") or "").strip(),
                sender_code=str(item.get("from") or "").strip(),
                to_codes=tuple(c.strip() for c in str(item.get("to") or "").split(",") if c.strip()),
                message_type=str(item.get("messageType") or message_type),
                sha256=str(item.get("contentSha256") or "").strip().lower(),
            )
            for item in _listed(data) if item.get("id") or item.get("docId")
        ]

    def get(self, *, remote_id: str, sha256: str = "") -> bytes:
        """One package's bytes; checked against the SHA-256 the list announced, when it did."""
        data = self._call("getEdoc", headers={"docid": remote_id}).get("data")
        try:
            package = base64.b64decode(str(data or ""), validate=True)
        except (binascii.Error, ValueError):
            raise AxisUnavailable(f"getEdoc {remote_id}: data is not base64") from None
        if not package:
            raise AxisUnavailable(f"getEdoc {remote_id}: empty package")
        if sha256 and hashlib.sha256(package).hexdigest() != sha256:
            raise AxisUnavailable(f"getEdoc {remote_id}: content differs from its SHA-256")
        return package

    def update_status(self, *, remote_id: str, status: str) -> None:
        """Tell the axis we took the package (``done``) or could not (``fail``): it stops listing it."""
        self._call("updateStatus", headers={"docid": remote_id, "status": status})

    # -- one request ------------------------------------------------------------------------

    def _call(self, operation: str, *, body: bytes = b"", headers: dict[str, str] | None = None) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{self.config.url}/{operation}", data=body, method="POST",
            headers={
                "systemid": self.config.system_id, "secret": self.config.secret,
                "servicetype": SERVICE_TYPE, "User-Agent": USER_AGENT, "Accept": "application/json",
                **(headers or {}),
            },
        )
        limit = 4 * settings.DOCFLOW_EXCHANGE_MAX_BODY_BYTES  # base64 of the largest package, with room
        try:
            with _opener.open(request, timeout=self.config.timeout_seconds) as response:
                raw = response.read(limit + 1)
        except urllib.error.HTTPError as exc:
            raise _http_error(operation, exc) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = str(getattr(exc, "reason", exc)) or exc.__class__.__name__
            raise AxisUnavailable(f"{operation}: {reason}"[:500]) from None
        if len(raw) > limit:
            raise AxisRefused(f"{operation}: the answer is larger than {limit} bytes")
        try:
            answer = json.loads(raw)
        except ValueError:
            raise AxisUnavailable(f"{operation}: the answer is not JSON") from None
        if not isinstance(answer, dict):
            raise AxisUnavailable(f"{operation}: the answer is not a JSON object")
        if str(answer.get("status", "")).upper() != "OK":
            code = str(answer.get("ErrorCode") or answer.get("errorCode") or "")
            desc = str(answer.get("ErrorDesc") or answer.get("errorDesc") or "FAIL")
            raise AxisRefused(f"{operation}: {code} {desc}".strip()[:500], code=code)
        return answer


def _http_error(operation: str, exc: urllib.error.HTTPError) -> Exception:
    message = f"{operation}: HTTP {exc.code}"
    if exc.code >= 500 or exc.code in RETRYABLE_HTTP or 300 <= exc.code < 400:
        return AxisUnavailable(message)
    return AxisRefused(message, code=str(exc.code))


def _listed(data: Any) -> list[dict]:
    if not isinstance(data, list):
        raise AxisUnavailable("the answer's data is not a list")
    return [item for item in data if isinstance(item, dict)]


def axis_client() -> AxisClient | None:
    """The configured axis, or None when the connector is off (``DOCFLOW_AXIS_*`` unset)."""
    config = settings.DOCFLOW_AXIS
    return AxisClient(config) if config is not None else None
