"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under /open311/v2/.

Services are the dispute categories; requests are cases. XML (required by the spec) and JSON
both; errors as the spec's list of {code, description} with the same HTTP status.

What is public: without an `api_key`, requests list only cases that were submitted through
Open311 in a category marked public (settings.JIEFEN_OPEN311_PUBLIC_CATEGORIES: environment,
property management, consumer matters by default) — never a family, labour or petition matter
brought to a window or the hotline — and show only what is safe for anyone: the category,
status, organisation in charge, region and dates, not the description or the status notes
(personal data of the parties). With a staff member's API token as `api_key`, the list is that
person's jurisdiction and includes the description. POST needs an `api_key` (the spec allows requiring
one); `address_id` may carry a 12-digit region code; `address_string` is matched against the
county's town and village names.
"""

from __future__ import annotations

import math
import secrets
from datetime import timedelta
from xml.etree import ElementTree as ET

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from jiefen.cases.choices import ENDED_STATUSES, OPEN_STATUSES, Category, Channel, PartyRole
from jiefen.cases.models import Case
from jiefen.cases.selectors import case_scope
from jiefen.cases.services import PartyInput, case_register
from jiefen.channels.matching import AddressResolver
from jiefen.channels.models import Open311Token
from jiefen.core import clock
from jiefen.core.errors import DomainError
from jiefen.core.ratelimit import client_ip, hit
from jiefen.directory.selectors import region_in_jurisdiction
from jiefen.directory.services import api_token_authenticate
from jiefen.regions.models import Region

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-26T00:00:00+08:00"
DEFAULT_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
FORMATS = {"json", "xml"}
ANONYMOUS = "Open311用户"


class Open311Error(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


# ---------------------------------------------------------------- rendering


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml(root: str, item: str | None, rows, *, nested: dict[str, str] | None = None) -> bytes:
    """<root><item><field>…</field></item>…</root>; lists become <field><sub>…</sub></field>."""
    nested = nested or {}

    def fill(parent: ET.Element, data: dict) -> None:
        for key, value in data.items():
            el = ET.SubElement(parent, key)
            if isinstance(value, list):
                for v in value:
                    sub = ET.SubElement(el, nested.get(key, "item"))
                    if isinstance(v, dict):
                        fill(sub, v)
                    else:
                        sub.text = _text(v)
            elif isinstance(value, dict):
                fill(el, value)
            else:
                el.text = _text(value)

    top = ET.Element(root)
    if item is None:
        fill(top, rows)
    else:
        for row in rows:
            fill(ET.SubElement(top, item), row)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(
        top, encoding="utf-8", xml_declaration=False
    )


def _respond(fmt: str, data, *, root: str, item: str | None, status: int = 200, nested=None) -> HttpResponse:
    if fmt == "json":
        resp = JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        resp = HttpResponse(
            _xml(root, item, data, nested=nested), status=status, content_type="text/xml; charset=utf-8"
        )
    resp["Access-Control-Allow-Origin"] = "*"
    return resp


def _error(fmt: str, code: int, description: str) -> HttpResponse:
    return _respond(
        fmt if fmt in FORMATS else "xml",
        [{"code": code, "description": description}],
        root="errors",
        item="error",
        status=code,
    )


def error_response(request: HttpRequest, code: int, description: str) -> HttpResponse:
    """An error in the spec's format, the format taken from the path (…/requests.json → JSON)."""
    fmt = request.path.rsplit(".", 1)[-1] if "." in request.path else "xml"
    return _error(fmt, code, description)


def endpoint(view):
    """Format check, language, rate limit and the spec's error format around a view."""

    @csrf_exempt
    def wrapped(request: HttpRequest, fmt: str, **kw):
        if fmt not in FORMATS:
            return _error("xml", 404, "format must be json or xml")
        with translation.override(request.GET.get("locale") or translation.get_language()):
            if not hit(
                "open311", client_ip(request), limit=120 if request.method == "GET" else 20, per_seconds=60
            ):
                return _error(fmt, 429, _("Too many requests from your address; try again in a minute."))
            try:
                return view(request, fmt, **kw)
            except Open311Error as exc:
                return _error(fmt, exc.code, exc.description)
            except DomainError as exc:
                fields = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in exc.fields.items())
                return _error(
                    fmt, 400 if exc.status == 422 else exc.status, f"{exc.message} {fields}".strip()
                )

    return wrapped


def _iso(dt) -> str | None:
    return timezone.localtime(dt).replace(microsecond=0).isoformat() if dt else None


def _staff(request: HttpRequest, *, required: bool):
    key = request.POST.get("api_key") or request.GET.get("api_key") or ""
    if not key:
        if required:
            raise Open311Error(403, _("api_key is required"))
        return None
    staff = api_token_authenticate(key)
    if staff is None:
        raise Open311Error(403, _("api_key is invalid"))
    return staff


def _jurisdiction(request: HttpRequest) -> Region | None:
    jid = (request.POST.get("jurisdiction_id") or request.GET.get("jurisdiction_id") or "").strip()
    if not jid:
        return None
    county = (
        Region.objects.filter(level="county", code__startswith=jid[:6]).first() if jid.isdigit() else None
    )
    if county is None:
        raise Open311Error(404, _("jurisdiction_id not found"))
    return county


# ---------------------------------------------------------------- discovery and services


@endpoint
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": CHANGESET,
        "contact": _("The county dispute-resolution centre (矛调中心)"),
        "key_service": _("API keys are the REST API's tokens: `jiefen token create --username U`."),
        "endpoints": [
            {
                "specification": SPEC,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return _respond(
        fmt, data, root="discovery", item=None, nested={"endpoints": "endpoint", "formats": "format"}
    )


def _service(cat: Category) -> dict:
    return {
        "service_code": cat.value,
        "service_name": str(cat.label),
        "description": str(cat.label),
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": _("disputes"),
    }


@endpoint
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    _jurisdiction(request)
    return _respond(fmt, [_service(c) for c in Category], root="services", item="service")


@endpoint
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    _jurisdiction(request)
    if code not in Category.values:
        raise Open311Error(404, _("service_code not found"))
    data = {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": "request",
                "datatype": "text",
                "required": False,
                "datatype_description": _("What the applicant asks for"),
                "order": 1,
                "description": _("What do you ask for?"),
            }
        ],
    }
    return _respond(fmt, data, root="service_definition", item=None, nested={"attributes": "attribute"})


# ---------------------------------------------------------------- requests


def _visible(staff):
    """The cases a caller may see: staff their jurisdiction; anyone else only the public feed."""
    if staff is not None:
        return Case.objects.filter(case_scope(staff))
    return Case.objects.filter(
        category__in=settings.JIEFEN_OPEN311_PUBLIC_CATEGORIES, open311_token__isnull=False
    )


def _request_row(case: Case, *, full: bool) -> dict:
    status = "open" if case.status in OPEN_STATUSES else "closed"
    notes = case.get_status_display()
    if full and case.status == "not_accepted" and case.legal_route_told:
        notes = f"{notes}: {case.legal_route_told}"
    elif case.status == "merged" and case.merged_into_id:
        notes = f"{notes}"
    return {
        "service_request_id": case.number,
        "status": status,
        "status_notes": notes,
        "service_name": case.get_category_display(),
        "service_code": case.category,
        "description": case.description if full else "",
        "agency_responsible": case.lead_organization.name,
        "service_notice": "",
        "requested_datetime": _iso(case.received_at),
        "updated_datetime": _iso(case.updated_at),
        "expected_datetime": _iso(case.due_at) if case.status in OPEN_STATUSES else None,
        "address": case.region.name,
        "address_id": case.region.code,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _date(request: HttpRequest, name: str):
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        dt = parse_datetime(raw.replace(" ", "+"))
    except ValueError:
        dt = None
    if dt is None:
        raise Open311Error(400, _("%(name)s is not a W3C date-time") % {"name": name})
    return timezone.make_aware(dt) if timezone.is_naive(dt) else dt


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    staff = _staff(request, required=False)
    county = _jurisdiction(request)
    qs = _visible(staff)
    if county is not None:
        qs = qs.filter(county=county)
    ids = [i.strip() for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        qs = qs.filter(number__in=ids[:MAX_RESULTS])
    else:
        codes = [c.strip() for c in request.GET.get("service_code", "").split(",") if c.strip()]
        if codes:
            qs = qs.filter(category__in=codes)
        start, end = _date(request, "start_date"), _date(request, "end_date")
        if start is None and end is None:
            start = clock.now() - DEFAULT_WINDOW
        if start is not None:
            qs = qs.filter(received_at__gte=start)
        if end is not None:
            qs = qs.filter(received_at__lte=end)
        statuses = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status must be open or closed"))
        if statuses == {"open"}:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif statuses == {"closed"}:
            qs = qs.filter(status__in=ENDED_STATUSES)
    rows = qs.select_related("lead_organization", "region").order_by("-received_at", "-id")[:MAX_RESULTS]
    data = [_request_row(c, full=staff is not None) for c in rows]
    return _respond(fmt, data, root="service_requests", item="request")


def _point(lat: str, long: str) -> tuple[float, float] | None:
    """The WGS84 point of `lat` and `long`, None when neither is given; anything else is refused."""
    if not lat and not long:
        return None
    try:
        point = (float(lat), float(long))
    except ValueError:
        point = None
    if (
        point is None
        or not all(math.isfinite(v) for v in point)
        or not -90 <= point[0] <= 90
        or not -180 <= point[1] <= 180
    ):
        raise Open311Error(
            400, _("lat and long must both be given, as decimal degrees (lat -90 to 90, long -180 to 180)")
        )
    return point


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    staff = _staff(request, required=True)
    p = request.POST
    code = p.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, _("service_code is required"))
    if code not in Category.values:
        raise Open311Error(404, _("service_code not found"))
    address_id, address = p.get("address_id", "").strip(), p.get("address_string", "").strip()[:200]
    has_point = _point(p.get("lat", "").strip(), p.get("long", "").strip()) is not None
    if not (address_id or address or has_point):
        raise Open311Error(400, _("a location is required: lat and long, address_string or address_id"))
    county = _jurisdiction(request) or _staff_county(staff)
    region: Region | None = None
    if address_id:
        region = Region.objects.filter(code=address_id).select_related("county", "town").first()
        if region is None or not region_in_jurisdiction(staff, region):
            raise Open311Error(400, _("address_id is not a region code of your jurisdiction"))
    elif address and county is not None:
        region = AddressResolver(county).resolve(address).region
    else:
        region = county
    if region is None:
        raise Open311Error(400, _("no county for this api_key; give jurisdiction_id or address_id"))
    name = (p.get("last_name", "").strip() + p.get("first_name", "").strip())[:100] or ANONYMOUS
    token = secrets.token_hex(16)
    with transaction.atomic():
        reg = case_register(
            channel=Channel.ONLINE,
            region=region,
            category=code,
            description=p.get("description", ""),
            request=p.get("attribute[request]", ""),
            parties=[
                PartyInput(role=PartyRole.APPLICANT, name=name, phone=p.get("phone", ""), address=address)
            ],
            actor=staff,
        )
        Open311Token.objects.create(token=token, case=reg.case, created_at=clock.now())
    data = [
        {
            "service_request_id": reg.case.number,
            "token": token,
            "service_notice": _("Your query code is %(code)s; keep it to follow the case.")
            % {"code": reg.query_code},
            "account_id": None,
        }
    ]
    return _respond(fmt, data, root="service_requests", item="request", status=201)


def _staff_county(staff) -> Region | None:
    org = staff.organization
    if org is None:
        return None
    return org.region if org.region.level == "county" else org.region.county


@endpoint
def requests_(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    if request.method != "GET":
        raise Open311Error(405, _("method not allowed"))
    return _list(request, fmt)


@endpoint
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    staff = _staff(request, required=False)
    qs = _visible(staff)
    case = qs.filter(number=request_id).select_related("lead_organization", "region").first()
    if case is None:
        raise Open311Error(404, _("service_request_id not found"))
    return _respond(
        fmt, [_request_row(case, full=staff is not None)], root="service_requests", item="request"
    )


@endpoint
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    row = Open311Token.objects.filter(token=token).select_related("case").first()
    if row is None:
        raise Open311Error(404, _("token not found"))
    return _respond(
        fmt,
        [{"service_request_id": row.case.number, "token": row.token}],
        root="service_requests",
        item="request",
    )
