"""`{% mediators_panel case %}`: the recommendation on the case page, and the assignment."""

from __future__ import annotations

from django import template

from jiefen.cases.choices import Status
from jiefen.mediators import selectors
from jiefen.mediators.models import ProcedureMediator
from jiefen.procedures import definitions as d
from jiefen.procedures.choices import ProcedureStatus
from jiefen.procedures.models import Procedure

register = template.Library()
ASSIGNABLE = frozenset({Status.ACCEPTED, Status.IN_PROGRESS, Status.SUSPENDED})


@register.inclusion_tag("mediators/_case_panel.html", takes_context=True)
def mediators_panel(context, case):
    user = context["request"].user
    roles = set(user.roles or []) | ({"admin"} if user.is_superuser else set())
    from jiefen.mediators.services import MEDIATION_KINDS

    running = (
        Procedure.objects.filter(case=case, kind__in=MEDIATION_KINDS, state="mediation")
        .exclude(status=ProcedureStatus.ENDED)
        .order_by("-started_at", "-id")
        .first()
    )
    can_assign = case.status in ASSIGNABLE and bool(roles & d.WORKERS)
    return {
        "case": case,
        "csrf_token": context.get("csrf_token"),
        "assigned": ProcedureMediator.objects.filter(case=case).select_related("mediator", "procedure"),
        "running": running,
        "can_assign": can_assign,
        "recommendations": selectors.recommend(case=case, limit=5, include_excluded=True)
        if can_assign
        else [],
    }
