"""The axis client's answers as errors worth retrying or not, and the directory sync."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from docflow.config import AxisConfig
from docflow.exchange.axis.client import AxisClient, AxisRefused, AxisUnavailable
from docflow.exchange.axis.services import axis_directory_sync
from docflow.tenancy.models import Agency
from tests.exchange.axis_standin import SYSTEM_ID, Standin
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_wrong_credentials_are_refused_by_the_axis_and_worth_retrying_once_fixed(axis):
    client = AxisClient(AxisConfig(url=axis.url, system_id=SYSTEM_ID, secret="sai", timeout_seconds=5))
    with pytest.raises(AxisUnavailable, match="HTTP 401"):
        client.agencies()


def test_every_request_carries_the_system_id_secret_and_service_type(axis):
    from docflow.exchange.axis.client import axis_client

    axis_client().received(message_type="status")
    [(operation, headers)] = axis.requests
    assert operation == "getReceivedEdocList"
    assert (headers["systemid"], headers["servicetype"], headers["messagetype"]) == (SYSTEM_ID, "eDoc", "status")


def test_an_axis_that_is_down_is_unavailable_not_an_error_of_the_package():
    standin = Standin()
    standin.start()
    url = standin.url
    standin.stop()
    with pytest.raises(AxisUnavailable):
        AxisClient(AxisConfig(url=url, system_id="x", secret="y", timeout_seconds=2)).agencies()


def _answering(status: int, body: bytes, headers: dict | None = None):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, AxisClient(AxisConfig(url=f"http://127.0.0.1:{server.server_address[1]}/adapter",
                                         system_id="x", secret="y", timeout_seconds=2))


@pytest.mark.parametrize(("status", "body", "headers", "error"), [
    (302, b"", {"Location": "http://127.0.0.2:9/steal"}, AxisUnavailable),  # never followed
    (200, b"<html>proxy error</html>", {}, AxisUnavailable),
    (200, b'{"status": "FAIL", "ErrorCode": "-1", "ErrorDesc": "docId not found"}', {}, AxisRefused),
    (400, b"{}", {}, AxisRefused),
    (502, b"", {}, AxisUnavailable),
    (200, b'{"status": "OK", "data": "not a list"}', {}, AxisUnavailable),
])
def test_each_kind_of_answer_is_retried_or_refused(status, body, headers, error):
    server, client = _answering(status, body, headers)
    try:
        with pytest.raises(error):
            client.agencies()
    finally:
        server.shutdown()
        server.server_close()


def test_the_axis_directory_becomes_our_external_agencies_once(axis):
    ours = AgencyFactory(code="000.00.31.H52", name="Ủy ban nhân dân tỉnh Sơn La")
    axis.agencies = [
        {"id": "1", "code": "000.00.12.H52", "name": "Sở Tài chính tỉnh Sơn La", "pid": "000.00.00.H52", "mail": ""},
        {"id": "2", "code": "000.00.13.H52", "name": "Sở Xây dựng tỉnh Sơn La", "pid": "", "mail": ""},
        {"id": "3", "code": ours.code, "name": "Tên khác", "pid": "", "mail": ""},  # ours: left alone
        {"id": "4", "code": "khong-hop-le", "name": "Mã sai", "pid": "", "mail": ""},
    ]
    first = axis_directory_sync()
    assert (first.created, first.renamed, first.skipped) == (2, 0, 2)
    assert Agency.objects.get(code="000.00.12.H52").is_external
    ours.refresh_from_db()
    assert ours.name == "Ủy ban nhân dân tỉnh Sơn La" and not ours.is_external

    axis.agencies[1]["name"] = "Sở Xây dựng tỉnh Sơn La (mới)"
    again = axis_directory_sync()
    assert (again.created, again.renamed) == (0, 1)
    assert Agency.objects.filter(code__in=["000.00.12.H52", "000.00.13.H52"]).count() == 2
    assert Agency.objects.get(code="000.00.13.H52").name.endswith("(mới)")


def test_without_the_connector_the_directory_sync_does_nothing(settings):
    settings.DOCFLOW_AXIS = None
    assert axis_directory_sync().created == 0
