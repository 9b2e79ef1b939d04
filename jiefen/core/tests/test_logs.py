"""A full scenario, then every log it produced is searched for the personal data and secrets it
used: phones, the ID number, the one-time code, the Open311 api_key. None may appear."""

import io
import logging
import re
from datetime import timedelta
from importlib import import_module
from types import SimpleNamespace

import pytest

from jiefen.directory.services import api_token_create

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
PHONE2 = "13987654321"
ID_NUMBER = "330523198001010011"
CODE = "246813"


def _handler_as_configured(settings, stream):
    """A handler with the filters settings.LOGGING puts on the console handler."""
    handler = logging.StreamHandler(stream)
    for name in settings.LOGGING["handlers"]["console"].get("filters", []):
        module, cls = settings.LOGGING["filters"][name]["()"].rsplit(".", 1)
        handler.addFilter(getattr(import_module(module), cls)())
    return handler


def _access_log(tmp_path, path_and_query):
    from gunicorn.config import Config

    from jiefen.core.logscrub import ScrubbingLogger

    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    log = ScrubbingLogger(cfg)
    path, _, query = path_and_query.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path_and_query,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"http://x/portal/?phone={PHONE}",
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    req = SimpleNamespace(headers=[("AUTHORIZATION", "Bearer secret-token")])
    log.access(resp, req, environ, timedelta(seconds=0, microseconds=5))
    for h in log.access_log.handlers:
        h.flush()
    return (tmp_path / "access.log").read_text()


def test_no_phone_id_number_code_or_api_key_in_any_log(
    client, anji, dispatcher, settings, tmp_path, capfd, monkeypatch, django_capture_on_commit_callbacks
):
    # given: everything logged at every level, as the settings configure the handler
    stream = io.StringIO()
    handler = _handler_as_configured(settings, stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    token = api_token_create(staff=dispatcher)
    monkeypatch.setattr("jiefen.portal.services.secrets.randbelow", lambda n: int(CODE))
    try:
        # when: a registration through the API (SMS by the console backend) …
        settings.JIEFEN_SMS_BACKEND = "console"
        with django_capture_on_commit_callbacks(execute=True):
            created = client.post(
                "/api/v1/cases",
                {
                    "channel": "walk_in",
                    "region_code": anji.village.code,
                    "description": "邻居漏水纠纷",
                    "category": "neighbour",
                    "parties": [
                        {"role": "applicant", "name": "王小明", "id_number": ID_NUMBER, "phone": PHONE},
                        {"role": "respondent", "name": "李四", "phone": PHONE2},
                    ],
                },
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
        number, query_code = created.json()["number"], created.json()["query_code"]
        # … tracking in the portal with a one-time code (SMS by the file backend) …
        settings.JIEFEN_SMS_BACKEND = "file"
        settings.JIEFEN_SMS_FILE = str(tmp_path / "sms.log")
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/portal/track/", {"number": number, "query_code": query_code})
        client.post("/portal/track/verify/", {"code": "000000"})
        opened = client.post("/portal/track/verify/", {"code": CODE})
        # … a refused registration and a log line that carries a phone by mistake …
        client.post("/api/v1/cases", {"phone": PHONE}, content_type="application/json")
        logging.getLogger("jiefen.test").warning("caller %s, id %s", PHONE, ID_NUMBER)
        # … and the Open311 list with an api_key, in gunicorn's access log
        client.get(f"/open311/v2/requests.json?api_key={token}&phone={PHONE}")
        access = _access_log(tmp_path, f"/open311/v2/requests.json?api_key={token}&phone={PHONE}")
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    # then
    out, err = capfd.readouterr()
    logs = {
        "console and stderr": out + err,
        "logging": stream.getvalue(),
        "sms file": (tmp_path / "sms.log").read_text(),
        "access log": access,
    }
    assert created.status_code == 201 and opened.status_code == 302
    assert "[sms " in out and "138****5678" in logs["sms file"]
    assert "api_key=***" in access and "138****5678" in logs["logging"]
    for where, text in logs.items():
        for secret in (PHONE, PHONE2, ID_NUMBER, CODE, token, query_code, "secret-token"):
            assert not re.search(re.escape(secret), text), f"{secret} in {where}"
