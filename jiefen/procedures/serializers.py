"""Plain-dict views of procedures for the API and the case detail output."""

from __future__ import annotations

from django.utils import timezone

from jiefen.cases.models import Case
from jiefen.core import clock
from jiefen.procedures import definitions as d
from jiefen.procedures import selectors
from jiefen.procedures.models import Procedure, ProcedureStep


def days_left(step: ProcedureStep) -> int | None:
    """Calendar days from today to the due day (negative: overdue by that many days)."""
    if step.due_at is None or step.ended_at is not None:
        return None
    return (timezone.localtime(step.due_at).date() - clock.today()).days


def step_out(step: ProcedureStep, kind: str) -> dict:
    sd = d.KINDS[kind].steps.get(step.code)
    rule = step.rule
    return {
        "id": step.pk,
        "code": step.code,
        "label": str(sd.label) if sd else step.code,
        "rule": rule.code if rule else None,
        "rule_source": rule.source if rule else "",
        "days": rule.days if rule else None,
        "unit": rule.unit if rule else None,
        "started_at": step.started_at,
        "due_at": step.due_at,
        "provisional": step.due_provisional,
        "days_left": days_left(step),
        "overdue": step.ended_at is None and step.due_at is not None and step.due_at < clock.now(),
        "extended_days": step.extended_days,
        "extension_bound": (rule.extension_days if rule else 0),
        "extension_approver": (rule.extension_approver if rule else ""),
        "paused": step.paused_since is not None,
        "paused_intervals": step.paused_intervals,
        "ended_at": step.ended_at,
        "outcome": step.outcome,
        "extensions": [
            {"id": e.pk, "days": e.days, "status": e.status, "reason": e.reason, "basis": e.basis}
            for e in step.extensions.all()
        ],
    }


def procedure_out(proc: Procedure, viewer=None) -> dict:
    return {
        "id": proc.pk,
        "kind": proc.kind,
        "kind_label": str(proc.get_kind_display()),
        "status": proc.status,
        "state": proc.state,
        "outcome": proc.outcome,
        "organization": proc.organization.name,
        "handler": str(proc.handler) if proc.handler_id else None,
        "follows": proc.follows_id,
        "started_at": proc.started_at,
        "ended_at": proc.ended_at,
        "version": proc.version,
        "data": {k: v for k, v in proc.data.items() if v not in ("", None)},
        "steps": [step_out(s, proc.kind) for s in proc.steps.all()],
        "sessions": [
            {"held_at": s.held_at, "place": s.place, "participants": s.participants, "minutes": s.minutes}
            for s in proc.sessions.all()
        ],
        "allowed_actions": (
            [a.code for a in selectors.allowed_actions(viewer=viewer, procedure=proc)] if viewer else []
        ),
    }


def procedures_out(case: Case, viewer=None) -> list[dict]:
    """For GET /cases/{number}: every procedure of the case with its steps and due dates."""
    return [procedure_out(p, viewer) for p in selectors.case_procedures(case=case)]
