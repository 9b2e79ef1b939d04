import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from jiefen.notifications.gateways import FileGateway, GatewayError, HttpGateway, get_gateway


class Recorder(BaseHTTPRequestHandler):
    status = 200
    seen: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Recorder.seen.append((dict(self.headers), json.loads(body)))
        self.send_response(Recorder.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "gw-1"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Recorder.seen, Recorder.status = [], 200
    httpd = HTTPServer(("127.0.0.1", 0), Recorder)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield httpd
    httpd.shutdown()


def test_http_gateway_posts_with_key_and_idempotency_key(server):
    # given
    gw = HttpGateway(f"http://127.0.0.1:{server.server_port}/sms", "secret")
    # when
    provider_id = gw.send(phone="13812345678", text="你好", key="jiefen-k1")
    # then
    headers, body = Recorder.seen[0]
    assert provider_id == "gw-1"
    assert headers["Authorization"] == "Bearer secret" and headers["Idempotency-Key"] == "jiefen-k1"
    assert body == {"to": "13812345678", "text": "你好", "id": "jiefen-k1"}


@pytest.mark.parametrize(("status", "permanent"), [(500, False), (429, False), (400, True)])
def test_http_gateway_errors_say_whether_to_retry(server, status, permanent):
    # given
    Recorder.status = status
    gw = HttpGateway(f"http://127.0.0.1:{server.server_port}/sms", "secret")
    # when
    with pytest.raises(GatewayError) as exc:
        gw.send(phone="13812345678", text="x", key="k")
    # then
    assert exc.value.permanent is permanent


def test_unreachable_gateway_is_retried():
    # given
    gw = HttpGateway("http://127.0.0.1:9/sms", "k", timeout=1)
    # when / then
    with pytest.raises(GatewayError) as exc:
        gw.send(phone="13812345678", text="x", key="k")
    assert exc.value.permanent is False


def test_backend_is_chosen_by_settings(settings, tmp_path):
    # given
    settings.JIEFEN_SMS_BACKEND = "file"
    settings.JIEFEN_SMS_FILE = str(tmp_path / "s.log")
    # when
    gw = get_gateway()
    gw.send(phone="1", text="t", key="k")
    # then
    assert isinstance(gw, FileGateway)
    assert json.loads((tmp_path / "s.log").read_text())["key"] == "k"
    settings.JIEFEN_SMS_BACKEND = "http"
    settings.JIEFEN_SMS_HTTP_URL = ""
    with pytest.raises(GatewayError):
        get_gateway()
