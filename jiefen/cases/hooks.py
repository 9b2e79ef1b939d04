"""What else must happen, in the same transaction, when a case is written.

Services in cases call `case_written` after every change, with the event they appended. The
readers that keep derived data (dashboard counters, alert rules, notification outbox) are
called from here, by name, so the whole chain is visible in one place instead of hidden in
signals. Each callee must be cheap and must not write the case itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jiefen.cases.models import Case, CaseEvent, Party


def case_written(*, case: Case, event: CaseEvent, before: dict | None) -> None:
    """`before` is the case's summary before the change:
    {"status", "level", "category", "lead_organization_id", "resolved_level", "due_at"}.
    (Registrations go through `cases_registering` and `cases_registered`; the consumers still
    take `before=None` for a new case one at a time, which the batch path is tested against.)"""
    from jiefen.alerts.services import on_case_written as alerts_on_case_written
    from jiefen.dashboard.services import on_case_written as counters_on_case_written
    from jiefen.notifications.services import notify_case_written
    from jiefen.triage.services import on_case_written as triage_on_case_written

    triage_on_case_written(case=case, event=event, before=before)
    counters_on_case_written(case=case, event=event, before=before)
    alerts_on_case_written(case=case, event=event, before=before)
    notify_case_written(case=case, event=event, before=before)
    if event.kind == "reopen":
        from jiefen.portal.services import on_case_reopened

        on_case_reopened(case=case, event=event)
    if event.kind in ("close", "conclude"):
        from jiefen.procedures.services import follow_up_on_close

        follow_up_on_close(case=case, actor=event.actor)
    return None


def cases_registering(cases: list[Case], parties: list[list[Party]]) -> dict:
    """What the consumers of `cases_registered` read for these new cases (built, not yet
    written, no number yet; `parties`: each case's new Party rows), read before the county's
    numbers are taken so that the reads do not lengthen the time that registrations of the
    county wait for each other."""
    from jiefen.alerts.services import registration_reads as alerts_registration_reads

    return {"alerts": alerts_registration_reads(cases, parties)}


def cases_registered(items: list[tuple[Case, CaseEvent]], reads: dict | None = None) -> None:
    """`case_written` for many cases just registered together, each with its last event: the
    same consumers, each doing its part for all of them at once. `reads`: what
    `cases_registering` read for them before they were written."""
    from jiefen.alerts.services import on_cases_registered as alerts_on_cases_registered
    from jiefen.dashboard.services import on_cases_registered as counters_on_cases_registered
    from jiefen.notifications.services import notify_cases_registered

    cases = [case for case, _event in items]
    # triage: a new case's risk was recorded at registration (nothing to recompute)
    counters_on_cases_registered(cases)
    alerts_on_cases_registered(cases, reads["alerts"] if reads else None)
    notify_cases_registered(items)


def case_summary(case: Case) -> dict:
    return {
        "status": case.status,
        "level": case.level,
        "category": case.category,
        "lead_organization_id": case.lead_organization_id,
        "resolved_level": case.resolved_level,
        "due_at": case.due_at,
    }
