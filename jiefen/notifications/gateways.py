"""SMS gateways behind one small interface: `send(phone, text, key) -> provider id`.

`console` (the embedded default) writes a line to standard output, `file` appends JSON lines
to a file: both are logs, so they show the phone masked (138****5678) and never the text of a
sensitive message (one-time codes). `memory` keeps whole messages in this process, for tests.
`http` posts to a real gateway at a URL with a key. `key` is the message's idempotency key: a
gateway that honours it never delivers one message twice, even if our bookkeeping after the
send fails.
"""

from __future__ import annotations

import fcntl
import json
import sys
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings

from jiefen.core.pii import mask_phone

WITHHELD = "[sensitive text withheld]"


class GatewayError(Exception):
    """The gateway did not take the message; `permanent` means retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class SmsGateway(Protocol):
    def send(self, *, phone: str, text: str, key: str, sensitive: bool = False) -> str: ...


def loggable(phone: str, text: str, sensitive: bool) -> tuple[str, str]:
    """What a log may show of a message: the phone masked, a sensitive text withheld."""
    return mask_phone(phone), (WITHHELD if sensitive else text)


class ConsoleGateway:
    def send(self, *, phone: str, text: str, key: str, sensitive: bool = False) -> str:
        to, shown = loggable(phone, text, sensitive)
        sys.stdout.write(f"[sms {key} to {to}] {shown}\n")
        sys.stdout.flush()
        return f"console:{key}"


class MemoryGateway:
    """Whole messages in this process's `SENT` list (tests read one-time codes from it)."""

    SENT: list[dict] = []

    def send(self, *, phone: str, text: str, key: str, sensitive: bool = False) -> str:
        self.SENT.append({"to": phone, "text": text, "key": key, "sensitive": sensitive})
        return f"memory:{key}"


class FileGateway:
    def __init__(self, path: str):
        self.path = path

    def send(self, *, phone: str, text: str, key: str, sensitive: bool = False) -> str:
        to, shown = loggable(phone, text, sensitive)
        line = json.dumps({"to": to, "text": shown, "key": key}, ensure_ascii=False)
        with open(self.path, "a", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            fh.write(line + "\n")
        return f"file:{key}"


class HttpGateway:
    """POST {"to", "text", "id"} as JSON with `Authorization: Bearer <key>` and an
    `Idempotency-Key` header; any 2xx is success, 4xx (but 408/429) is permanent."""

    def __init__(self, url: str, api_key: str, timeout: float = 10.0):
        self.url, self.api_key, self.timeout = url, api_key, timeout

    def send(self, *, phone: str, text: str, key: str, sensitive: bool = False) -> str:
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
    if name == "memory":
        return MemoryGateway()
    if name == "http":
        if not settings.JIEFEN_SMS_HTTP_URL:
            raise GatewayError("JIEFEN_SMS_HTTP_URL is not set", permanent=True)
        return HttpGateway(settings.JIEFEN_SMS_HTTP_URL, settings.JIEFEN_SMS_HTTP_KEY)
    return ConsoleGateway()
