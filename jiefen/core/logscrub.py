"""Personal data and secrets never reach a log: phones and ID numbers are masked, secret query
parameters (Open311's `api_key`, tokens, codes) are replaced, whatever wrote the line.

- `ScrubFilter` sits on the logging handlers of settings.LOGGING: every record of the
  application, Django and Celery is scrubbed once it is formatted.
- `ScrubbingLogger` is gunicorn's logger class (`jiefen serve`, and `--logger-class` in
  production): the access log's request line, query string and referrer are scrubbed.
"""

from __future__ import annotations

import logging
import re

from jiefen.core.pii import mask_id_number, mask_phone

SECRET_PARAMS = (
    "api_key",
    "apikey",
    "token",
    "access_token",
    "code",
    "query_code",
    "password",
    "phone",
    "id_number",
)
_SECRET_PARAM = re.compile(r"(?i)(^|[?&;\s])(" + "|".join(SECRET_PARAMS) + r")=([^&;\s\"']*)")
_PHONE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9]{9}(?![0-9])")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")


def scrub(text: str) -> str:
    """The text with secret parameters replaced and phones and ID numbers masked."""
    if not text:
        return text
    text = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}=***", text)
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)[-11:]), text)


class ScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logged as it is
            return True
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        return True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is absent on Windows
    _GunicornLogger = object  # type: ignore[assignment,misc]


class ScrubbingLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """gunicorn's logger with the access log scrubbed (see the module text)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("r", "q", "U", "f"):
            if isinstance(atoms.get(name), str):
                atoms[name] = scrub(atoms[name])
        for name in [k for k in atoms if k.startswith("{")]:
            if isinstance(atoms[name], str):
                atoms[name] = scrub(atoms[name])
        for name in ("{authorization}i", "{cookie}i", "{http_authorization}e", "{http_cookie}e"):
            if name in atoms:
                atoms[name] = "***"
        return atoms
