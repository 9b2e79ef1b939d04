"""The one gate every request passes before any view: input the databases cannot store stops here.

Checked on every request — the path, the query string, form fields (names and values), and a
JSON body:

- NUL characters (PostgreSQL text cannot hold them) and lone UTF-16 surrogates (not encodable
  as UTF-8);
- date-times whose UTC offset is beyond ±15:59 (PostgreSQL refuses them; ISO 8601 and Python
  accept up to ±23:59);
- bodies larger than Django's DATA_UPLOAD_MAX_MEMORY_SIZE, or with too many fields.

What is refused answers in the format of the part it was sent to: the API's error body
(`{"error", "message", "fields"}`), Open311's list of `{code, description}`, or a short page in
the caller's language. Views behind the gate never see such input, so no view needs its own
check for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"

# A date-time with a UTC offset: 2026-12-02T20:00:00+20:00, …+2000, …+20 (also with a space).
_DATETIME_OFFSET = re.compile(
    r"^\s*\d{1,6}-\d{1,2}-\d{1,2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*[+-](\d{2})(?::?(\d{2}))?(?::?\d{2})?\s*$"
)
# Escapes in a raw JSON body that may decode to something refused: NUL, a surrogate.
_JSON_SUSPECT = re.compile(rb"\\u0000|\\u[dD][89abcdefABCDEF][0-9a-fA-F]{2}")
# An offset in a raw JSON body (inside a string): whether any may exceed the limit.
_JSON_OFFSET = re.compile(rb"\d:\d{2}(?::\d{2}(?:\.\d+)?)?[+-](\d{2})")
MAX_OFFSET_HOURS = 15  # PostgreSQL: a displacement up to ±15:59


def text_problem(value: str) -> str | None:
    """Why a text cannot be stored, or None."""
    if "\x00" in value:
        return _("contains a NUL character")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        return _("contains an invalid character")
    if len(value) >= 16 and value[:1].isdigit():
        m = _DATETIME_OFFSET.match(value)
        if m and int(m.group(1)) > MAX_OFFSET_HOURS:
            return _("the time zone offset is out of range (at most ±15:59)")
    return None


def _walk(data, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            key = str(k)
            yield from _walk(key, f"{path}.{key}" if path else key)
            yield from _walk(v, f"{path}.{key}" if path else key)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _walk(v, f"{path}[{i}]")


def _json_problems(body: bytes) -> dict[str, list[str]]:
    suspect = _JSON_SUSPECT.search(body) is not None or b"\x00" in body
    if not suspect:
        suspect = any(int(m.group(1)) > MAX_OFFSET_HOURS for m in _JSON_OFFSET.finditer(body))
    if not suspect:
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}  # not JSON: the view's parser answers for that
    return _problems(_walk(data, ""))


def _problems(items) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in items:
        problem = text_problem(value)
        if problem:
            out.setdefault(name or "body", []).append(str(problem))
    return out


def _querydict_items(qd, prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, values in qd.lists():
        yield key, key
        for v in values:
            if isinstance(v, str):
                yield key, v


# Parts of the site with an error format of their own register a renderer for their refusals
# (the Open311 endpoints: jiefen.channels' AppConfig.ready), so the gate names no app above it.
_refusal_renderers: dict[str, Callable[[HttpRequest, int, str], HttpResponse]] = {}


def refusal_format(kind: str, renderer: Callable[[HttpRequest, int, str], HttpResponse]) -> None:
    """Render the refusals of requests of `kind` ("open311") with `renderer(request, status, message)`."""
    _refusal_renderers[kind] = renderer


def _kind(request: HttpRequest) -> str:
    if request.path.startswith(API_PREFIX):
        return "api"
    if request.path.startswith(OPEN311_PREFIX):
        return "open311"
    return "page"


def refuse(request: HttpRequest, status: int, code: str, message: str, fields=None) -> HttpResponse:
    """The refusal in the format of the part of the site the request was sent to."""
    kind = _kind(request)
    if kind == "api":
        body = {"error": code, "message": message}
        if fields:
            body["fields"] = fields
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    renderer = _refusal_renderers.get(kind)
    if renderer is not None:
        return renderer(request, status, message)
    from django.shortcuts import render

    return render(request, "core/refused.html", {"message": message, "fields": fields or {}}, status=status)


class InputGuardMiddleware:
    """Refuse, before any view runs, input the database cannot store (see the module text)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self.check(request)
        if refused is not None:
            return refused
        return self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        from django.conf import settings

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.JIEFEN_MAX_REQUEST_BYTES:
            # Refused before a byte of it is read (files included).
            return refuse(
                request,
                413,
                "payload_too_large",
                _("The request is too large (at most %(mb)s MB).")
                % {"mb": settings.JIEFEN_MAX_REQUEST_BYTES // (1024 * 1024)},
            )
        problems: dict[str, list[str]] = {}
        path_problem = text_problem(request.path)
        if path_problem:
            problems["path"] = [str(path_problem)]
        try:
            problems.update(_problems(_querydict_items(request.GET)))
            ctype = request.content_type or ""
            if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                    problems.update(_problems(_querydict_items(request.POST)))
                elif ctype == "application/json" or ctype.endswith("+json"):
                    problems.update(_json_problems(request.body))
                elif _kind(request) == "api":
                    request.body  # noqa: B018 - reading it enforces the size limit here, in JSON
        except RequestDataTooBig:
            return refuse(
                request,
                413,
                "payload_too_large",
                _("The request is too large (at most %(mb)s MB).") % {"mb": _max_mb()},
            )
        except TooManyFieldsSent:
            return refuse(request, 413, "payload_too_large", _("The request has too many fields."))
        except MultiPartParserError:
            return refuse(
                request,
                422 if _kind(request) == "api" else 400,
                "validation_failed",
                _("The request body cannot be read."),
                {"body": [str(_("not a valid multipart body"))]},
            )
        if problems:
            return refuse(
                request,
                422 if _kind(request) == "api" else 400,
                "validation_failed",
                _("The request has invalid fields."),
                problems,
            )
        return None


def _max_mb() -> int:
    from django.conf import settings

    return max(1, int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) // (1024 * 1024))
