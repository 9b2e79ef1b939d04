"""Assembles the REST API: one NinjaAPI, routers from the domain apps, one error format.

Every error leaves as `{"error": "<stable code>", "message": "<text in the caller's
language>"}` (plus `fields` for validation), whatever raised it.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from jiefen.cases.api import router as cases_router
from jiefen.channels.api import router as channels_router
from jiefen.core.errors import DomainError
from jiefen.deadlines.api import router as deadlines_router
from jiefen.portal.api import router as portal_router
from jiefen.procedures.api import router as procedures_router
from jiefen.triage.api import router as triage_router


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        from jiefen.directory.services import api_token_authenticate

        return api_token_authenticate(token)


ERROR_SCHEMA = {
    "type": "object",
    "title": "Error",
    "description": "Every error of the API: a stable code, a message in the caller's language "
    "(Accept-Language: zh-hans or en), and for invalid input the messages per field.",
    "properties": {
        "error": {"type": "string", "description": "stable code, e.g. validation_failed, not_found"},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["error", "message"],
}
_ERRORS = {
    "401": "no or invalid API token (`unauthorized`)",
    "403": "the caller's role may not do this (`permission_denied`, …)",
    "404": "no such object, or outside the caller's jurisdiction (`not_found`)",
    "409": "not possible in the object's state, or a stale version (`illegal_transition`, "
    "`version_conflict`, …)",
    "413": "the body is too large (`payload_too_large`)",
    "422": "invalid input; nothing was written (`validation_failed`, `reason_required`, …)",
}


class JiefenAPI(NinjaAPI):
    """The API whose OpenAPI document lists every operation's error answers (one format)."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        from jiefen.cases.api import QUERY_ENUMS

        for path, operations in schema.get("paths", {}).items():
            for method, op in operations.items():
                for param in op.get("parameters", []):
                    values = QUERY_ENUMS.get((path.removeprefix("/api/v1"), method, param["name"]))
                    if values:
                        param["schema"] = {"type": "string", "enum": list(values), "title": param["name"]}
                codes = ["401", "422"]
                if "{" in path or method == "get":
                    codes.append("404")
                if method in ("post", "put", "patch", "delete"):
                    codes += ["403", "404", "409", "413"]
                responses = op.setdefault("responses", {})
                for code in sorted(set(codes)):
                    responses.setdefault(code, {"description": _ERRORS[code], "content": ref})
        return schema


api = JiefenAPI(
    title="jiefen API",
    version="1",
    urls_namespace="api",
    auth=BearerToken(),
    description="REST API of jiefen (解纷). Authenticate with `Authorization: Bearer <token>` "
    "(`jiefen token create --username U`).",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


def _loc(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path")]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out or "body"


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        fields.setdefault(_loc(err.get("loc", ())), []).append(str(err.get("msg", "")))
    return api.create_response(
        request,
        {"error": "validation_failed", "message": _("The request has invalid fields."), "fields": fields},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return api.create_response(
        request, {"error": "unauthorized", "message": _("A valid API token is required.")}, status=401
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"error": "not_found", "message": _("Not found.")}, status=404)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if exc.status_code == 400:  # ninja could not parse the body: invalid input like any other
        return api.create_response(
            request,
            {
                "error": "validation_failed",
                "message": _("The request has invalid fields."),
                "fields": {"body": [_("The body is not valid JSON.")]},
            },
            status=422,
        )
    return api.create_response(request, {"error": "http_error", "message": str(exc)}, status=exc.status_code)


api.add_router("/", cases_router)
api.add_router("/", deadlines_router)
api.add_router("/", channels_router)
api.add_router("/", procedures_router)
api.add_router("/", triage_router)
api.add_router("/", portal_router)

from jiefen.alerts.api import router as alerts_router  # noqa: E402
from jiefen.dashboard.api import router as dashboard_router  # noqa: E402

api.add_router("/", alerts_router)
api.add_router("/", dashboard_router)

from jiefen.legal.api import router as legal_router  # noqa: E402
from jiefen.mediation_room.api import router as mediation_room_router  # noqa: E402
from jiefen.mediators.api import router as mediators_router  # noqa: E402
from jiefen.psych.api import router as psych_router  # noqa: E402

api.add_router("/", mediators_router)
api.add_router("/", legal_router)
api.add_router("/", psych_router)
api.add_router("/", mediation_room_router)
