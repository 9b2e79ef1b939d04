"""Assembles the REST API: one NinjaAPI, routers from the domain apps, one error format.

Every error leaves as `{"error": "<stable code>", "message": "<text in the caller's
language>"}` (plus `fields` for validation), whatever raised it.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
                # any operation may refuse the caller's role (a read too: the watchlist, psych)
                codes = ["401", "403", "422"]
                if "{" in path or method == "get":
                    codes.append("404")
                if method in ("post", "put", "patch", "delete"):
                    codes += ["404", "409", "413"]
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


# pydantic's messages are English: each error type a client can cause is said in the caller's
# language, with pydantic's context (limits, expected values) filled in.
FIELD_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "missing_argument": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("This field is not expected."),
    "string_type": gettext_lazy("Enter text."),
    "string_too_short": gettext_lazy("Enter at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Enter at most %(max_length)s characters."),
    "string_pattern_mismatch": gettext_lazy("The value does not have the expected form."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "float_type": gettext_lazy("Enter a number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "decimal_parsing": gettext_lazy("Enter a number."),
    "decimal_type": gettext_lazy("Enter a number."),
    "bool_type": gettext_lazy("Enter true or false."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "date_type": gettext_lazy("Enter a date like 2026-01-31."),
    "date_parsing": gettext_lazy("Enter a date like 2026-01-31."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date like 2026-01-31."),
    "datetime_type": gettext_lazy("Enter a time like 2026-01-31T09:30:00+08:00."),
    "datetime_parsing": gettext_lazy("Enter a time like 2026-01-31T09:30:00+08:00."),
    "datetime_from_date_parsing": gettext_lazy("Enter a time like 2026-01-31T09:30:00+08:00."),
    "literal_error": gettext_lazy("Choose one of: %(expected)s."),
    "enum": gettext_lazy("Choose one of: %(expected)s."),
    "greater_than": gettext_lazy("Enter a value greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Enter a value of at least %(ge)s."),
    "less_than": gettext_lazy("Enter a value less than %(lt)s."),
    "less_than_equal": gettext_lazy("Enter a value of at most %(le)s."),
    "too_short": gettext_lazy("Give at least %(min_length)s items."),
    "too_long": gettext_lazy("Give at most %(max_length)s items."),
    "list_type": gettext_lazy("Give a list."),
    "dict_type": gettext_lazy("Give an object."),
    "model_type": gettext_lazy("Give an object."),
    "model_attributes_type": gettext_lazy("Give an object."),
    "uuid_parsing": gettext_lazy("Enter a valid identifier."),
    "json_invalid": gettext_lazy("The body is not valid JSON."),
}


def _field_message(err: dict) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "value_error":  # raised by our own validators: their message is already translated
        return str(ctx.get("error") or err.get("msg", "")).removeprefix("Value error, ")
    template = FIELD_MESSAGES.get(kind)
    if template is None:
        return str(_("Invalid value."))
    values = {k: str(v) for k, v in ctx.items()}
    if "expected" in values:  # pydantic lists the choices as "'a', 'b' or 'c'"
        values["expected"] = values["expected"].replace(" or ", ", ")
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return str(_("Invalid value."))


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        fields.setdefault(_loc(err.get("loc", ())), []).append(_field_message(err))
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

from jiefen.inspections.api import map_router  # noqa: E402
from jiefen.inspections.api import router as inspections_router  # noqa: E402
from jiefen.scorecards.api import router as scorecards_router  # noqa: E402
from jiefen.watchlist.api import router as watchlist_router  # noqa: E402

api.add_router("/", inspections_router)
api.add_router("/", map_router)
api.add_router("/", scorecards_router)
api.add_router("/", watchlist_router)
from jiefen.procedures.api_performance import router as performance_router  # noqa: E402

api.add_router("/", performance_router)
