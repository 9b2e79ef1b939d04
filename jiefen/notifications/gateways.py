"""SMS gateways behind one small interface: `send(phone, text, key) -> provider id`.

`console` (the embedded default) writes to standard output, `file` appends JSON lines to a
file (used by tests and demos to read what was sent), `http` posts to a real gateway at a URL
with a key. `key` is the message's idempotency key: a gateway that honours it never delivers
one message twice, even if our bookkeeping after the send fails.
"""

from __future__ import annotations

import fcntl
import json
import sys
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings


class GatewayError(Exception):
    """The gateway did not take the message; `permanent` means retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class SmsGateway(Protocol):
    def send(self, *, phone: str, text: str, key: str) -> str: ...


class ConsoleGateway:
    def send(self, *, phone: str, text: str, key: str) -> str:
        sys.stdout.write(f"[sms to {phone}] {text}\n")
        sys.stdout.flush()
        return f"console:{key}"


class FileGateway:
    def __init__(self, path: str):
        self.path = path

    def send(self, *, phone: str, text: str, key: str) -> str:
        line = json.dumps({"to": phone, "text": text, "key": key}, ensure_ascii=False)
        with open(self.path, "a", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            fh.write(line + "\n")
        return f"file:{key}"


class HttpGateway:
    """POST {"to", "text", "id"} as JSON with `Authorization: Bearer <key>` and an
    `Idempotency-Key` header; any 2xx is success, 4xx (but 408/429) is permanent."""

    def __init__(self, url: str, api_key: str, timeout: float = 10.0):
        self.url, self.api_key, self.timeout = url, api_key, timeout

    def send(self, *, phone: str, text: str, key: str) -> str:
        body = json.dumps({"to": phone, "text": text, "id": key}, ensure_ascii=False).encode()
        req = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.api_key}",
                "Idempotency-Key": key,
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - configured URL
                raw = resp.read(4096)
        except urllib.error.HTTPError as exc:
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
            raise GatewayError(f"HTTP {exc.code}", permanent=permanent) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GatewayError(f"{type(exc).__name__}: {exc}") from exc
        try:
            return str(json.loads(raw or b"{}").get("id", ""))[:100]
        except (ValueError, AttributeError):
            return ""


def get_gateway() -> SmsGateway:
    name = settings.JIEFEN_SMS_BACKEND
    if name == "file":
        return FileGateway(settings.JIEFEN_SMS_FILE)
    if name == "http":
        if not settings.JIEFEN_SMS_HTTP_URL:
            raise GatewayError("JIEFEN_SMS_HTTP_URL is not set", permanent=True)
        return HttpGateway(settings.JIEFEN_SMS_HTTP_URL, settings.JIEFEN_SMS_HTTP_KEY)
    return ConsoleGateway()
