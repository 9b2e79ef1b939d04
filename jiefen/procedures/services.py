"""Writes of the full chain: procedures and their steps, agreements, closure loop, leaders.

Every service is one transaction that locks the case row first (then the procedure row: a
fixed order), checks everything before changing anything, and appends its CaseEvents. When a
procedure moves the case itself (agreement → resolved, arbitration → transferred) it calls
cases.services.case_transition inside the same transaction, so both commit or neither does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.cases import hooks
from jiefen.cases.choices import ENDED_STATUSES, PartyRole, Status, StatutoryRoute
from jiefen.cases.models import Case, CaseEvent, Party
from jiefen.cases.services import case_transition
from jiefen.core import clock, pii
from jiefen.core.errors import (
    Conflict,
    DomainError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from jiefen.deadlines.calendar import WorkCalendar, deadline
from jiefen.deadlines.models import TimeLimitRule
from jiefen.deadlines.selectors import time_limit_rule, work_calendar
from jiefen.directory.models import Organization, Staff
from jiefen.procedures import definitions as d
from jiefen.procedures.choices import (
    ExtensionStatus,
    FeedbackSource,
    ProcedureKind,
    ProcedureStatus,
    ReceptionKind,
    ReturnVisitStatus,
)
from jiefen.procedures.guards import normalize_facts, person_hashes
from jiefen.procedures.models import (
    Agreement,
    LeaderCharge,
    MediationSession,
    PartyFeedback,
    PetitionEnded,
    Procedure,
    ProcedureStep,
    ReceptionBooking,
    ReceptionDay,
    ReturnVisit,
    StepExtension,
    SupervisionOrder,
)

# A case may run procedures while it is handled, and after it is resolved (司法确认 of an
# agreement) or transferred to a statutory route; never before acceptance or once it has ended.
STARTABLE = frozenset(
    {Status.ACCEPTED, Status.IN_PROGRESS, Status.SUSPENDED, Status.RESOLVED, Status.TRANSFERRED}
)
RETURN_VISIT_RULE = "case.return_visit"
SUPERVISION_RULE = "leader.supervision_reply"
# The shorter default reply time of a 督办 on a case assessed red (migration 0004; data).
SUPERVISION_RULE_RED = "leader.supervision_reply_red"
MAX_TEXT = 20000
MAX_EXTENSION_DAYS = 366


# ---------------------------------------------------------------- clocks (pure)


class StepDue(NamedTuple):
    """The end of a step's last day, and whether that day is provisional (counted on the
    statutory holidays of a year whose notice is not loaded yet)."""

    at: datetime
    provisional: bool


def step_due(
    *,
    rule: TimeLimitRule,
    start_day: date,
    extended_days: int = 0,
    paused: list[list[str]] | None = None,
    calendar: WorkCalendar | None = None,
) -> StepDue:
    """The end of the last day of a step: rule days plus approved extensions, counted from the
    day after `start_day` in the rule's unit, paused intervals not counted."""
    intervals = [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in (paused or [])]
    due = deadline(start_day, rule.days + extended_days, rule.unit, calendar or work_calendar(), intervals)
    return StepDue(clock.end_of_day(due.day), due.provisional)


def _local(dt: datetime) -> date:
    return timezone.localtime(dt).date()


def _at(day: date, now: datetime) -> datetime:
    """The moment recorded for something that happened on `day` (now if today)."""
    if day == _local(now):
        return now
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


# ---------------------------------------------------------------- shared helpers


def case_event_append(
    case: Case,
    kind: str,
    actor: Staff | None,
    *,
    at: datetime | None = None,
    reason: str = "",
    data: dict | None = None,
) -> CaseEvent:
    """Append one timeline entry for a change of this app and tell the case's readers."""
    event = CaseEvent.objects.create(
        case=case, at=at or clock.now(), actor=actor, kind=kind, reason=reason, data=data or {}
    )
    hooks.case_written(case=case, event=event, before=hooks.case_summary(case))
    return event


def notify_parties(
    case: Case, kind: str, *, actor: Staff | None = None, data: dict | None = None
) -> CaseEvent:
    """The one call point for "the result is notified to the parties".

    Writes a `result_notified` CaseEvent (kind: closed, no_agreement, …) and puts one SMS per
    party with a phone into the notifications outbox, in the caller's transaction. For
    `closed` no SMS is added here: notifications already tells the applicant the result when
    the case is resolved and invites a rating when it is closed (its hook on those events).
    """
    data = {"kind": kind, **(data or {})}
    event = case_event_append(case, "result_notified", actor, data=data)
    if kind == "closed":
        return event
    try:
        from jiefen.notifications.choices import Template
        from jiefen.notifications.services import NO_APPLICANT_SMS_CHANNELS, outbox_enqueue
    except ImportError:  # pragma: no cover - notifications not installed
        return event
    text = {
        "no_agreement": _("mediation ended without agreement; other routes: %(route)s")
        % {"route": data.get("legal_route", "")},
    }.get(kind, kind)
    for party in case.parties.exclude(phone_enc=""):
        if party.role == PartyRole.APPLICANT and case.channel in NO_APPLICANT_SMS_CHANNELS:
            continue
        outbox_enqueue(
            template=Template.CASE_RESULT,
            key=f"case:{case.pk}:ev:{event.pk}:result:p{party.pk}",
            context={"number": case.number, "text": text[:300]},
            phone=pii.decrypt(party.phone_enc),
            case=case,
        )
    return event


def _roles(actor: Staff) -> set[str]:
    if actor.is_superuser:
        return set(d.WORKERS | d.HEADS)
    return set(actor.roles or [])


def _lock_case(case: Case | int) -> Case:
    pk = case.pk if isinstance(case, Case) else case
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("county", "lead_organization")
        .filter(pk=pk)
        .first()
    )
    if locked is None:
        raise NotFound(_("No such case."))
    return locked


def _refresh(case: Case) -> Case:
    return Case.objects.select_related("county", "lead_organization").get(pk=case.pk)


def _text(value: str | None, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(
            _("This field is required."),
            code="reason_required" if field == "reason" else "validation_failed",
            fields={field: [_("required")]},
        )
    if len(value) > limit:
        raise ValidationFailed(_("Too long."), fields={field: [_("at most %(n)s characters") % {"n": limit}]})
    return value


def _check_day(case: Case, day: date | None, *, field: str = "on", not_before: date | None = None) -> date:
    """A date of an event of this case: not before the case was received, not in the future."""
    today = clock.today()
    if day is None:
        return today
    if day < _local(case.received_at):
        raise ValidationFailed(
            _("The date %(day)s is before the case was received (%(received)s).")
            % {"day": day.isoformat(), "received": _local(case.received_at).isoformat()},
            code="date_before_received",
            fields={field: [_("before the case was received")]},
        )
    if day > today:
        raise ValidationFailed(
            _("The date %(day)s is in the future.") % {"day": day.isoformat()},
            code="date_in_future",
            fields={field: [_("in the future")]},
        )
    if not_before is not None and day < not_before:
        raise ValidationFailed(
            _("The date %(day)s is before this step started (%(start)s).")
            % {"day": day.isoformat(), "start": not_before.isoformat()},
            code="date_before_step_start",
            fields={field: [_("before the step started")]},
        )
    return day


def _rule_for(proc: Procedure, sd: d.StepDef) -> TimeLimitRule | None:
    if sd.rule is None:
        return None
    if proc.data.get("simple") and sd.simple_rule:
        try:
            return time_limit_rule(sd.simple_rule, proc.province)
        except NotFound:
            pass  # no simple-procedure variant for this province: the ordinary limit applies
    return time_limit_rule(sd.rule, proc.province)


def _open_step(proc: Procedure, sd: d.StepDef, start_day: date, now: datetime) -> ProcedureStep:
    rule = _rule_for(proc, sd)
    due = step_due(rule=rule, start_day=start_day) if rule is not None else None
    step = ProcedureStep.objects.create(
        procedure=proc,
        case_id=proc.case_id,
        handler=proc.handler,
        organization=proc.organization,
        code=sd.code,
        rule=rule,
        started_at=_at(start_day, now),
        due_at=due.at if due else None,
        due_provisional=bool(due and due.provisional),
    )
    proc.state = sd.code
    return step


def _recompute_due(step: ProcedureStep) -> None:
    if step.rule is not None:
        step.due_at, step.due_provisional = step_due(
            rule=step.rule,
            start_day=_local(step.started_at),
            extended_days=step.extended_days,
            paused=step.paused_intervals,
        )


def _open_step_of(proc: Procedure) -> ProcedureStep | None:
    return proc.steps.filter(ended_at__isnull=True).order_by("-started_at", "-id").first()


# ---------------------------------------------------------------- case effects


def _case_effect(
    effect: str,
    case: Case,
    actor: Staff,
    reason: str,
    *,
    result: str = "",
    demands: str = "",
    reviewed_above: bool = False,
) -> Case:
    """Move the case itself through cases.services.case_transition when a procedure says so.
    `reviewed_above`: the act was a 复查/复核 opinion by a body above the one that answered
    (信访工作条例 第35、36条, checked by `_check_body_above`): that body ends the matter although
    the case is led by the body below."""
    case = _refresh(case)
    if effect == "case_start":
        if case.status == Status.ACCEPTED:
            case = case_transition(case=case.number, actor=actor, action="start")
        return case
    if effect in ("case_transfer_arbitration", "case_transfer_litigation"):
        route = StatutoryRoute.ARBITRATION if effect.endswith("arbitration") else StatutoryRoute.LITIGATION
        if case.status in (Status.ACCEPTED, Status.IN_PROGRESS):
            case = case_transition(
                case=case.number,
                actor=actor,
                action="transfer",
                statutory_route=route,
                reason=reason
                or str(_("Procedure started: %(route)s") % {"route": StatutoryRoute(route).label}),
            )
        return case
    if effect in ("case_resolve", "case_resolve_or_end"):
        # A petition answer that rejected the demands ends the matter (办结, `conclude`):
        # it is never counted as resolved (已化解).
        action = "conclude" if effect == "case_resolve_or_end" and demands == "rejected" else "resolve"
        if case.status == Status.ACCEPTED:
            case = case_transition(case=case.number, actor=actor, action="start")
        if case.status in (Status.IN_PROGRESS, Status.TRANSFERRED):
            case = case_transition(
                case=case.number, actor=actor, action=action, reason=result, reviewed_above=reviewed_above
            )
        return case
    return case


# ---------------------------------------------------------------- procedures


@dataclass
class ActInput:
    """What an action may carry; each action uses the fields its definition `needs`."""

    on: date | None = None
    reason: str = ""
    terms: str = ""
    facts: str = ""
    performance: str = ""
    effective_on: date | None = None
    legal_route: str = ""
    result: str = ""
    demands: str = ""  # petition answers: upheld, partly or rejected (definitions.DEMANDS)
    ruling_no: str = ""
    court_case_no: str = ""
    lawyer: str = ""
    days: int | None = None
    extension_id: int | None = None
    parties_consent: bool = False
    held_at: datetime | None = None
    mediators: str = ""
    place: str = ""
    participants: str = ""
    minutes: str = ""
    # Judicial confirmation: the court applied to (an organisation of kind court/人民法庭), and the
    # date of its ruling (default: the action's date).
    court_id: int | None = None
    ruling_on: date | None = None
    # An agreement the parties reached by themselves, witnessed by the body: 和解协议书.
    settlement: bool = False


def procedure_start(
    *,
    case: Case,
    actor: Staff,
    kind: str,
    on: date | None = None,
    received_on: date | None = None,
    simple: bool = False,
    handler: Staff | None = None,
    mediators: str = "",
    note: str = "",
    follows: Procedure | None = None,
) -> Procedure:
    """Start a procedure of `kind` on a case and open its first step with its due date.

    `received_on`: when the body received the application, for steps the law counts from
    receipt (default: the case's received_at). Judicial confirmation counts from the day the
    latest agreement took effect and is refused once its 30 days have passed.
    """
    kd = d.kind_def(kind)
    if kd is None:
        raise ValidationFailed(
            _("Unknown procedure kind: %(k)s") % {"k": str(kind)[:40]},
            code="unknown_procedure_kind",
            fields={"kind": [_("unknown")]},
        )
    if not _roles(actor) & d.WORKERS:
        raise PermissionDenied(_("You may not start procedures."), code="procedure_not_allowed_role")
    org = actor.organization
    if not d.offered(kd, category=case.category, organization_kind=org.kind if org else None):
        raise IllegalTransition(
            _("%(kind)s is not a procedure for this case or for %(org)s.")
            % {"kind": ProcedureKind(kind).label, "org": org.name if org else "—"},
            code="procedure_not_offered",
        )
    note = _text(note, "note", limit=2000)
    mediators = _text(mediators, "mediators", limit=200)
    with transaction.atomic():
        locked = _lock_case(case)
        if locked.status not in STARTABLE:
            raise IllegalTransition(
                _("A procedure cannot be started while the case is %(status)s.")
                % {"status": Status(locked.status).label},
                code="procedure_illegal_action",
            )
        if Procedure.objects.filter(case=locked, kind=kind).exclude(status=ProcedureStatus.ENDED).exists():
            raise IllegalTransition(
                _("This procedure is already running on the case."), code="procedure_already_running"
            )
        now = clock.now()
        on_day = _check_day(locked, on)
        first = kd.steps[kd.first]
        follows_agreement = None
        if kd.requires_agreement:
            agreement = Agreement.objects.filter(case=locked).order_by("-version").first()
            if agreement is None:
                raise IllegalTransition(
                    _("Judicial confirmation needs a mediation agreement first."), code="agreement_required"
                )
            start_day, follows_agreement = agreement.effective_on, agreement.procedure
        elif first.start == d.FROM_RECEIPT:
            start_day = (
                _check_day(locked, received_on, field="received_on")
                if received_on
                else _local(locked.received_at)
            )
        else:
            start_day = on_day
        follows = follows if follows is not None else follows_agreement
        proc = Procedure.objects.create(
            case=locked,
            kind=kind,
            organization=actor.organization or locked.lead_organization,
            handler=handler or actor,
            follows=follows,
            province=locked.county.code[:2],
            data={"simple": bool(simple), "mediators": mediators, "note": note},
            started_at=_at(on_day, now),
            started_by=actor,
        )
        step = _open_step(proc, first, start_day, now)
        if first.window and step.due_at is not None and clock.today() > _local(step.due_at):
            raise IllegalTransition(
                _("The time limit to apply ended on %(day)s.") % {"day": _local(step.due_at).isoformat()},
                code="deadline_passed",
            )
        proc.save(update_fields=["state"])
        case_event_append(
            locked,
            "procedure_started",
            actor,
            at=now,
            reason=note,
            data={
                "procedure": proc.pk,
                "kind": kind,
                "step": step.code,
                "due_at": step.due_at.isoformat() if step.due_at else None,
            },
        )
        for effect in kd.start_effects:
            _case_effect(effect, locked, actor, note)
    return proc


def procedure_act(
    *,
    procedure: Procedure | int,
    actor: Staff,
    action: str,
    data: ActInput | None = None,
    version: int | None = None,
) -> Procedure:
    """Move a procedure by one action of its definition, or refuse with a stable code."""
    data = data or ActInput()
    pk = procedure.pk if isinstance(procedure, Procedure) else procedure
    case_id = Procedure.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound(_("No such procedure."))
    with transaction.atomic():
        case = _lock_case(case_id)
        proc = Procedure.objects.select_for_update().select_related("organization").get(pk=pk)
        if version is not None and version != proc.version:
            raise Conflict(_("The procedure was changed by someone else; reload it and try again."))
        act = d.action_def(proc.kind, action)
        if act is None and any(action in k.actions for k in d.KINDS.values()):
            raise IllegalTransition(
                _("'%(action)s' is not an action of this procedure.") % {"action": str(action)[:40]},
                code="procedure_illegal_action",
            )
        if act is None:
            raise ValidationFailed(
                _("Unknown action: %(a)s") % {"a": str(action)[:40]},
                code="unknown_action",
                fields={"action": [_("unknown")]},
            )
        generic = action in d.GENERIC
        if proc.status == ProcedureStatus.ENDED:
            raise IllegalTransition(_("This procedure has ended."), code="procedure_illegal_action")
        if not generic and action not in d.KINDS[proc.kind].actions:
            raise IllegalTransition(_("Not an action of this procedure."), code="procedure_illegal_action")
        if not generic and proc.state not in act.sources:
            raise IllegalTransition(
                _("'%(action)s' is not possible at this step.") % {"action": act.label},
                code="procedure_illegal_action",
            )
        if proc.status == ProcedureStatus.SUSPENDED and action not in ("resume", "withdraw"):
            raise IllegalTransition(
                _("The procedure is suspended: resume it first."), code="procedure_illegal_action"
            )
        if not _roles(actor) & act.roles:
            raise PermissionDenied(
                _("Your role may not take this action."), code="procedure_not_allowed_role"
            )
        if act.above:
            _check_body_above(proc, act, actor)
        reason = _text(data.reason, "reason", required=act.reason_required, limit=2000)
        for need in act.needs:
            value = getattr(data, need)
            if value in (None, "") or (isinstance(value, str) and not value.strip()):
                raise ValidationFailed(
                    _("This action needs: %(f)s") % {"f": need}, fields={need: [_("required")]}
                )
        step = _open_step_of(proc)
        sd = d.KINDS[proc.kind].steps.get(proc.state)
        now = clock.now()
        on = _check_day(case, data.on, not_before=_local(step.started_at) if step else None)
        if generic:
            event_data = _generic(proc, step, sd, act, actor, data, on, now, reason)
            kind = {
                "suspend": "procedure_suspended",
                "resume": "procedure_resumed",
                "request_extension": "extension_requested",
                "approve_extension": "extension_approved",
                "reject_extension": "extension_rejected",
                "withdraw": "procedure_ended",
            }[action]
        else:
            if (
                not act.ends
                and sd is not None
                and sd.window
                and step is not None
                and step.due_at
                and on > _local(step.due_at)
            ):
                raise IllegalTransition(
                    _("The time limit for this ended on %(day)s.") % {"day": _local(step.due_at).isoformat()},
                    code="deadline_passed",
                )
            event_data, kind = _specific(case, proc, step, act, actor, data, on, now)
        if act.ends and proc.status != ProcedureStatus.ENDED:
            _end(proc, step, act, now)
        proc.version += 1
        proc.save()
        event_data.update({"procedure": proc.pk, "procedure_kind": proc.kind, "action": action})
        if step is not None:
            event_data.setdefault("step", step.code)
        case_event_append(case, kind, actor, at=now, reason=reason, data=event_data)
        if act.ends and kind != "procedure_ended":
            case_event_append(
                case, "procedure_ended", actor, at=now, data={"procedure": proc.pk, "outcome": proc.outcome}
            )
        for effect in act.effects:
            if effect.startswith("case_"):
                _case_effect(
                    effect,
                    case,
                    actor,
                    reason,
                    result=_procedure_result(proc, act, data, reason),
                    demands=proc.data.get("demands", ""),
                    # a review by the body above (checked above) ends the case it does not lead
                    reviewed_above=bool(act.above),
                )
            elif effect.startswith("chain:"):
                _chain_next(case, proc, actor, effect.split(":", 1)[1], reason)
        if action in ("record_no_agreement",):
            notify_parties(
                case,
                "no_agreement",
                actor=actor,
                data={"procedure": proc.pk, "legal_route": data.legal_route},
            )
    return proc


def _check_body_above(proc: Procedure, act: d.ActDef, actor: Staff) -> None:
    """信访工作条例 第35、36条: the 复查 is by the body above the one that answered, the 复核 by
    the body above the one that reviewed; the same person never reviews his own answer."""
    taken = (proc.data.get("taken_by") or {}).get(act.above) or {}
    staff_id = taken.get("staff", proc.handler_id)
    answerer = (
        Organization.objects.select_related("region")
        .filter(pk=taken.get("organization", proc.organization_id))
        .first()
    )
    if staff_id == actor.pk:
        raise PermissionDenied(
            _("You took the earlier decision yourself: a body above must review it."),
            code="review_by_same_person",
        )
    reviewer = actor.organization
    if actor.is_superuser and reviewer is None:
        return
    if not d.body_above(reviewer, answerer):
        raise PermissionDenied(
            _("%(act)s is recorded by a body above %(org)s (信访工作条例 第35、36条).")
            % {"act": act.label, "org": answerer.name if answerer else "—"},
            code="review_body_not_above",
        )


def procedures_follow_case(*, case: Case, old_organization_id: int | None, actor: Staff | None) -> int:
    """When the case moves to another lead organisation (escalated, delegated, returned,
    routed), its open procedures run by the old lead move with it: the new lead owns them and
    their open steps (no handler until it assigns one), each with a timeline entry. Called by
    cases.hooks.case_written inside the case's transaction."""
    if not old_organization_id or case.lead_organization_id == old_organization_id:
        return 0
    moved = 0
    now = clock.now()
    procs = (
        Procedure.objects.select_for_update()
        .filter(case=case, organization_id=old_organization_id)
        .exclude(status=ProcedureStatus.ENDED)
    )
    for proc in procs:
        proc.organization_id, proc.handler = case.lead_organization_id, None
        proc.version += 1
        proc.save(update_fields=["organization", "handler", "version"])
        ProcedureStep.objects.filter(procedure=proc, ended_at__isnull=True).update(
            organization_id=case.lead_organization_id, handler=None
        )
        case_event_append(
            case,
            "procedure_moved",
            actor,
            at=now,
            data={
                "procedure": proc.pk,
                "kind": proc.kind,
                "from_organization": old_organization_id,
                "to_organization": case.lead_organization_id,
            },
        )
        moved += 1
    return moved


def _procedure_result(proc: Procedure, act: d.ActDef, data: ActInput, reason: str) -> str:
    """The case's result when a procedure resolves or ends it: the agreement's terms, the
    award, ruling or opinion entered, else the last one the procedure recorded."""
    if "agreement" in act.effects and data.terms.strip():
        return str(_("Agreement: %(terms)s") % {"terms": data.terms.strip()})[:2000]
    text = data.result.strip() or proc.data.get("result", "") or reason
    return text[:2000] or str(act.label)


def _end(proc: Procedure, step: ProcedureStep | None, act: d.ActDef, now: datetime) -> None:
    if step is not None and step.ended_at is None:
        step.ended_at, step.outcome = now, act.code
        step.save(update_fields=["ended_at", "outcome"])
    proc.status, proc.outcome, proc.ended_at, proc.state = ProcedureStatus.ENDED, act.outcome, now, ""


def _generic(proc, step, sd, act, actor, data: ActInput, on: date, now: datetime, reason: str) -> dict:
    code = act.code
    if code == "withdraw":
        _end(proc, step, act, now)
        return {"outcome": proc.outcome}
    if step is None:
        raise IllegalTransition(_("There is no open step."), code="procedure_illegal_action")
    if code == "suspend":
        if proc.status == ProcedureStatus.SUSPENDED:
            raise IllegalTransition(_("The procedure is already suspended."), code="procedure_illegal_action")
        step.paused_since = _at(on, now)
        step.save(update_fields=["paused_since"])
        proc.status = ProcedureStatus.SUSPENDED
        return {"since": on.isoformat()}
    if code == "resume":
        if proc.status != ProcedureStatus.SUSPENDED or step.paused_since is None:
            raise IllegalTransition(_("The procedure is not suspended."), code="procedure_illegal_action")
        first = _local(step.paused_since)
        if on < first:
            raise ValidationFailed(
                _("The clock cannot resume before it was suspended."),
                code="date_before_step_start",
                fields={"on": [_("before the suspension")]},
            )
        step.paused_intervals = [*step.paused_intervals, [first.isoformat(), on.isoformat()]]
        step.paused_since = None
        _recompute_due(step)
        step.save(update_fields=["paused_since", "paused_intervals", "due_at", "due_provisional"])
        proc.status = ProcedureStatus.ACTIVE
        return {"paused": [first.isoformat(), on.isoformat()], "due_at": _iso(step.due_at)}
    if sd is None or not sd.extension or step.rule is None:
        raise IllegalTransition(
            _("The time limit of this step cannot be extended."), code="extension_not_allowed"
        )
    bound = step.rule.extension_days or (step.rule.days if sd.extension == "consent" else 0)
    if code == "request_extension":
        days = data.days or 0
        if days < 1 or days > MAX_EXTENSION_DAYS:
            raise ValidationFailed(_("Give the number of days."), fields={"days": [_("1 or more")]})
        pending = sum(step.extensions.filter(status=ExtensionStatus.REQUESTED).values_list("days", flat=True))
        if step.extended_days + pending + days > bound:
            raise ValidationFailed(
                _("The extension exceeds the bound of %(bound)s days (already %(used)s).")
                % {"bound": bound, "used": step.extended_days + pending},
                code="extension_exceeds_bound",
                fields={"days": [_("at most %(n)s") % {"n": max(bound - step.extended_days - pending, 0)}]},
            )
        ext = StepExtension(
            step=step,
            days=days,
            reason=reason,
            basis=sd.extension,
            requested_by=actor,
            requested_at=now,
        )
        if sd.extension == "consent":
            if not data.parties_consent:
                raise ValidationFailed(
                    _("This extension needs the consent of all parties."),
                    code="consent_required",
                    fields={"parties_consent": [_("required")]},
                )
            ext.status, ext.decided_by, ext.decided_at = ExtensionStatus.APPROVED, actor, now
            step.extended_days += days
            _recompute_due(step)
            step.save(update_fields=["extended_days", "due_at", "due_provisional"])
        ext.save()
        return {"extension": ext.pk, "days": days, "status": ext.status, "due_at": _iso(step.due_at)}
    ext = step.extensions.filter(pk=data.extension_id, status=ExtensionStatus.REQUESTED).first()
    if ext is None:
        raise NotFound(_("No such pending extension."))
    if not _roles(actor) & sd.approvers:
        raise PermissionDenied(
            _("An extension of this step is approved by %(who)s.")
            % {"who": step.rule.extension_approver or "—"},
            code="extension_not_allowed_role",
        )
    if code == "approve_extension":
        if step.extended_days + ext.days > bound:
            raise ValidationFailed(
                _("The extension exceeds the bound of %(bound)s days.") % {"bound": bound},
                code="extension_exceeds_bound",
                fields={"days": [_("too many")]},
            )
        step.extended_days += ext.days
        _recompute_due(step)
        step.save(update_fields=["extended_days", "due_at", "due_provisional"])
        ext.status = ExtensionStatus.APPROVED
    else:
        ext.status = ExtensionStatus.REJECTED
    ext.decided_by, ext.decided_at = actor, now
    ext.save(update_fields=["status", "decided_by", "decided_at"])
    return {"extension": ext.pk, "days": ext.days, "status": ext.status, "due_at": _iso(step.due_at)}


def _specific(case, proc, step, act, actor, data: ActInput, on: date, now: datetime) -> tuple[dict, str]:
    out: dict = {}
    for key in ("result", "ruling_no", "court_case_no", "lawyer", "legal_route"):
        value = _text(getattr(data, key), key, limit=2000)
        if value:
            proc.data[key] = value
            out[key] = value
    if data.demands:
        if data.demands not in d.DEMANDS:
            raise ValidationFailed(
                _("Say whether the demands are upheld, partly upheld or rejected."),
                fields={"demands": [_("invalid")]},
            )
        proc.data["demands"] = out["demands"] = data.demands
    if "court_id" in act.needs:
        court = _court(case, data.court_id)
        proc.data.update({"court_id": court.pk, "court_name": court.name})
        out.update({"court_id": court.pk, "court_name": court.name})
    if act.code in ("confirm", "reject", "court_refuse"):
        ruling_on = _check_day(case, data.ruling_on or on, field="ruling_on")
        proc.data["ruling_on"] = ruling_on.isoformat()
        out["ruling_on"] = ruling_on.isoformat()
    if "agreement" in act.effects and data.settlement:
        proc.data["settlement"] = True
    if act.code == "assign_mediators":
        proc.data["mediators"] = _text(data.mediators, "mediators", required=True, limit=200)
        return {"mediators": proc.data["mediators"]}, "mediators_assigned"
    if act.code == "record_session":
        held_at = data.held_at
        if timezone.is_naive(held_at):
            held_at = timezone.make_aware(held_at)
        _check_day(case, _local(held_at), field="held_at")
        session = MediationSession.objects.create(
            procedure=proc,
            held_at=held_at,
            place=_text(data.place, "place", required=True, limit=200),
            participants=_text(data.participants, "participants", required=True, limit=2000),
            minutes=_text(data.minutes, "minutes"),
            recorded_by=actor,
        )
        return {
            "session": session.pk,
            "held_at": held_at.isoformat(),
            "place": session.place,
        }, "session_recorded"
    kind = "step_completed"
    if "agreement" in act.effects:
        agreement = _agreement_create(case, proc, actor, data, on, now)
        out.update({"agreement": agreement.pk, "version": agreement.version})
        kind = "agreement_recorded"
    if "petition_ended" in act.effects:
        parties = list(case.parties.all())
        hashes = set(person_hashes(parties))
        facts = normalize_facts(case.description)
        PetitionEnded.objects.bulk_create(
            [
                PetitionEnded(procedure=proc, case=case, person_hash=h, facts=facts, ended_at=now)
                for h in hashes
            ]
        )
    # Who took it, for the actions that must later be taken by a body above (definitions.above).
    proc.data.setdefault("taken_by", {})[act.code] = {
        "staff": actor.pk,
        "organization": actor.organization_id or proc.organization_id,
    }
    if step is not None:
        step.ended_at, step.outcome = now, act.code
        step.save(update_fields=["ended_at", "outcome"])
    if act.ends:
        _end(proc, None, act, now)
        out["outcome"] = proc.outcome
    else:
        nxt = _open_step(proc, d.KINDS[proc.kind].steps[act.target], on, now)
        out.update({"next_step": nxt.code, "due_at": _iso(nxt.due_at)})
    out["on"] = on.isoformat()
    return out, kind


def _court(case: Case, court_id: int | None) -> Organization:
    """The court applied to: an active court or people's tribunal of the case's county."""
    court = (
        Organization.objects.filter(pk=court_id or 0, kind__in=d.COURT_KINDS, is_active=True)
        .select_related("region")
        .first()
    )
    if court is None or staff_county_id_of_org(court) != case.county_id:
        raise ValidationFailed(
            _("Choose a court or people's tribunal of the case's county."),
            code="court_required",
            fields={"court_id": [_("not a court of this county")]},
        )
    return court


def _chain_next(case: Case, proc: Procedure, actor: Staff, kind: str, reason: str) -> Procedure | None:
    """The next step of the chain after a refusal (诉讼引调 after a refused confirmation): the
    case is reopened when it stood resolved on the refused agreement and the actor may reopen
    it; the new procedure follows the refused one."""
    case = _refresh(case)
    if case.status in (Status.RESOLVED, Status.CLOSED):
        from jiefen.cases.services import can_take
        from jiefen.cases.workflow import ACTIONS

        if can_take(actor, case, ACTIONS["reopen"]):
            case_transition(
                case=case.number,
                actor=actor,
                action="reopen",
                reason=str(_("Judicial confirmation refused: %(r)s") % {"r": reason})[:2000],
            )
    try:
        with transaction.atomic():
            return procedure_start(
                case=case,
                actor=actor,
                kind=kind,
                follows=proc,
                note=str(_("After the court's refusal of the judicial confirmation (诉讼引调)."))[:2000],
            )
    except DomainError:
        # The actor's body may not run the next step (procedures that fit): the refusal stands,
        # and the case page offers the next step to those who may start it.
        return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# ---------------------------------------------------------------- agreements


def _agreement_create(case, proc, actor, data: ActInput, on: date, now: datetime) -> Agreement:
    """The next version of the case's agreement (a new agreement after a reopening, too)."""
    effective = _check_day(case, data.effective_on or on, field="effective_on")
    latest = (
        Agreement.objects.filter(case=case).order_by("-version").values_list("version", flat=True).first()
    )
    return Agreement.objects.create(
        case=case,
        procedure=proc,
        version=(latest or 0) + 1,
        facts=_text(data.facts, "facts") or case.description,
        terms=_text(data.terms, "terms", required=True),
        performance=_text(data.performance, "performance", limit=2000),
        effective_on=effective,
        committee=proc.organization.name,
        mediators=(proc.data.get("mediators") or str(actor))[:200],
        created_by=actor,
        created_at=now,
    )


def agreement_revise(
    *,
    case: Case,
    actor: Staff,
    terms: str,
    facts: str = "",
    performance: str = "",
    effective_on: date | None = None,
) -> Agreement:
    """Edit the agreement's terms: a new version; earlier versions stay as they were."""
    if not _roles(actor) & d.WORKERS:
        raise PermissionDenied(_("Your role may not edit agreements."), code="procedure_not_allowed_role")
    with transaction.atomic():
        locked = _lock_case(case)
        latest = Agreement.objects.filter(case=locked).order_by("-version").first()
        if latest is None:
            raise NotFound(_("There is no agreement on this case yet."))
        confirmed = Procedure.objects.filter(case=locked, kind="judicial_confirmation").exclude(
            outcome__in=("", "withdrawn", "not_accepted", "rejected")
        )
        if confirmed.exists():
            raise IllegalTransition(
                _("The agreement has been confirmed by the court and cannot be changed."),
                code="agreement_confirmed",
            )
        now = clock.now()
        data = ActInput(
            terms=terms,
            facts=facts or latest.facts,
            performance=performance if performance else latest.performance,
            effective_on=effective_on or latest.effective_on,
        )
        agreement = _agreement_create(locked, latest.procedure, actor, data, clock.today(), now)
        case_event_append(
            locked,
            "agreement_revised",
            actor,
            at=now,
            data={"agreement": agreement.pk, "version": agreement.version},
        )
    return agreement


# ---------------------------------------------------------------- closure loop


def _closure_no(case: Case) -> int:
    return case.events.filter(kind="reopen").count() + 1


def current_closure_no(case: Case) -> int:
    """Which closure of the case its result belongs to (1 + the times it was reopened)."""
    return _closure_no(case)


def case_follow_up(*, case: Case, actor: Staff | None) -> ReturnVisit:
    """After closure: tell the parties the result and schedule the return visit (回访)
    N working days later (rule `case.return_visit`)."""
    with transaction.atomic():
        locked = _lock_case(case)
        if locked.status != Status.CLOSED:
            raise IllegalTransition(_("The case is not closed."), code="procedure_illegal_action")
        closure = _closure_no(locked)
        if ReturnVisit.objects.filter(case=locked, status=ReturnVisitStatus.SCHEDULED).exists():
            raise IllegalTransition(_("A return visit is already scheduled."), code="return_visit_exists")
        now = clock.now()
        rule = time_limit_rule(RETURN_VISIT_RULE, locked.county.code[:2])
        due = step_due(rule=rule, start_day=_local(now))
        visit = ReturnVisit.objects.create(
            case=locked,
            organization=locked.lead_organization,
            scheduled_at=now,
            due_at=due.at,
            due_provisional=due.provisional,
        )
        notify_parties(locked, "closed", actor=actor, data={"closure": closure})
        case_event_append(
            locked,
            "return_visit_scheduled",
            actor,
            at=now,
            data={"visit": visit.pk, "due_at": visit.due_at.isoformat()},
        )
    return visit


def follow_up_on_close(*, case: Case, actor: Staff | None) -> ReturnVisit | None:
    """Called by cases.hooks inside the transaction of every `close`: however the case was
    closed (case page, API, grid page), the parties are told and the return visit is scheduled."""
    if ReturnVisit.objects.filter(case=case, status=ReturnVisitStatus.SCHEDULED).exists():
        return None
    return case_follow_up(case=case, actor=actor)


def case_close_and_follow_up(
    *, case: Case, actor: Staff, reason: str = "", version: int | None = None
) -> ReturnVisit:
    """Close the case (cases.services); the close itself notifies and schedules the return visit."""
    with transaction.atomic():
        case_transition(case=case.number, actor=actor, action="close", reason=reason, version=version)
        return ReturnVisit.objects.filter(case=case, status=ReturnVisitStatus.SCHEDULED).latest("id")


def feedback_record(
    *,
    case: Case,
    party: Party,
    score: int,
    comment: str = "",
    actor: Staff | None = None,
    source: str = FeedbackSource.STAFF,
) -> PartyFeedback:
    """A party's satisfaction with the result: 1–5 and a comment, once per closure, whatever
    the channel (`source`: staff, portal, hotline; see procedures.satisfaction)."""
    if source not in FeedbackSource.values:
        raise ValidationFailed(_("Unknown source of the rating."), fields={"source": [_("invalid")]})
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ValidationFailed(
            _("Satisfaction is a whole number from 1 to 5."), fields={"score": [_("1 to 5")]}
        )
    comment = _text(comment, "comment", limit=2000)
    with transaction.atomic():
        locked = _lock_case(case)
        if party.case_id != locked.pk:
            raise NotFound(_("No such party."))
        if locked.status not in (Status.RESOLVED, Status.CLOSED):
            raise IllegalTransition(
                _("Satisfaction is recorded once the result is known."), code="procedure_illegal_action"
            )
        now = clock.now()
        try:
            with transaction.atomic():
                fb = PartyFeedback.objects.create(
                    case=locked,
                    party=party,
                    closure_no=_closure_no(locked),
                    score=score,
                    comment=comment,
                    recorded_by=actor,
                    source=source,
                    at=now,
                )
        except IntegrityError:
            raise Conflict(_("This party has already rated this result."), code="feedback_exists") from None
        case_event_append(
            locked,
            "feedback_recorded",
            actor,
            at=now,
            reason=comment,
            data={"party": party.pk, "score": score, "source": source},
        )
    return fb


def return_visit_record(
    *,
    visit: ReturnVisit,
    actor: Staff,
    reached: bool,
    satisfied: bool | None = None,
    recurred: bool = False,
    note: str = "",
) -> ReturnVisit:
    """Record a return visit; a recurrence (再发酵) reopens the same case, linked to its history."""
    note = _text(note, "note", required=recurred, limit=2000)
    with transaction.atomic():
        locked = _lock_case(visit.case_id)
        visit = ReturnVisit.objects.select_for_update().get(pk=visit.pk)
        if visit.status != ReturnVisitStatus.SCHEDULED:
            raise IllegalTransition(
                _("This return visit is already recorded."), code="procedure_illegal_action"
            )
        now = clock.now()
        visit.status, visit.reached, visit.satisfied, visit.recurred = (
            ReturnVisitStatus.DONE,
            reached,
            satisfied,
            recurred,
        )
        visit.note, visit.done_at, visit.done_by = note, now, actor
        visit.save()
        case_event_append(
            locked,
            "return_visit_recorded",
            actor,
            at=now,
            reason=note,
            data={"visit": visit.pk, "reached": reached, "satisfied": satisfied, "recurred": recurred},
        )
        if recurred:
            case_transition(
                case=locked.number,
                actor=actor,
                action="reopen",
                reason=str(_("Recurred (再发酵) at the return visit: %(note)s") % {"note": note}),
            )
            case_event_append(locked, "case_recurred", actor, at=now, data={"visit": visit.pk})
    return visit


# ---------------------------------------------------------------- leaders


LEADER_ROLES = frozenset({"leader"})
RECEPTION_ORGANISERS = frozenset({"leader", "dispatcher", "admin"})


def _require(actor: Staff, roles: frozenset[str], code: str = "procedure_not_allowed_role") -> None:
    if not _roles(actor) & roles:
        raise PermissionDenied(_("Your role may not do this."), code=code)


def staff_county_id(staff: Staff | None) -> int | None:
    """The county a staff member works in (None: no organisation, e.g. a system administrator)."""
    org = getattr(staff, "organization", None)
    if org is None:
        return None
    region = org.region
    return region.pk if region.level == "county" else region.county_id


def staff_county_id_of_org(org: Organization) -> int:
    region = org.region
    return region.pk if region.level == "county" else region.county_id


def _same_county(actor: Staff, county_id: int | None) -> bool:
    mine = staff_county_id(actor)
    return mine is None and actor.is_superuser or (mine is not None and mine == county_id)


def reception_create(
    *, actor: Staff, kind: str, day: date, place: str, leader: Staff | None = None, note: str = ""
) -> ReceptionDay:
    """Plan a leader's reception day (接访) or visit down (下访), for a leader of one's county."""
    _require(actor, RECEPTION_ORGANISERS)
    leader = leader or actor
    if leader is not actor and not _same_county(actor, staff_county_id(leader)):
        raise NotFound(_("No such leader."))
    if kind not in ReceptionKind.values:
        raise ValidationFailed(_("Unknown kind."), fields={"kind": [_("invalid")]})
    if not leader.has_role("leader"):
        raise ValidationFailed(_("Choose a leader."), fields={"leader": [_("not a leader")]})
    place = _text(place, "place", required=True, limit=200)
    with transaction.atomic():
        return ReceptionDay.objects.create(
            kind=kind,
            leader=leader,
            date=day,
            place=place,
            note=_text(note, "note", limit=2000),
            created_by=actor,
            created_at=clock.now(),
        )


def reception_book(*, reception: ReceptionDay, case: Case, actor: Staff, note: str = "") -> ReceptionBooking:
    """Book a case into a reception day or a visit down of the case's county; it appears on the
    case's timeline."""
    _require(actor, RECEPTION_ORGANISERS | {"clerk", "handler"})
    if staff_county_id(reception.leader) != case.county_id or not _same_county(actor, case.county_id):
        raise NotFound(_("No such reception day."))
    with transaction.atomic():
        locked = _lock_case(case)
        if locked.status in ENDED_STATUSES - {Status.RESOLVED}:
            raise IllegalTransition(_("The case has ended."), code="procedure_illegal_action")
        now = clock.now()
        try:
            with transaction.atomic():
                booking = ReceptionBooking.objects.create(
                    reception=reception, case=locked, note=_text(note, "note", limit=2000), booked_at=now
                )
        except IntegrityError:
            raise Conflict(_("The case is already booked on that day."), code="already_booked") from None
        case_event_append(
            locked,
            "reception_booked",
            actor,
            at=now,
            data={
                "reception": reception.pk,
                "reception_kind": reception.kind,
                "date": reception.date.isoformat(),
                "place": reception.place,
                "leader": str(reception.leader),
            },
        )
    return booking


def leader_take_charge(*, case: Case, actor: Staff, note: str = "") -> LeaderCharge:
    """A leader takes charge of a case (包案): the name shows on the case and on their list."""
    _require(actor, LEADER_ROLES)
    with transaction.atomic():
        locked = _lock_case(case)
        if locked.status in ENDED_STATUSES - {Status.RESOLVED}:
            raise IllegalTransition(_("The case has ended."), code="procedure_illegal_action")
        if LeaderCharge.objects.filter(case=locked, leader=actor, ended_at__isnull=True).exists():
            raise Conflict(_("You are already in charge of this case."), code="already_in_charge")
        now = clock.now()
        charge = LeaderCharge.objects.create(
            case=locked, leader=actor, started_at=now, note=_text(note, "note", limit=2000)
        )
        case_event_append(
            locked, "leader_took_charge", actor, at=now, reason=charge.note, data={"leader": str(actor)}
        )
    return charge


def leader_release(*, case: Case, actor: Staff, note: str = "") -> LeaderCharge:
    _require(actor, LEADER_ROLES)
    with transaction.atomic():
        locked = _lock_case(case)
        charge = LeaderCharge.objects.filter(case=locked, leader=actor, ended_at__isnull=True).first()
        if charge is None:
            raise NotFound(_("You are not in charge of this case."))
        now = clock.now()
        charge.ended_at = now
        charge.save(update_fields=["ended_at"])
        case_event_append(locked, "leader_released", actor, at=now, reason=_text(note, "note", limit=2000))
    return charge


def supervision_order(
    *,
    case: Case,
    actor: Staff,
    instructions: str,
    due_on: date | None = None,
    organization: Organization | None = None,
) -> SupervisionOrder:
    """A supervision order (督办) to an organisation: instructions, a reply due date (default:
    rule `leader.supervision_reply` from today, `leader.supervision_reply_red` on a red case)."""
    _require(actor, LEADER_ROLES | {"admin"})
    if organization is not None and staff_county_id_of_org(organization) != case.county_id:
        raise ValidationFailed(
            _("Choose an organisation of the case's county."),
            fields={"organization_id": [_("outside the county")]},
        )
    instructions = _text(instructions, "instructions", required=True)
    if due_on is not None and due_on < clock.today():
        raise ValidationFailed(
            _("The reply date is in the past."), code="date_in_past", fields={"due_on": [_("in the past")]}
        )
    with transaction.atomic():
        locked = _lock_case(case)
        if locked.status in ENDED_STATUSES - {Status.RESOLVED}:
            raise IllegalTransition(_("The case has ended."), code="procedure_illegal_action")
        now = clock.now()
        org = organization or locked.lead_organization
        due = (
            StepDue(clock.end_of_day(due_on), False)
            if due_on
            else step_due(rule=_supervision_rule(locked), start_day=clock.today())
        )
        order = SupervisionOrder.objects.create(
            case=locked,
            organization=org,
            issued_by=actor,
            issued_at=now,
            instructions=instructions,
            due_at=due.at,
            due_provisional=due.provisional,
        )
        case_event_append(
            locked,
            "supervision_ordered",
            actor,
            at=now,
            reason=instructions,
            data={"order": order.pk, "organization_name": org.name, "due_at": order.due_at.isoformat()},
        )
    return order


def _supervision_rule(case: Case) -> TimeLimitRule:
    """The default reply time of a 督办: shorter on a case assessed red (when that rule exists)."""
    from jiefen.triage.models import CaseTriage

    province = case.county.code[:2]
    if CaseTriage.objects.filter(case_id=case.pk, risk_level="red").exists():
        try:
            return time_limit_rule(SUPERVISION_RULE_RED, province)
        except NotFound:
            pass  # the rule was removed: the ordinary reply time applies
    return time_limit_rule(SUPERVISION_RULE, province)


def supervision_reply(*, order: SupervisionOrder, actor: Staff, reply: str) -> SupervisionOrder:
    """The supervised organisation's required reply."""
    reply = _text(reply, "reply", required=True)
    with transaction.atomic():
        locked = _lock_case(order.case_id)
        order = SupervisionOrder.objects.select_for_update().select_related("organization").get(pk=order.pk)
        if not actor.is_superuser and actor.organization_id != order.organization_id:
            raise PermissionDenied(
                _("Only the supervised organisation replies."), code="procedure_not_allowed_role"
            )
        if order.replied_at is not None:
            raise Conflict(_("This order has been answered."), code="already_replied")
        now = clock.now()
        order.reply, order.replied_at, order.replied_by = reply, now, actor
        order.save(update_fields=["reply", "replied_at", "replied_by"])
        case_event_append(
            locked,
            "supervision_replied",
            actor,
            at=now,
            reason=reply,
            data={"order": order.pk, "late": now > order.due_at},
        )
    return order


# ---------------------------------------------------------------- calendar changes


def procedure_deadlines_recompute(*, years: list[int] | None = None, **_signal) -> int:
    """Receiver of `deadlines.signals.calendar_changed`: recompute the open provisional due
    dates of procedure steps, scheduled return visits and unanswered supervision orders, in the
    caller's transaction, each change with a `deadline_recomputed` timeline entry on its case.
    Returns how many changed. (A suspended step is recomputed when it resumes; a reply date a
    leader chose is never provisional.)"""
    cal = work_calendar()
    changed = 0
    steps = (
        ProcedureStep.objects.filter(
            ended_at__isnull=True, paused_since__isnull=True, due_provisional=True, rule__isnull=False
        )
        .select_related("rule", "procedure")
        .order_by("case_id", "pk")
    )
    for step in steps:
        due = step_due(
            rule=step.rule,
            start_day=_local(step.started_at),
            extended_days=step.extended_days,
            paused=step.paused_intervals,
            calendar=cal,
        )
        changed += _recomputed(step, due, {"procedure": step.procedure.kind, "step": step.code}, years)
    visits = ReturnVisit.objects.filter(
        status=ReturnVisitStatus.SCHEDULED, due_provisional=True, scheduled_at__isnull=False
    ).select_related("case__county")
    for visit in visits:
        rule = time_limit_rule(RETURN_VISIT_RULE, visit.case.county.code[:2])
        due = step_due(rule=rule, start_day=_local(visit.scheduled_at), calendar=cal)
        changed += _recomputed(visit, due, {"return_visit": visit.pk}, years)
    orders = SupervisionOrder.objects.filter(replied_at__isnull=True, due_provisional=True).select_related(
        "case__county"
    )
    for order in orders:
        rule = time_limit_rule(SUPERVISION_RULE, order.case.county.code[:2])
        due = step_due(rule=rule, start_day=_local(order.issued_at), calendar=cal)
        changed += _recomputed(order, due, {"supervision": order.pk}, years)
    return changed


def _recomputed(row, due: StepDue, what: dict, years: list[int] | None) -> int:
    """Store `due` on `row` (a step, visit or order) and tell its case's timeline; 1 if changed."""
    if due.at == row.due_at and due.provisional == row.due_provisional:
        return 0
    case = _lock_case(row.case_id)
    old = row.due_at
    row.due_at, row.due_provisional = due.at, due.provisional
    row.save(update_fields=["due_at", "due_provisional"])
    case_event_append(
        case,
        "deadline_recomputed",
        None,
        data={
            **what,
            "from": _local(old).isoformat() if old else None,
            "to": _local(due.at).isoformat(),
            "provisional": due.provisional,
            "years": list(years or []),
        },
    )
    return 1


__all__ = [
    "ActInput",
    "agreement_revise",
    "case_close_and_follow_up",
    "case_event_append",
    "case_follow_up",
    "feedback_record",
    "leader_release",
    "leader_take_charge",
    "notify_parties",
    "procedure_act",
    "procedure_deadlines_recompute",
    "procedure_start",
    "reception_book",
    "reception_create",
    "return_visit_record",
    "step_due",
    "supervision_order",
    "supervision_reply",
]
