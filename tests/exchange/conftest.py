"""The exchange's stage: our communes with their people, and an external system on 127.0.0.1
that receives our webhooks and checks their signatures the way docs/EXCHANGE.md tells it to."""

from __future__ import annotations

import io
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from reportlab.pdfgen import canvas
from rest_framework.test import APIClient

from docflow.exchange.signing import SignatureInvalid, signature_check
from docflow.tenancy.models import AgencyLevel
from tests.exchange.factories import ExternalAgencyFactory, SigningAPIClient, issued_key
from tests.factories import AgencyFactory, MembershipFactory


def small_pdf(text: str = "Van ban thu nghiem") -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


@dataclass
class Commune:
    agency: object
    clerk: object
    leader: object
    staff: object


def commune(name: str) -> Commune:
    agency = AgencyFactory(name=f"Ủy ban nhân dân xã {name}", level=AgencyLevel.COMMUNE)
    return Commune(
        agency=agency,
        clerk=MembershipFactory(agency=agency, clerk=True),
        leader=MembershipFactory(agency=agency, leader=True),
        staff=MembershipFactory(agency=agency, staff=True),
    )


@pytest.fixture(autouse=True)
def _rates_out_of_the_way(settings):
    """Tests send hundreds of requests a minute; the rate limits are tested on their own."""
    settings.DOCFLOW_EXCHANGE_RATE = settings.DOCFLOW_EXCHANGE_WRITE_RATE = "100000/min"


@pytest.fixture(autouse=True)
def _feeds_without_settling(settings):
    """Tests pull right after writing; the settle window is tested on its own."""
    settings.DOCFLOW_EXCHANGE_FEED_SETTLE_SECONDS = 0


@pytest.fixture
def communes(db):
    return commune("Phiêng Ban"), commune("Song Pe")


@dataclass
class ExternalSystem:
    """What a receiving system does: verify, refuse replays, keep what it accepted."""

    secret: str = ""
    url: str = ""
    accepted: list[dict] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    fail_next: int = 0
    seen_ids: set[str] = field(default_factory=set)
    raw: list[tuple[dict, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def receive(self, headers, body: bytes) -> int:
        with self.lock:
            self.raw.append(({k: headers.get(k, "") for k in (
                "X-Docflow-Id", "X-Docflow-Timestamp", "X-Docflow-Signature")}, body))
            if self.fail_next:
                self.fail_next -= 1
                return 503
            message_id = headers.get("X-Docflow-Id", "")
            try:
                signature_check(
                    secret=self.secret, message_id=message_id,
                    timestamp=headers.get("X-Docflow-Timestamp", ""),
                    signature=headers.get("X-Docflow-Signature", ""), body=body,
                )
            except SignatureInvalid as exc:
                self.refused.append(str(exc))
                return 401
            if message_id in self.seen_ids:
                self.refused.append("replay")
                return 409
            self.seen_ids.add(message_id)
            self.accepted.append(json.loads(body))
            return 204

    def statuses(self) -> list[tuple[str, str]]:
        return [(m["status"]["recipient_code"], m["status"]["status_code"])
                for m in self.accepted if m["event"] == "status"]


@pytest.fixture
def external_server():
    system = ExternalSystem()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(system.receive(self.headers, body))
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    system.url = f"http://127.0.0.1:{server.server_address[1]}/docflow-webhook"
    try:
        yield system
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class ExternalClient:
    agency: object
    key: str
    secret: str
    api: APIClient


@pytest.fixture
def external(db, external_server):
    """The provincial Department of Home Affairs, on another product, with a webhook."""
    agency = ExternalAgencyFactory(name="Sở Nội vụ tỉnh Sơn La")
    issued = issued_key(agency=agency, webhook_url=external_server.url)
    external_server.secret = issued.signing_secret
    api = SigningAPIClient(key=issued.key, secret=issued.signing_secret)
    return ExternalClient(agency=agency, key=issued.key, secret=issued.signing_secret, api=api)


def envelope(sender_code: str, recipients: list[str], **overrides) -> dict:
    data = {
        "sender_code": sender_code, "recipients": recipients, "number": 12,
        "notation": "12/SNV-VP", "issued_at": "2026-03-05", "place": "Sơn La",
        "doc_type": "cong_van", "subject": "Về việc rà soát biên chế năm 2026",
        "content": "Đề nghị UBND các xã rà soát.", "urgency": "urgent",
        "signer": {"full_name": "Cầm Văn Xuân", "position": "Phó Giám đốc", "competence": "KT. GIÁM ĐỐC"},
        "due_date": "2026-03-20",
    }
    data.update(overrides)
    return data


def now() -> int:
    return int(time.time())
