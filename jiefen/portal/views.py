"""Citizen pages (mobile-first, no account). Thin: parse, call portal.services, render."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiefen.cases.models import Case
from jiefen.core import clock
from jiefen.core.errors import DomainError
from jiefen.core.ratelimit import client_ip, hit
from jiefen.portal import qr, selectors, services
from jiefen.portal.forms import CodeForm, RateForm, ReopenForm, SubmitForm, TrackForm
from jiefen.portal.models import ReopenRequest
from jiefen.regions.models import Region

RECEIPT = "portal_receipt"
PENDING = "portal_pending"
OPEN_CASE = "portal_case"
ACCESS_FOR = timedelta(minutes=30)
# Files plus the form: anything bigger is refused before it is read.
MAX_REQUEST_BYTES = services.MAX_ATTACHMENTS * 10 * 1024 * 1024 + 1024 * 1024


def _limited(request: HttpRequest, scope: str, limit: int, per: int) -> HttpResponse | None:
    if hit(f"portal:{scope}", client_ip(request), limit=limit, per_seconds=per):
        return None
    return render(
        request,
        "portal/message.html",
        {
            "title": _("Please wait"),
            "text": _("Too many requests from your network. Please try again later."),
        },
        status=429,
    )


def _region(form: SubmitForm) -> Region | None:
    code = (
        form.cleaned_data.get("village") or form.cleaned_data.get("town") or form.cleaned_data.get("county")
    )
    return Region.objects.filter(code=code).select_related("county", "town").first() if code else None


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    errors: dict = {}
    if request.method == "POST":
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES:
            return render(
                request,
                "portal/message.html",
                {"title": _("Too large"), "text": _("The files are too large: at most 10 MB each.")},
                status=413,
            )
        limited = _limited(request, "submit", 5, 3600)
        if limited:
            return limited
        form = SubmitForm(request.POST, request.FILES)
        if form.is_valid():
            uploads = [
                services.Upload(name=f.name or "", content=f.read(services.MAX_BYTES + 1))
                for f in request.FILES.getlist("attachments")
            ]
            try:
                sub = services.portal_submit(
                    region=_region(form),
                    name=form.cleaned_data["name"],
                    phone=form.cleaned_data["phone"],
                    description=form.cleaned_data["description"],
                    request=form.cleaned_data["request"],
                    respondent=form.cleaned_data["respondent"],
                    category=form.cleaned_data["category"] or None,
                    uploads=uploads,
                    latitude=form.cleaned_data["latitude"],
                    longitude=form.cleaned_data["longitude"],
                )
            except DomainError as exc:
                errors = {
                    "form": [str(exc.message)],
                    **{k: [str(m) for m in v] for k, v in exc.fields.items()},
                }
            else:
                request.session[RECEIPT] = {
                    "number": sub.case.number,
                    "query_code": sub.query_code,
                    "linked": sub.linked,
                    "files": len(sub.attachments),
                }
                return redirect("portal:receipt")
    else:
        form = SubmitForm()
    data = form.data if form.is_bound else _poster_region(request.GET.get("region", ""))
    picked = {k: data.get(k, "") for k in ("county", "town", "village")}
    counties = selectors.counties()
    if not picked["county"] and len(counties) == 1:
        picked["county"] = counties[0].code
    return render(
        request,
        "portal/submit.html",
        {
            "form": form,
            "errors": errors,
            "counties": counties,
            "towns": selectors.region_children(picked["county"]),
            "villages": selectors.region_children(picked["town"]),
            "picked": picked,
            "max_mb": services.MAX_BYTES // (1024 * 1024),
        },
        status=422 if errors else 200,
    )


def _poster_region(code: str) -> dict:
    """The county, town and village of a poster's region code (解纷码 on a wall), to fill in."""
    region = Region.objects.filter(code=code[:12]).select_related("county", "town").first() if code else None
    if region is None:
        return {}
    chain = {"county": region.county or region, "town": region.town, "village": None}
    if region.level == "town":
        chain["town"] = region
    elif region.level == "village":
        chain["village"] = region
    return {k: r.code for k, r in chain.items() if r is not None}


@require_GET
def poster(request: HttpRequest, code: str) -> HttpResponse:
    """A printable poster: the QR code that opens the application form for this place."""
    region = Region.objects.filter(code=code[:12]).first()
    if region is None:
        return render(request, "portal/message.html", {"title": _("Not found"), "text": ""}, status=404)
    url = qr.poster_url(region.code)
    return render(
        request, "portal/poster.html", {"region": region, "url": url, "svg": qr.svg_inline(url, scale=8)}
    )


@require_GET
def poster_svg(request: HttpRequest, code: str) -> HttpResponse:
    region = Region.objects.filter(code=code[:12]).first()
    if region is None:
        return HttpResponse(status=404)
    return HttpResponse(qr.svg(qr.poster_url(region.code), scale=8), content_type="image/svg+xml")


@require_GET
def regions(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("county") or request.GET.get("town") or request.GET.get("parent") or ""
    return render(request, "portal/_options.html", {"regions": selectors.region_children(code)})


@require_GET
def receipt(request: HttpRequest) -> HttpResponse:
    data = request.session.get(RECEIPT)
    if not data:
        return redirect("portal:submit")
    return render(
        request, "portal/receipt.html", {"r": data, "qr_svg": qr.svg_inline(qr.case_url(data["number"]))}
    )


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        limited = _limited(request, "track", 10, 600)
        if limited:
            return limited
        form = TrackForm(request.POST)
        if form.is_valid():
            try:
                case = services.tracking_code_send(
                    number=form.cleaned_data["number"], query_code=form.cleaned_data["query_code"]
                )
            except DomainError as exc:
                error = str(exc.message)
            else:
                request.session[PENDING] = case.pk
                return redirect("portal:verify")
    else:
        form = TrackForm(initial={"number": request.GET.get("number", "")})
    return render(request, "portal/track.html", {"form": form, "error": error}, status=422 if error else 200)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    case_id = request.session.get(PENDING)
    if not case_id:
        return redirect("portal:track")
    error = ""
    if request.method == "POST":
        limited = _limited(request, "verify", 20, 600)
        if limited:
            return limited
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                case = services.tracking_code_verify(case_id=case_id, code=form.cleaned_data["code"])
            except DomainError as exc:
                error = str(exc.message)
            else:
                request.session.cycle_key()
                request.session.pop(PENDING, None)
                request.session[OPEN_CASE] = {
                    "id": case.pk,
                    "until": (clock.now() + ACCESS_FOR).isoformat(),
                    "qc": services.query_code_fingerprint(case),
                }
                return redirect("portal:case")
    else:
        form = CodeForm()
    return render(request, "portal/verify.html", {"form": form, "error": error}, status=422 if error else 200)


def _open_case(request: HttpRequest) -> Case | None:
    data = request.session.get(OPEN_CASE)
    if not data or data.get("until", "") < clock.now().isoformat():
        return None
    case = Case.objects.filter(pk=data["id"]).select_related("lead_organization", "region").first()
    if case is None or data.get("qc") != services.query_code_fingerprint(case):
        return None  # the query code was reissued: a session opened with the old one ends
    return case


@require_GET
def case(request: HttpRequest) -> HttpResponse:
    c = _open_case(request)
    if c is None:
        return redirect("portal:track")
    return _case_page(request, c)


def _case_page(request, c, *, rate_form=None, reopen_form=None, error="", status=200):
    rating = services.portal_rating(c)
    pending_reopen = ReopenRequest.objects.filter(case=c, handled=False).exists()
    can_feedback = c.status in services.RATEABLE
    return render(
        request,
        "portal/case.html",
        {
            "case": c,
            "timeline": selectors.public_timeline(c),
            "rating": rating,
            "rate_form": rate_form or RateForm(),
            "reopen_form": reopen_form or ReopenForm(),
            "can_rate": can_feedback and rating is None,
            "can_reopen": can_feedback and not pending_reopen,
            "pending_reopen": pending_reopen,
            "error": error,
            "files": c.portal_attachments.count(),
        },
        status=status,
    )


@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    c = _open_case(request)
    if c is None:
        return redirect("portal:track")
    form = RateForm(request.POST)
    if not form.is_valid():
        return _case_page(request, c, rate_form=form, status=422)
    try:
        services.portal_rate(case=c, stars=form.cleaned_data["stars"], comment=form.cleaned_data["comment"])
    except DomainError as exc:
        return _case_page(request, c, rate_form=form, error=str(exc.message), status=exc.status)
    return redirect("portal:case")


@require_POST
def reopen(request: HttpRequest) -> HttpResponse:
    c = _open_case(request)
    if c is None:
        return redirect("portal:track")
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _case_page(request, c, reopen_form=form, status=422)
    try:
        services.portal_reopen_request(case=c, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        return _case_page(request, c, reopen_form=form, error=str(exc.message), status=exc.status)
    return redirect("portal:case")
