"""`{% triage_panel case %}` on the case page: merged pointer, risk with reasons, proposal and
confirmed category, related cases with links, link form."""

from __future__ import annotations

from django import template

from jiefen.cases.choices import risk_label
from jiefen.triage.risk import risk_out
from jiefen.triage.selectors import case_related, case_triage
from jiefen.triage.serializers import related_out

register = template.Library()


@register.inclusion_tag("triage/_case_panel.html", takes_context=True)
def triage_panel(context, case):
    request = context.get("request")
    viewer = getattr(request, "user", None)
    t = case_triage(case=case)
    related = related_out(case_related(viewer=viewer, case=case)) if viewer is not None else []
    return {
        "case": case,
        "triage": t,
        "risk": risk_out(t.risk_level, t.risk_reasons) if t else None,
        "related": related,
        "merged_into": case.merged_into.number if case.merged_into_id else None,
        "csrf_token": context.get("csrf_token"),
    }


register.filter("risk_label", risk_label)  # 红/橙/黄/蓝 in the reader's language
