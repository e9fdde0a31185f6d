"""A stand-in for the national exchange axis, as a real HTTP server on 127.0.0.1.

It answers the operations as the public adapters call them (``POST <base>/<operation>``,
system id and secret in headers, JSON answers with ``status`` OK/FAIL): getAgenciesList,
sendEdoc, getReceivedEdocList, getEdoc, updateStatus. A package sent to one of Docflow's
agencies waits in the list until Docflow says ``done`` or ``fail``. It can refuse the next N
requests with 503 (``fail_next``), refuse one operation's (``fail_operation``), and be down:
``stop()`` closes the port, ``start()`` opens the same one again.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SYSTEM_ID = "000.00.00.H52"
SECRET = "bi-mat-thu-nghiem-cua-truc"


class _Server(ThreadingHTTPServer):
    allow_reuse_address = True  # down, then up again on the same port
    daemon_threads = True


@dataclass
class Package:
    id: str
    sender_code: str
    to_codes: list[str]
    message_type: str
    content: bytes
    status: str = "initial"  # initial → done | fail, as Docflow reports it


@dataclass
class Standin:
    agencies: list[dict] = field(default_factory=list)
    sent: list[Package] = field(default_factory=list)  # what Docflow sent through the axis
    waiting: list[Package] = field(default_factory=list)  # what the axis holds for Docflow
    requests: list[tuple[str, dict]] = field(default_factory=list)
    fail_next: int = 0
    fail_operation: dict[str, int] = field(default_factory=dict)  # operation → how many to refuse
    refuse_send: str = ""  # an ErrorDesc: sendEdoc answers FAIL with it
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _ids = itertools.count(1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/XrdAdapter/adapter"

    # -- what the other side of the axis does ------------------------------------------------

    def deliver(self, content: bytes, *, sender_code: str, to_codes: list[str], message_type: str = "edoc") -> Package:
        """Another vendor's system sent ``content`` to our agencies: it waits for Docflow's poll."""
        package = Package(id=f"axis-{next(self._ids):06d}", sender_code=sender_code, to_codes=to_codes,
                          message_type=message_type, content=content)
        with self.lock:
            self.waiting.append(package)
        return package

    def sent_of(self, message_type: str) -> list[Package]:
        return [p for p in self.sent if p.message_type == message_type]

    def operations(self) -> list[str]:
        return [operation for operation, _ in self.requests]

    # -- the HTTP side ---------------------------------------------------------------------------

    def answer(self, operation: str, headers, body: bytes) -> tuple[int, dict]:
        with self.lock:
            self.requests.append((operation, {k.lower(): v for k, v in headers.items()}))
            if self.fail_next:
                self.fail_next -= 1
                return 503, {"status": "FAIL", "ErrorDesc": "Service Unavailable"}
            if self.fail_operation.get(operation):
                self.fail_operation[operation] -= 1
                return 503, {"status": "FAIL", "ErrorDesc": "Service Unavailable"}
            if headers.get("systemid") != SYSTEM_ID or headers.get("secret") != SECRET:
                return 401, {"status": "FAIL", "ErrorCode": "401", "ErrorDesc": "Unauthorized"}
            if headers.get("servicetype") != "eDoc":
                return 200, {"status": "FAIL", "ErrorCode": "-1", "ErrorDesc": "servicetype"}
            handler = getattr(self, f"_op_{operation}", None)
            if handler is None:
                return 404, {"status": "FAIL", "ErrorDesc": "Not Found"}
            return handler(headers, body)

    def _op_getAgenciesList(self, headers, body):  # noqa: N802
        return 200, {"status": "OK", "ErrorCode": "0", "ErrorDesc": "", "data": self.agencies}

    def _op_sendEdoc(self, headers, body):  # noqa: N802
        if self.refuse_send:
            return 200, {"status": "FAIL", "ErrorCode": "-1", "ErrorDesc": self.refuse_send}
        if headers.get("messagetype") not in ("edoc", "status") or not headers.get("from") or not body:
            return 200, {"status": "FAIL", "ErrorCode": "-1", "ErrorDesc": "from, messagetype and a package"}
        package = Package(id=f"axis-{next(self._ids):06d}", sender_code=headers["from"],
                          to_codes=[c for c in headers.get("to", "").split(",") if c],
                          message_type=headers["messagetype"], content=body)
        self.sent.append(package)
        return 200, {"status": "OK", "ErrorCode": "0", "ErrorDesc": "", "DocId": package.id}

    def _op_getReceivedEdocList(self, headers, body):  # noqa: N802
        kind = headers.get("messagetype")
        return 200, {"status": "OK", "ErrorCode": "0", "ErrorDesc": "", "data": [
            {"id": p.id, "from": p.sender_code, "to": ",".join(p.to_codes), "serviceType": "eDoc",
             "messageType": p.message_type, "status": p.status, "createdTime": "2026/03/05 08:00:00",
             "contentLength": len(p.content), "contentSha256": hashlib.sha256(p.content).hexdigest()}
            for p in self.waiting if p.message_type == kind and p.status == "initial"
        ]}

    def _op_getEdoc(self, headers, body):  # noqa: N802
        package = self._find(headers.get("docid"))
        if package is None:
            return 200, {"status": "FAIL", "ErrorCode": "-1", "ErrorDesc": "docId not found"}
        return 200, {"status": "OK", "ErrorCode": "0", "ErrorDesc": "",
                     "data": base64.b64encode(package.content).decode()}

    def _op_updateStatus(self, headers, body):  # noqa: N802
        package = self._find(headers.get("docid"))
        if package is None or headers.get("status") not in ("done", "fail"):
            return 200, {"status": "FAIL", "ErrorCode": "-1", "ErrorDesc": "docid, status done|fail"}
        package.status = headers["status"]
        return 200, {"status": "OK", "ErrorCode": "0", "ErrorDesc": ""}

    def _find(self, remote_id: str | None) -> Package | None:
        return next((p for p in self.waiting if p.id == remote_id), None)

    # -- up and down -----------------------------------------------------------------------------

    def start(self) -> None:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                operation = self.path.rstrip("/").rsplit("/", 1)[-1]
                status, payload = standin.answer(operation, self.headers, body)
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self._server = _Server(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
