"""`{% procedures_panel case %}`: the chain on the case page, without touching web.views."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jiefen.cases.choices import Status
from jiefen.procedures import definitions as d
from jiefen.procedures import documents, selectors
from jiefen.procedures.choices import ProcedureKind, ProcedureStatus
from jiefen.procedures.performance import performance_rows
from jiefen.procedures.serializers import days_left

register = template.Library()
RECEPTION_BOOKERS = frozenset({"leader", "dispatcher", "admin", "clerk", "handler"})

# Extra inputs an action's form shows, beyond what `needs` lists.
EXTRA = {
    "record_agreement": ("facts", "performance", "effective_on", "settlement"),
    "confirm": ("ruling_on",),
    "reject": ("ruling_on",),
    "court_refuse": ("ruling_on",),
    "request_extension": ("parties_consent",),
    "reply": ("demands",),
    "record_review_opinion": ("demands",),
}
NO_DATE = {
    "assign_mediators",
    "record_session",
    "request_extension",
    "approve_extension",
    "reject_extension",
    "withdraw",
}


def due_text(step) -> str:
    n = days_left(step)
    if n is None:
        return ""
    if n > 0:
        return ngettext("%(n)d day left", "%(n)d days left", n) % {"n": n}
    if n == 0:
        return _("due today")
    return ngettext("overdue by %(n)d day", "overdue by %(n)d days", -n) % {"n": -n}


@register.inclusion_tag("procedures/_case_panel_body.html", takes_context=True)
def procedures_panel(context, case):
    user = context["request"].user
    procs = selectors.case_procedures(case=case)
    answers = selectors.procedure_answers(case=case)
    rows = []
    for p in procs:
        kd = d.KINDS[p.kind]
        steps = []
        for s in p.steps.all():
            sd = kd.steps.get(s.code)
            steps.append(
                {
                    "code": s.code,
                    "label": sd.label if sd else s.code,
                    "step": s,
                    "open": s.ended_at is None,
                    "due_text": due_text(s),
                    "overdue": (days_left(s) or 0) < 0,
                }
            )
        pending = selectors.pending_extensions(procedure=p)
        forms = []
        for a in selectors.allowed_actions(viewer=user, procedure=p):
            fields = list(a.needs) + [f for f in EXTRA.get(a.code, ()) if f not in a.needs]
            if a.code == "request_extension" and kd.steps[p.state].extension != "consent":
                fields.remove("parties_consent")
            if a.code in ("approve_extension", "reject_extension") and not pending:
                continue
            forms.append(
                {
                    "act": a,
                    "fields": fields,
                    "with_date": a.code not in NO_DATE,
                    "ends": a.ends,
                }
            )
        rows.append(
            {
                "p": p,
                "outcome": d.OUTCOMES.get(p.outcome, p.outcome),
                "steps": steps,
                "forms": forms,
                "pending": pending,
                "answers": answers.get(p.pk, []),
                "ended": p.status == ProcedureStatus.ENDED,
                "court": (p.data or {}).get("court_name", ""),
                "ruling_no": (p.data or {}).get("ruling_no", ""),
                "ruling_on": (p.data or {}).get("ruling_on", ""),
            }
        )
    running = {p.kind for p in procs if p.status != ProcedureStatus.ENDED}
    followup = selectors.case_followup(case=case)
    roles = set(user.roles or []) | ({"leader", "admin"} if user.is_superuser else set())
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "case": case,
        "rows": rows,
        "kinds": [
            (k, label)
            for k, label in ProcedureKind.choices
            if k not in running
            and d.offered(
                d.KINDS[k],
                category=case.category,
                organization_kind=user.organization.kind if user.organization_id else None,
            )
        ],
        "can_start": case.status
        in {Status.ACCEPTED, Status.IN_PROGRESS, Status.SUSPENDED, Status.RESOLVED, Status.TRANSFERRED}
        and bool(roles & d.WORKERS),
        "agreements": selectors.agreements(case=case),
        "performance": performance_rows(case=case),
        "can_perform": bool(roles & d.WORKERS),
        "courts": selectors.courts_of(case=case),
        "documents": documents.documents_available(case),
        "can_close": case.status in (Status.RESOLVED, Status.TRANSFERRED),
        "closed": case.status == Status.CLOSED,
        "can_rate": case.status in (Status.RESOLVED, Status.CLOSED),
        "parties": list(case.parties.all()),
        "is_leader": "leader" in roles,
        "can_supervise": bool(roles & {"leader", "admin"}),
        "supervision_rule": _supervision_rule_or_none(case) if roles & {"leader", "admin"} else None,
        "user_org": user.organization_id,
        "receptions": selectors.reception_list(viewer=user, limit=10) if roles & RECEPTION_BOOKERS else [],
        **followup,
    }


def _supervision_rule_or_none(case):
    from jiefen.core.errors import NotFound
    from jiefen.procedures.services import _supervision_rule

    try:
        return _supervision_rule(case)
    except NotFound:
        return None
