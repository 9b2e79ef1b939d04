"""Reads of procedures, agreements, the closure loop and leaders' work.

Case-bound reads go through cases.selectors.case_get (the viewer's jurisdiction); the
personal lists ("my deadlines", "my cases in charge") are the viewer's own rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from jiefen.cases.models import Case, CaseEvent, CaseStep
from jiefen.cases.selectors import case_scope
from jiefen.core import clock
from jiefen.core.errors import NotFound
from jiefen.directory.models import Staff
from jiefen.procedures import definitions as d
from jiefen.procedures.choices import ExtensionStatus, ProcedureStatus, ReturnVisitStatus
from jiefen.procedures.models import (
    Agreement,
    LeaderCharge,
    Procedure,
    ProcedureStep,
    ReceptionBooking,
    ReceptionDay,
    ReturnVisit,
    StepExtension,
    SupervisionOrder,
)
from jiefen.procedures.satisfaction import case_satisfaction

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DEADLINES_LIMIT = 100


def case_procedures(*, case: Case) -> list[Procedure]:
    steps = ProcedureStep.objects.select_related("rule").prefetch_related(
        Prefetch("extensions", queryset=StepExtension.objects.order_by("requested_at", "id"))
    )
    return list(
        Procedure.objects.filter(case=case)
        .select_related("organization", "handler")
        .prefetch_related(Prefetch("steps", queryset=steps.order_by("started_at", "id")), "sessions")
        .order_by("started_at", "id")
    )


ANSWER_KEYS = ("result", "ruling_no", "court_case_no", "lawyer", "legal_route")


def procedure_answers(*, case: Case) -> dict[int, list[dict]]:
    """What each procedure of the case recorded as it went (the petition's reply, 复查 and 复核
    opinions with what they said of the demands, awards, court rulings, agreements), read
    from its timeline entries: {procedure id: [{at, action, label, result, demands, …}]}."""
    out: dict[int, list[dict]] = {}
    events = CaseEvent.objects.filter(
        case_id=case.pk, kind__in=("step_completed", "agreement_recorded")
    ).order_by("at", "id")
    for ev in events.only("at", "data", "kind"):
        data = ev.data or {}
        pid, code = data.get("procedure"), data.get("action", "")
        if pid is None or not (set(data) & {*ANSWER_KEYS, "agreement", "demands"}):
            continue
        act = d.action_def(data.get("procedure_kind", ""), code)
        out.setdefault(pid, []).append(
            {
                "at": ev.at,
                "on": data.get("on", ""),
                "action": code,
                "label": act.label if act else code,
                "demands": data.get("demands", ""),
                "demands_label": d.DEMANDS.get(data.get("demands", ""), ""),
                **{k: data[k] for k in ANSWER_KEYS if data.get(k)},
                "agreement": data.get("agreement"),
            }
        )
    return out


def courts_of(*, case: Case) -> list:
    """The courts and people's tribunals of the case's county (to apply for a confirmation)."""
    from jiefen.directory.models import Organization

    return list(
        Organization.objects.filter(kind__in=d.COURT_KINDS, is_active=True)
        .filter(Q(region_id=case.county_id) | Q(region__county_id=case.county_id))
        .order_by("kind", "name")
    )


def procedure_get(*, viewer: Staff, pk: int) -> Procedure:
    proc = (
        Procedure.objects.filter(pk=pk, case__in=Case.objects.filter(case_scope(viewer)))
        .select_related("case", "organization", "handler")
        .first()
    )
    if proc is None:
        raise NotFound(_("No such procedure."))
    return proc


def _roles(viewer: Staff) -> set[str]:
    return set(d.WORKERS | d.HEADS) if viewer.is_superuser else set(viewer.roles or [])


def allowed_actions(*, viewer: Staff, procedure: Procedure) -> list[d.ActDef]:
    """The actions the viewer may take now: the same tables procedure_act enforces."""
    if procedure.status == ProcedureStatus.ENDED:
        return []
    roles = _roles(viewer)
    kd = d.KINDS[procedure.kind]
    if procedure.status == ProcedureStatus.SUSPENDED:
        acts = [d.GENERIC["resume"], d.GENERIC["withdraw"]]
    else:
        acts = [a for a in kd.actions.values() if procedure.state in a.sources]
        acts.append(d.GENERIC["suspend"])
        sd = kd.steps.get(procedure.state)
        if sd is not None and sd.extension and sd.rule:
            acts.append(d.GENERIC["request_extension"])
            if sd.extension == "approval" and roles & sd.approvers:
                acts += [d.GENERIC["approve_extension"], d.GENERIC["reject_extension"]]
        acts.append(d.GENERIC["withdraw"])
    return [a for a in acts if roles & a.roles]


def pending_extensions(*, procedure: Procedure) -> list[StepExtension]:
    return list(
        StepExtension.objects.filter(step__procedure=procedure, status=ExtensionStatus.REQUESTED).order_by(
            "id"
        )
    )


def agreement_latest(*, case: Case, version: int | None = None) -> Agreement:
    qs = Agreement.objects.filter(case=case).select_related("procedure", "procedure__organization")
    agreement = qs.filter(version=version).first() if version else qs.order_by("-version").first()
    if agreement is None:
        raise NotFound(_("No agreement."))
    return agreement


def agreements(*, case: Case) -> list[Agreement]:
    return list(Agreement.objects.filter(case=case).order_by("-version"))


@dataclass
class Deadline:
    kind: str  # case, step, return_visit, supervision
    due_at: datetime | None
    case_number: str
    label: str
    procedure_kind: str = ""
    step: str = ""
    ref: int = 0
    provisional: bool = False  # counted on the statutory holidays of a year without its notice

    @property
    def overdue(self) -> bool:
        return self.due_at is not None and self.due_at < clock.now()


STEP_COLUMNS = ("pk", "due_at", "code", "procedure_id", "procedure__kind", "case__number", "due_provisional")


def my_deadline_steps(*, viewer: Staff, limit: int = DEADLINES_LIMIT) -> list[tuple]:
    """Open steps the viewer handles, and unowned ones of their organisation, soonest first,
    as (id, due_at, code, procedure_id, procedure_kind, case_number, due_provisional) rows.

    Two index range scans (partial indexes on open steps), each stopping after `limit` rows,
    merged here: the cost does not grow with the number of cases.
    """
    base = ProcedureStep.objects.filter(ended_at__isnull=True, due_at__isnull=False)
    mine = list(base.filter(handler=viewer).order_by("due_at", "id").values_list(*STEP_COLUMNS)[:limit])
    org_rows: list[tuple] = []
    if viewer.organization_id:
        org_rows = list(
            base.filter(organization_id=viewer.organization_id, handler__isnull=True)
            .order_by("due_at", "id")
            .values_list(*STEP_COLUMNS)[:limit]
        )
    return sorted(mine + org_rows, key=lambda r: (r[1], r[0]))[:limit]


CASE_CLOCK_LABELS = {"acceptance": _("acceptance time limit"), "handling": _("handling time limit")}


def my_case_clocks(*, viewer: Staff, limit: int = DEADLINES_LIMIT) -> list[Deadline]:
    """The running clocks of the cases the viewer's organisation leads (受理期限, 办理期限),
    soonest first: one range scan of the partial index on (lead organisation, due_at)."""
    if not viewer.organization_id:
        return []
    rows = (
        Case.objects.filter(lead_organization_id=viewer.organization_id, due_at__isnull=False)
        .order_by("due_at", "id")
        .values_list("pk", "due_at", "number", "due_provisional", "status")[:limit]
    )
    codes = dict(
        CaseStep.objects.filter(case_id__in=[r[0] for r in rows], ended_at__isnull=True).values_list(
            "case_id", "code"
        )
    )
    out = []
    for pk, due_at, number, provisional, _status in rows:
        code = codes.get(pk, "")
        label = str(CASE_CLOCK_LABELS[code]) if code in CASE_CLOCK_LABELS else str(_("case time limit"))
        out.append(Deadline("case", due_at, number, label, step=code, ref=pk, provisional=provisional))
    return out


def my_deadlines(*, viewer: Staff, limit: int = DEADLINES_LIMIT) -> list[Deadline]:
    """Everything with a due date on the viewer's desk: the clocks of the cases their
    organisation leads, procedure steps, return visits, supervision replies."""
    rows = my_case_clocks(viewer=viewer, limit=limit)
    for _pk, due_at, code, procedure_id, kind, number, prov in my_deadline_steps(viewer=viewer, limit=limit):
        sd = d.KINDS[kind].steps.get(code)
        label = str(sd.label) if sd else code
        rows.append(Deadline("step", due_at, number, label, kind, code, procedure_id, provisional=prov))
    if viewer.organization_id:
        visits = ReturnVisit.objects.filter(
            organization_id=viewer.organization_id, status=ReturnVisitStatus.SCHEDULED
        ).order_by("due_at", "id")
        for pk, due_at, number, prov in visits.values_list("pk", "due_at", "case__number", "due_provisional")[
            :limit
        ]:
            rows.append(
                Deadline("return_visit", due_at, number, str(_("return visit")), ref=pk, provisional=prov)
            )
        orders = SupervisionOrder.objects.filter(
            organization_id=viewer.organization_id, replied_at__isnull=True
        ).order_by("due_at", "id")
        for pk, due_at, number, prov in orders.values_list("pk", "due_at", "case__number", "due_provisional")[
            :limit
        ]:
            label = str(_("reply to a supervision order"))
            rows.append(Deadline("supervision", due_at, number, label, ref=pk, provisional=prov))
    return sorted(rows, key=lambda r: (r.due_at is None, r.due_at or clock.now()))[:limit]


def leader_cases(*, viewer: Staff) -> QuerySet[LeaderCharge]:
    return (
        LeaderCharge.objects.filter(leader=viewer, ended_at__isnull=True)
        .select_related("case", "case__lead_organization")
        .order_by("-started_at")
    )


def case_followup(*, case: Case) -> dict:
    return {
        "feedback": list(case.feedback.select_related("party").order_by("at")),
        "satisfaction": case_satisfaction(case=case),
        "return_visits": list(case.return_visits.order_by("due_at")),
        "leaders": list(case.leader_charges.filter(ended_at__isnull=True).select_related("leader")),
        "supervisions": list(
            case.supervisions.select_related("organization", "issued_by").order_by("due_at")
        ),
    }


def reception_list(*, viewer: Staff, since=None, limit: int = 50) -> list[ReceptionDay]:
    """Reception days and visits down from `since` (default today), with the cases booked in
    that the viewer may see."""
    from jiefen.procedures.services import staff_county_id

    since = since or clock.today()
    days_qs = ReceptionDay.objects.filter(date__gte=since)
    county_id = staff_county_id(viewer)
    if county_id is not None:  # the county's own days; a system administrator sees all
        days_qs = days_qs.filter(
            Q(leader__organization__region_id=county_id)
            | Q(leader__organization__region__county_id=county_id)
        )
    elif not viewer.is_superuser:
        return []
    days = list(
        days_qs.select_related("leader")
        .prefetch_related(
            Prefetch(
                "bookings",
                queryset=ReceptionBooking.objects.filter(case__in=Case.objects.filter(case_scope(viewer)))
                .select_related("case")
                .order_by("booked_at"),
            )
        )
        .order_by("date", "id")[:limit]
    )
    return days


def procedure_kinds_offered(*, viewer: Staff, case: Case) -> list[tuple[str, StrOrPromise]]:
    """(kind, label) of the procedures this viewer's organisation may start on this case: the
    kinds that fit its category and the organisation (definitions.offered), less those running."""
    from jiefen.procedures.choices import ProcedureKind, ProcedureStatus

    running = set(
        Procedure.objects.filter(case=case)
        .exclude(status=ProcedureStatus.ENDED)
        .values_list("kind", flat=True)
    )
    org = getattr(viewer, "organization", None)
    return [
        (k, label)
        for k, label in ProcedureKind.choices
        if k not in running
        and d.offered(d.KINDS[k], category=case.category, organization_kind=org.kind if org else None)
    ]
