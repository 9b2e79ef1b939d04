"""Staff POST handlers of the agreement's performance (履行), back to the case page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiefen.procedures import performance
from jiefen.procedures.views import _case, _date, _run


@login_required
@require_POST
def term_add(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    p = request.POST

    def run():
        performance.performance_terms_add(
            case=case,
            actor=request.user,
            terms=[
                performance.TermInput(
                    text=p.get("text", ""),
                    obligor=p.get("obligor", ""),
                    due_on=_date(p.get("due_on", ""), "due_on"),
                    amount=p.get("amount", ""),
                )
            ],
        )

    return _run(request, number, _("Term added."), run)


@login_required
@require_POST
def record(request: HttpRequest, number: str, term_id: int) -> HttpResponse:
    case = _case(request, number)
    p = request.POST

    def run():
        performance.performance_record(
            case=case,
            term_id=term_id,
            actor=request.user,
            by=p.get("by", ""),
            on=_date(p.get("on", ""), "on"),
            amount=p.get("amount", ""),
            what=p.get("what", ""),
            completes=p.get("completes") == "1",
        )

    return _run(request, number, _("Performance recorded."), run)
