"""`{% psych_panel case %}`: the referral proposal and form on the case page. It never lists
the case's referrals: their existence is for the psych role and the counsellor only."""

from __future__ import annotations

from django import template

from jiefen.mediators.choices import MediatorKind
from jiefen.mediators.models import Mediator
from jiefen.procedures import definitions as d
from jiefen.psych import selectors

register = template.Library()


@register.inclusion_tag("psych/_case_panel.html", takes_context=True)
def psych_panel(context, case):
    user = context["request"].user
    roles = set(user.roles or [])
    if not (user.is_superuser or roles & (d.WORKERS | {selectors.PSYCH_ROLE})):
        return {"show": False}
    proposal = selectors.referral_proposal(case=case)
    return {
        "show": True,
        "case": case,
        "csrf_token": context.get("csrf_token"),
        "proposal": proposal,
        "counsellors": Mediator.objects.filter(
            county_id=case.county_id, kind=MediatorKind.COUNSELLOR, is_active=True, available=True
        ).order_by("name"),
        "parties": list(case.parties.all()),
    }
