"""Triage pages: live intake proposals (htmx), the dispatcher's queue, category agreement,
the routing dry-run, and linking cases. Thin: parse, call services/selectors, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiefen.cases.choices import Category, Channel, PartyRole
from jiefen.cases.routing import RegionChain, route
from jiefen.cases.selectors import case_get
from jiefen.core.errors import DomainError, NotFound
from jiefen.regions.models import Region
from jiefen.triage import selectors, services
from jiefen.triage.risk import risk_out
from jiefen.triage.serializers import related_out

MAX_TEXT = 20_000
DISPATCH_ROLES = {"dispatcher", "admin"}


def _is_dispatcher(user) -> bool:
    return bool(user.is_superuser or set(user.roles or []) & DISPATCH_ROLES)


def _region(viewer, code: str) -> Region | None:
    from jiefen.directory.selectors import region_in_jurisdiction

    code = (code or "").strip()[:12]
    if not code:
        return None
    region = Region.objects.filter(code=code).select_related("county", "town").first()
    if region is None or not region_in_jurisdiction(viewer, region):
        return None
    return region


@login_required
@require_POST
def propose(request: HttpRequest) -> HttpResponse:
    """The proposals panel of the intake screen, re-rendered as the clerk types (htmx)."""
    post = request.POST
    text = (post.get("description", "") + "\n" + post.get("request", "")).strip()[:MAX_TEXT]
    ctx: dict = {"text_given": bool(text)}
    code = post.get("village") or post.get("town") or post.get("county") or ""
    region = _region(request.user, code)
    if not text:
        return render(request, "triage/_proposals.html", ctx)
    if region is None:
        ctx["no_region"] = True
        return render(request, "triage/_proposals.html", ctx)
    category = post.get("category") or None
    if category not in Category.values:
        category = None
    channel = post.get("channel") if post.get("channel") in Channel.values else Channel.WALK_IN
    parties = []
    for i in range(0, 50):
        prefix = f"parties-{i}-"
        if f"{prefix}name" not in post:
            break
        role = post.get(f"{prefix}role") or (PartyRole.APPLICANT if i == 0 else PartyRole.RESPONDENT)
        parties.append(
            {
                "role": role,
                "name": post.get(f"{prefix}name", "")[:100],
                "id_number": post.get(f"{prefix}id_number", "")[:30],
                "phone": post.get(f"{prefix}phone", "")[:30],
            }
        )
    try:
        t = services.triage_intake(
            category=category,
            description=text,
            parties=parties,
            channel=channel,
            chain=RegionChain.of(region),
        )
    except DomainError as exc:
        ctx["error"] = str(exc.message)
        return render(request, "triage/_proposals.html", ctx)
    ctx.update(
        {
            "t": t,
            "proposal": t.proposal,
            "proposal_label": Category(t.proposal.category).label if t.proposal else "",
            "top": [(Category(c).label, c, p) for c, p in (t.proposal.top if t.proposal else [])],
            "risk": risk_out(t.risk.level, [r.as_dict() for r in t.risk.reasons]),
            "related": related_out(selectors.visible_related(viewer=request.user, items=t.related.items)),
            "routing": t.routing_out(),
            "rules_org": t.rules_decision.organization.name,
        }
    )
    return render(request, "triage/_proposals.html", ctx)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The dispatcher's triage queue: uncertain categories and cases nobody below the centre owns."""
    if not _is_dispatcher(request.user):
        raise Http404(_("Only dispatchers have a triage queue."))
    page = Paginator(selectors.triage_queue(viewer=request.user), 50).get_page(request.GET.get("page"))
    rows = []
    for case in page.object_list:
        t = getattr(case, "triage", None)
        rows.append(
            {"case": case, "triage": t, "risk": risk_out(t.risk_level, t.risk_reasons) if t else None}
        )
    return render(request, "triage/queue.html", {"page": page, "rows": rows, "categories": Category.choices})


@login_required
@require_POST
def confirm(request: HttpRequest, number: str) -> HttpResponse:
    try:
        case = case_get(viewer=request.user, number=number)
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        case = services.case_category_confirm(
            case=case,
            actor=request.user,
            category=request.POST.get("category", "")[:30],
            version=version,
            reroute=request.POST.get("reroute", "1") == "1",
        )
        messages.success(
            request,
            _("%(number)s: category %(category)s, lead %(org)s.")
            % {
                "number": case.number,
                "category": case.get_category_display(),
                "org": case.lead_organization.name,
            },
        )
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("triage:queue")


@login_required
@require_POST
def case_link(request: HttpRequest, number: str) -> HttpResponse:
    try:
        case = case_get(viewer=request.user, number=number)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    try:
        other = case_get(viewer=request.user, number=request.POST.get("number", "").strip()[:24])
        services.case_link(case=case, other=other, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("Linked to %(number)s.") % {"number": other.number})
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("web:case_detail", number=number)


@login_required
@require_GET
def agreement(request: HttpRequest) -> HttpResponse:
    rows = selectors.agreement(viewer=request.user)
    total = sum(r["n"] for r in rows)
    agreed = sum(r["agreed"] for r in rows)
    return render(
        request,
        "triage/agreement.html",
        {
            "rows": rows,
            "total": total,
            "agreed": agreed,
            "rate": (agreed / total) if total else None,
            "returns": selectors.returns_by_organization(viewer=request.user),
        },
    )


@login_required
@require_http_methods(["GET"])
def dry_run(request: HttpRequest) -> HttpResponse:
    """Which rule would take this case, and why: every rule looked at, in order."""
    g = request.GET
    ctx: dict = {
        "categories": Category.choices,
        "channels": Channel.choices,
        "risks": ["blue", "yellow", "orange", "red"],
        "values": {
            k: g.get(k, "")[:MAX_TEXT] for k in ("region_code", "category", "channel", "risk", "text")
        },
    }
    status = 200
    if g.get("region_code"):
        region = _region(request.user, g.get("region_code", ""))
        category = g.get("category") if g.get("category") in Category.values else Category.OTHER
        channel = g.get("channel") if g.get("channel") in Channel.values else Channel.WALK_IN
        risk = g.get("risk") if g.get("risk") in ctx["risks"] else "blue"
        if region is None:
            ctx["error"] = _("Unknown region code, or outside your jurisdiction.")
            status = 422
        else:
            try:
                ctx["decision"] = route(
                    category=category,
                    chain=RegionChain.of(region),
                    risk=risk,
                    channel=channel,
                    text=g.get("text", "")[:MAX_TEXT],
                )
            except DomainError as exc:
                ctx["error"] = str(exc.message)
                status = exc.status
    return render(request, "triage/dry_run.html", ctx, status=status)
