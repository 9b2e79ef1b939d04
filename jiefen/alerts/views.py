"""Staff pages of early warning: the alert list (filters as in the API) and its actions (htmx)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiefen.alerts import selectors, services
from jiefen.alerts.models import AlertStatus, RuleKind, SubjectKind
from jiefen.alerts.rules import reason_text, subject_text
from jiefen.alerts.services import CALENDAR_SUBJECT
from jiefen.core.errors import DomainError, NotFound
from jiefen.dashboard.selectors import case_list_url

PAGE_SIZE = 50


def _subject_url(alert) -> str:
    """Where the subject of a region alert is: the case list of that region (and category)."""
    if alert.subject_kind != SubjectKind.REGION:
        return ""
    code, _sep, category = alert.subject_key.partition(":")
    return case_list_url(region=code, category=category or None)


def _row(alert, viewer) -> dict:
    return {
        "alert": alert,
        # the calendar's alert names its subject in the reader's language, not the writer's
        "subject_label": _("working-day calendar")
        if alert.subject_key == CALENDAR_SUBJECT
        else subject_text(alert),
        "subject_url": _subject_url(alert),
        "reasons": [reason_text(r) for r in alert.reasons],
        "can_manage": alert.status != AlertStatus.CLOSED and services.can_manage(viewer, alert),
    }


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    rule = request.GET.get("rule") or None
    status = request.GET.get("status", "active") or None
    case = (request.GET.get("case") or "").strip()[:24] or None
    code = 200
    try:
        qs = selectors.alert_list(viewer=request.user, rule=rule, status=status, case=case)
    except DomainError:
        messages.error(request, _("The filter could not be applied: %(msg)s") % {"msg": _("invalid value")})
        qs, code = selectors.alert_list(viewer=request.user, status="active"), 400
    page = Paginator(qs.select_related("village", "case__lead_organization"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "alerts/alert_list.html",
        {
            "page": page,
            "rows": [_row(a, request.user) for a in page.object_list],
            "rules": RuleKind.choices,
            "statuses": [("active", _("not closed")), *AlertStatus.choices, ("", _("all"))],
            "rule": rule or "",
            "status": status or "",
            "case": case or "",
            "query": query.urlencode(),
        },
        status=code,
    )


@login_required
@require_POST
def alert_action(request: HttpRequest, alert_id: int) -> HttpResponse:
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    error = ""
    try:
        services.alert_act(alert_id=alert_id, actor=request.user, action=action, note=note)
    except NotFound:
        return HttpResponse(status=404)
    except DomainError as exc:
        error = str(exc.message)
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        return redirect("alerts:list")
    alert = selectors.alert_get(viewer=request.user, alert_id=alert_id)
    return render(
        request,
        "alerts/_alert_row.html",
        {"row": _row(alert, request.user), "error": error},
        status=422 if error else 200,
    )
