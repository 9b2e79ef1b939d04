"""Staff pages of the psychological service: refer from the case page; the list and the
record for the psych role and the counsellor (each opening logged); alerts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiefen.cases import selectors as case_selectors
from jiefen.core.errors import DomainError, NotFound
from jiefen.psych import scales, selectors, services


def _int(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


@login_required
@require_POST
def refer(request: HttpRequest, number: str) -> HttpResponse:
    try:
        case = case_selectors.case_get(viewer=request.user, number=number)
    except NotFound:
        raise Http404(_("No such case.")) from None
    p = request.POST
    consent = {"1": True, "0": False}.get(p.get("consent", ""))
    try:
        services.referral_create(
            case=case,
            actor=request.user,
            counsellor_id=_int(p.get("counsellor_id", "")),
            party_id=_int(p.get("party_id", "")),
            reason=p.get("reason", ""),
            consent=consent,
            source=p.get("source", "manual") or "manual",
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Referred to the counsellor."))
    return redirect(f"/cases/{number}/#psych")


@login_required
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "psych/list.html",
        {
            "referrals": selectors.referral_list(viewer=request.user)[:200],
            "alerts": selectors.my_alerts(viewer=request.user),
        },
    )


@login_required
@require_GET
def referral(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        opened = selectors.referral_detail(viewer=request.user, pk=pk)
    except NotFound:
        raise Http404(_("Not found.")) from None
    return render(
        request,
        "psych/referral.html",
        {
            "o": opened,
            "r": opened.referral,
            "scales": [(s.code, s.label, range(1, s.items + 1)) for s in scales.SCALES.values()],
        },
    )


def _act(request, pk, done, fn):
    try:
        fn()
    except NotFound:
        raise Http404(_("Not found.")) from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("psych:referral", pk=pk)


@login_required
@require_POST
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        _("Consent recorded."),
        lambda: services.consent_record(
            referral_id=pk,
            actor=request.user,
            consent=request.POST.get("consent") == "1",
            note=request.POST.get("note", ""),
        ),
    )


@login_required
@require_POST
def screening(request: HttpRequest, pk: int) -> HttpResponse:
    scale = request.POST.get("scale", "")
    size = scales.SCALES[scale].items if scale in scales.SCALES else 0
    answers = [_int(request.POST.get(f"{scale}-{i}", "")) for i in range(1, size + 1)]
    if any(a is None for a in answers):
        answers = []

    def run():
        _s, result, raised = services.screening_record(
            referral_id=pk, actor=request.user, scale=scale, answers=answers
        )
        if raised:
            messages.warning(
                request, _("Self-harm item positive: the leader and the counsellor are alerted.")
            )

    return _act(request, pk, _("Screening recorded."), run)


@login_required
@require_POST
def session(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        _("Session recorded."),
        lambda: services.session_record(
            referral_id=pk, actor=request.user, held_at=timezone.now(), notes=request.POST.get("notes", "")
        ),
    )


@login_required
@require_POST
def alert_ack(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.alert_acknowledge(alert_id=pk, actor=request.user)
    except NotFound:
        raise Http404(_("Not found.")) from None
    return redirect("psych:list")
