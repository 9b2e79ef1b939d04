"""Staff pages of the registry: the assignment from the case page, mediator and organisation
record pages, the registry list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiefen.cases import selectors as case_selectors
from jiefen.core.errors import DomainError, NotFound
from jiefen.mediators import allowance, selectors, services
from jiefen.mediators.models import PreferredMediator, ProcedureMediator


def _int(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


@login_required
@require_POST
def assign(request: HttpRequest, number: str) -> HttpResponse:
    try:
        case = case_selectors.case_get(viewer=request.user, number=number)
    except NotFound:
        raise Http404(_("No such case.")) from None
    try:
        pm = services.mediation_assign(
            case=case,
            actor=request.user,
            mediator_id=_int(request.POST.get("mediator_id", "")),
            procedure_id=_int(request.POST.get("procedure_id", "")),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(m)s assigned to the mediation.") % {"m": pm.mediator.name})
    return redirect(f"/cases/{number}/#mediators")


@login_required
@require_GET
def registry(request: HttpRequest) -> HttpResponse:
    mediators = list(selectors.mediator_list(viewer=request.user)[:500])
    recs = selectors.records([m.pk for m in mediators])
    return render(
        request,
        "mediators/registry.html",
        {
            "rows": [(m, recs[m.pk]) for m in mediators],
            "organizations": selectors.organization_list(viewer=request.user),
        },
    )


@login_required
@require_GET
def mediator(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        m = selectors.mediator_get(viewer=request.user, pk=pk)
    except NotFound:
        raise Http404(_("No such mediator.")) from None
    cases = (
        ProcedureMediator.objects.filter(mediator=m)
        .filter(case__in=case_selectors.case_list(viewer=request.user).values("pk"))
        .select_related("case", "procedure")
        .order_by("-assigned_at")[:50]
    )
    from jiefen.mediators.api import parse_month

    try:
        year, mon = parse_month(request.GET.get("month"))
    except DomainError:
        year, mon = parse_month(None)
    return render(
        request,
        "mediators/mediator.html",
        {
            "m": m,
            "record": selectors.records([m.pk])[m.pk],
            "cases": cases,
            "statement": allowance.monthly_statement(mediator=m, year=year, month=mon),
        },
    )


@login_required
@require_GET
def organization(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        org = selectors.organization_get(viewer=request.user, pk=pk)
    except NotFound:
        raise Http404(_("No such organisation.")) from None
    members = list(org.members.filter(is_active=True).order_by("name"))
    recs = selectors.records([m.pk for m in members])
    total = selectors.Record()
    for r in recs.values():
        total.cases += r.cases
        total.open += r.open
        total.ended += r.ended
        total.agreements += r.agreements
    return render(
        request,
        "mediators/organization.html",
        {
            "org": org,
            "members": [(m, recs[m.pk]) for m in members],
            "total": total,
            "incubation": org.incubation.all(),
        },
    )


@require_http_methods(["GET", "POST"])
def portal_prefer(request: HttpRequest) -> HttpResponse:
    """The public list of the open case's county; a party may state a preferred mediator."""
    from jiefen.portal.views import _open_case

    case = _open_case(request)
    if case is None:
        return redirect("portal:track")
    error = ""
    if request.method == "POST":
        try:
            services.preference_state(case=case, mediator_id=_int(request.POST.get("mediator_id", "")))
        except DomainError as exc:
            error = str(exc.message)
        else:
            return redirect("portal:case")
    chosen = PreferredMediator.objects.filter(case=case).values_list("mediator_id", flat=True).first()
    return render(
        request,
        "mediators/portal_prefer.html",
        {
            "case": case,
            "mediators": selectors.public_mediators(county=case.county),
            "chosen": chosen,
            "error": error,
        },
        status=422 if error else 200,
    )
