"""Staff pages of what citizens send: the queue of requests to reopen and their decision."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiefen.core.errors import DomainError
from jiefen.directory.models import Staff
from jiefen.portal import selectors, services


@login_required
@require_GET
def reopen_requests(request: HttpRequest) -> HttpResponse:
    """The requests to reopen waiting for a decision (oldest first), and the last decided."""
    user = cast(Staff, request.user)  # behind login_required: a signed-in Staff
    return render(
        request,
        "portal/staff/reopen_requests.html",
        {
            "waiting": selectors.reopen_requests(viewer=user, waiting=True),
            "decided": selectors.reopen_requests(viewer=user, waiting=False, limit=30),
            "can_decide": user.is_superuser or bool(set(user.roles or []) & services.DECIDERS),
        },
    )


@login_required
@require_POST
def reopen_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    try:
        req = services.reopen_request_decide(
            request_id=pk,
            actor=cast(Staff, request.user),  # behind login_required: a signed-in Staff
            decision=p.get("decision", "")[:10],
            reason=p.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Case %(n)s reopened.") % {"n": req.case.number}
            if req.decision == "reopened"
            else _("The request about %(n)s is refused; the applicant sees the reason.")
            % {"n": req.case.number},
        )
    back = p.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("reopen:list")
