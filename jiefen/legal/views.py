"""Pages of the public legal service: the citizen's legal-aid application on the portal
(mobile-first, no account), and the staff's list with decision and lawyer assignment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiefen.core.errors import DomainError, NotFound
from jiefen.legal import rules, selectors, services
from jiefen.legal.models import AidStatus
from jiefen.mediators.choices import MediatorKind
from jiefen.mediators.selectors import mediator_list
from jiefen.portal.selectors import counties
from jiefen.portal.views import _limited
from jiefen.regions.models import Region

AID_RECEIPT = "legal_aid_receipt"
FIELDS = (
    "applicant_name",
    "id_number",
    "phone",
    "matter",
    "facts",
    "exempt_person",
    "household_size",
    "household_monthly_income",
)


def _matters():
    return [
        *((k, v) for k, v in rules.MATTERS.items()),
        *((k, v) for k, v in rules.NO_MEANS_TEST.items()),
        (rules.NOT_LISTED, _("none of these")),
    ]


@require_http_methods(["GET", "POST"])
def portal_apply(request: HttpRequest) -> HttpResponse:
    errors: dict = {}
    values = {k: request.POST.get(k, "").strip() for k in (*FIELDS, "county")}
    options = counties()
    if not values["county"] and len(options) == 1:
        values["county"] = options[0].code
    if request.method == "POST":
        limited = _limited(request, "legal_aid", 5, 3600)
        if limited:
            return limited
        county = Region.objects.filter(code=values["county"], level="county").first()
        size = values["household_size"]
        data = services.AidInput(
            **{k: values[k] for k in FIELDS if k not in ("household_size",)},
            household_size=int(size) if size.isdigit() else None,
        )
        if county is None:
            errors["county"] = [_("Choose your county.")]
        else:
            try:
                applied = services.aid_apply(county=county, channel="online", data=data)
            except DomainError as exc:
                errors = {
                    "form": [str(exc.message)],
                    **{k: [str(m) for m in v] for k, v in exc.fields.items()},
                }
            else:
                app = applied.application
                request.session[AID_RECEIPT] = {
                    "number": app.number,
                    "query_code": applied.query_code,
                    "due": app.decision_due_at.date().isoformat(),
                    "provisional": app.due_provisional,
                }
                return redirect("legal_portal:receipt")
    return render(
        request,
        "legal/portal_apply.html",
        {
            "v": values,
            "errors": errors,
            "counties": options,
            "matters": _matters(),
            "exempt": list(rules.EXEMPT_PERSONS.items()),
        },
        status=422 if errors else 200,
    )


@require_GET
def portal_receipt(request: HttpRequest) -> HttpResponse:
    r = request.session.get(AID_RECEIPT)
    if not r:
        return redirect("legal_portal:apply")
    return render(request, "legal/portal_receipt.html", {"r": r})


@login_required
@require_GET
def aid_list(request: HttpRequest) -> HttpResponse:
    apps = list(selectors.application_list(viewer=request.user)[:200])
    lawyers = list(mediator_list(viewer=request.user, kind=MediatorKind.LAWYER).filter(available=True))
    return render(
        request,
        "legal/aid_list.html",
        {
            "apps": apps,
            "lawyers": lawyers,
            "pending": AidStatus.PENDING,
            "granted": AidStatus.GRANTED,
            "roster": selectors.duty_roster(viewer=request.user, days=7),
            "consultations": selectors.consultation_list(viewer=request.user)[:20],
        },
    )


def _app(request, number):
    try:
        return selectors.application_get(viewer=request.user, number=number)
    except NotFound:
        raise Http404(_("No such application.")) from None


def _run(request, done, fn):
    try:
        fn()
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("legal:aid_list")


@login_required
@require_POST
def aid_decide(request: HttpRequest, number: str) -> HttpResponse:
    app = _app(request, number)
    grant = request.POST.get("grant") == "1"
    return _run(
        request,
        _("Decision recorded."),
        lambda: services.aid_decide(
            application=app, actor=request.user, grant=grant, reason=request.POST.get("reason", "")
        ),
    )


@login_required
@require_POST
def aid_lawyer(request: HttpRequest, number: str) -> HttpResponse:
    app = _app(request, number)
    raw = request.POST.get("lawyer_id", "")
    return _run(
        request,
        _("Lawyer assigned."),
        lambda: services.aid_assign_lawyer(
            application=app, actor=request.user, lawyer_id=int(raw) if raw.isdigit() else None
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultations(request: HttpRequest) -> HttpResponse:
    """The window's consultation log: search the knowledge base, record the answer given."""
    q = request.GET.get("q", "").strip()[:200]
    errors: dict = {}
    if request.method == "POST":
        p = request.POST
        case = None
        number = p.get("case_number", "").strip()
        try:
            if number:
                from jiefen.cases import selectors as case_selectors

                case = case_selectors.case_get(viewer=request.user, number=number)
            services.consultation_record(
                actor=request.user,
                channel=p.get("channel", ""),
                topic=p.get("topic", ""),
                question=p.get("question", ""),
                answer=p.get("answer", ""),
                lawyer_id=int(p["lawyer_id"]) if p.get("lawyer_id", "").isdigit() else None,
                case=case,
            )
        except DomainError as exc:
            errors = {"form": [str(exc.message)], **{k: [str(m) for m in v] for k, v in exc.fields.items()}}
        else:
            messages.success(request, _("Consultation recorded."))
            return redirect("legal:consultations")
    from jiefen.cases.choices import Category
    from jiefen.legal.models import ConsultationChannel

    return render(
        request,
        "legal/consultations.html",
        {
            "q": q,
            "hits": selectors.knowledge_search(q=q) if q else [],
            "errors": errors,
            "channels": ConsultationChannel.choices,
            "topics": Category.choices,
            "lawyers": mediator_list(viewer=request.user, kind=MediatorKind.LAWYER),
            "consultations": selectors.consultation_list(viewer=request.user)[:50],
            "v": request.POST if request.method == "POST" else {},
        },
        status=422 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
def portal_status(request: HttpRequest) -> HttpResponse:
    """The applicant follows the application with its number and query code."""
    app, error = None, ""
    number = request.POST.get("number", request.GET.get("number", "")).strip()[:30]
    if request.method == "POST":
        limited = _limited(request, "legal_aid_status", 20, 3600)
        if limited:
            return limited
        app = selectors.application_for_applicant(
            number=number, query_code=request.POST.get("query_code", "")[:20]
        )
        if app is None:
            error = _("No application with this number and query code.")
    return render(
        request,
        "legal/portal_status.html",
        {"app": app, "number": number, "error": error},
        status=404 if error else 200,
    )
