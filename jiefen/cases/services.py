"""Writes on cases. Each service is one transaction that also appends its CaseEvents.

`case_register` is intake (挂号) for every channel; `case_transition` moves a case along the
table in workflow.py. Both lock what they change: the county's number sequence, the case row.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.cases import hooks, workflow
from jiefen.cases.choices import (
    Category,
    Channel,
    Level,
    PartyKind,
    PartyRole,
    ResolvedLevel,
    Status,
    StatutoryRoute,
)
from jiefen.cases.models import Assignment, Case, CaseEvent, CaseSequence, CaseStep, Party, PiiAccessLog
from jiefen.cases.routing import DOWN, UP, RegionChain, county_centre, level_target
from jiefen.core import bulkwrite, clock, pii
from jiefen.core.errors import (
    Conflict,
    DomainError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from jiefen.deadlines.calendar import deadline
from jiefen.deadlines.selectors import time_limit_rule, work_calendar
from jiefen.directory.models import Organization, Staff
from jiefen.directory.selectors import region_in_jurisdiction
from jiefen.procedures.guards import petition_ended_candidates, petition_ended_match
from jiefen.regions.models import Region
from jiefen.regions.selectors import region_by_code
from jiefen.triage import services as triage_services
from jiefen.triage.models import CaseTriage

if TYPE_CHECKING:
    from jiefen.procedures.guards import RepeatOf

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
MAX_PARTIES = 200
# (TextChoices.values builds a new list on every call: intake checks against these sets.)
_PARTY_ROLES = frozenset(PartyRole.values)
_PARTY_KINDS = frozenset(PartyKind.values)
_CHANNELS = frozenset(Channel.values)
_CATEGORIES = frozenset(Category.values)


@dataclass
class PartyInput:
    role: str
    name: str
    kind: str = PartyKind.PERSON
    id_number: str = ""
    phone: str = ""
    address: str = ""
    # Given only for a party without an ID number (the number carries both).
    sex: str = ""
    birth_date: date | None = None


@dataclass
class Registration:
    case: Case
    query_code: str
    events: list[CaseEvent] = field(default_factory=list)
    triage: triage_services.IntakeTriage | None = None


# ---------------------------------------------------------------- validation


def _validate_parties(parties: list[PartyInput], errors: dict[str, list[str]]) -> list[dict]:
    cleaned: list[dict] = []
    if not parties:
        errors.setdefault("parties", []).append(_("At least one party (the applicant) is required."))
    if len(parties) > MAX_PARTIES:
        errors.setdefault("parties", []).append(_("At most %(n)s parties.") % {"n": MAX_PARTIES})
        return cleaned
    for i, p in enumerate(parties):
        key = f"parties[{i}]"
        row: dict = {
            "role": p.role,
            "kind": p.kind or PartyKind.PERSON,
            "name": (p.name or "").strip(),
            "address": (p.address or "").strip()[:200],
        }
        if p.role not in _PARTY_ROLES:
            errors.setdefault(f"{key}.role", []).append(_("Unknown party role."))
        if row["kind"] not in _PARTY_KINDS:
            errors.setdefault(f"{key}.kind", []).append(_("Unknown party kind."))
        if not row["name"] or len(row["name"]) > 100:
            errors.setdefault(f"{key}.name", []).append(_("A name of 1 to 100 characters is required."))
        idn = pii.normalize_id_number(p.id_number or "")
        if idn:
            err = pii.id_number_error(idn)
            if err:
                errors.setdefault(f"{key}.id_number", []).append(str(err))
        phone = pii.normalize_phone(p.phone or "")
        if phone:
            err = pii.phone_error(phone)
            if err:
                errors.setdefault(f"{key}.phone", []).append(str(err))
        row["id_number"], row["phone"] = idn, phone
        row["sex"] = pii.id_number_sex(idn) if idn else (p.sex or "")
        row["birth_date"] = pii.id_number_birth_date(idn) if idn else p.birth_date
        if row["sex"] not in ("", "M", "F"):
            errors.setdefault(f"{key}.sex", []).append(_("Sex is M or F."))
        cleaned.append(row)
    if cleaned and not any(p["role"] == PartyRole.APPLICANT for p in cleaned):
        errors.setdefault("parties", []).append(_("At least one party must be the applicant."))
    return cleaned


def _resolve_region(region: Region | str, errors: dict[str, list[str]]) -> Region | None:
    if isinstance(region, Region):
        return region
    code = (region or "").strip()
    found = region_by_code(code) if code else None
    if found is None:
        errors.setdefault("region_code", []).append(_("Unknown region code: %(code)s") % {"code": code[:20]})
    return found


# ---------------------------------------------------------------- clocks


def _step_due(rule, start: datetime, paused: list[list[str]] | None = None, calendar=None):
    """(end of the due day, provisional) of a step of the case's clock under `rule`."""
    intervals = [
        (datetime.fromisoformat(a).date(), datetime.fromisoformat(b).date()) for a, b in (paused or [])
    ]
    start_day = timezone.localtime(start).date()
    due = deadline(start_day, rule.days, rule.unit, calendar or work_calendar(), intervals)
    return clock.end_of_day(due.day), due.provisional


def _due_at(*, rule_code: str, start: datetime, province: str, paused: list[list[str]] | None = None):
    """(rule, end of the due day, provisional) of a step of the case's clock."""
    rule = time_limit_rule(rule_code, province)
    return (rule, *_step_due(rule, start, paused))


def _start_step(case: Case, code: str, rule_code: str, start: datetime, now: datetime) -> CaseStep:
    _end_step(case, now)
    rule, due, provisional = _due_at(rule_code=rule_code, start=start, province=case.county.code[:2])
    step = CaseStep.objects.create(
        case=case, code=code, rule=rule, started_at=start, due_at=due, due_provisional=provisional
    )
    case.due_at, case.due_provisional = due, provisional
    return step


def _current_step(case: Case) -> CaseStep | None:
    return case.steps.filter(ended_at__isnull=True).order_by("-started_at", "-id").first()


def _end_step(case: Case, now: datetime) -> None:
    case.steps.filter(ended_at__isnull=True).update(ended_at=now)
    case.due_at, case.due_provisional = None, False


# ---------------------------------------------------------------- intake


def _next_numbers(county: Region, year: int, n: int = 1) -> list[tuple[int, str]]:
    """Take the next `n` numbers of the county's year: one UPDATE … RETURNING, whose row lock
    holds until the registration commits (or rolls back, giving the numbers back)."""
    table = connection.ops.quote_name(CaseSequence._meta.db_table)
    sql = f"UPDATE {table} SET last_value = last_value + %s WHERE county_id = %s AND year = %s RETURNING last_value"
    with connection.cursor() as cursor:
        cursor.execute(sql, [n, county.pk, year])
        row = cursor.fetchone()
        if row is None:
            try:
                with transaction.atomic():
                    CaseSequence.objects.create(county=county, year=year, last_value=0)
            except IntegrityError:
                pass  # another registration created it first; wait for its lock below
            cursor.execute(sql, [n, county.pk, year])
            row = cursor.fetchone()
    last = int(row[0])
    return [(v, f"{county.code[:6]}-{year}-{v:06d}") for v in range(last - n + 1, last + 1)]


def _event(
    case: Case,
    kind: str,
    actor: Staff | None,
    now: datetime,
    *,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        at=now,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
    )


def _assign_lead(case: Case, org: Organization, level: str, now: datetime, note: str = "") -> None:
    case.assignments.filter(role="lead", is_active=True).update(is_active=False, ended_at=now)
    Assignment.objects.create(
        case=case, organization=org, role="lead", level=level, started_at=now, note=note[:200]
    )
    case.lead_organization = org
    case.level = level


@dataclass
class RegistrationRequest:
    """One case to register, as `case_register` takes it (for `case_register_many`)."""

    channel: str
    region: Region | str
    description: str
    parties: list[PartyInput]
    category: str | None = None
    received_at: datetime | None = None
    request: str = ""
    actor: Staff | None = None  # who registers it, when not the caller's `actor` (group commit)
    # Why a petition flagged as a repeat of one ended after 复核 is registered all the same.
    repeat_reason: str = ""


@dataclass
class _Valid:
    channel: str
    region: Region
    chain: RegionChain
    description: str
    request: str
    category_given: str | None
    received_at: datetime
    parties: list[dict]
    query_code: str
    actor: Staff | None = None
    triage: triage_services.IntakeTriage | None = None
    repeat_of: RepeatOf | None = None
    repeat_reason: str = ""


# Roles that take cases in (挂号): the window, the dispatchers, grid workers, agents (代办) and
# leaders at their reception days. Analysts, handlers and mediators work on cases given to them.
INTAKE_ROLES = frozenset({"clerk", "dispatcher", "grid_worker", "agent", "leader", "admin"})


def _validated(
    r: RegistrationRequest, *, actor: Staff | None, now: datetime, ended: dict[str, list] | None = None
) -> _Valid:
    """Check one request (no writes); raises ValidationFailed with field-level messages.
    `ended`: the ended petitions read for a whole batch (else read here)."""
    if actor is not None and not set(actor.roles or []) & INTAKE_ROLES and not actor.is_superuser:
        raise PermissionDenied(_("Your role may not register cases."))
    errors: dict[str, list[str]] = {}
    if r.channel not in _CHANNELS:
        errors.setdefault("channel", []).append(_("Unknown channel."))
    category_given = r.category or None  # none given: the classifier proposes (triage)
    if (category_given or Category.OTHER) not in _CATEGORIES:
        errors.setdefault("category", []).append(_("Unknown category."))
    description = (r.description or "").strip()
    if not description:
        errors.setdefault("description", []).append(_("Describe what happened."))
    elif len(description) > settings.JIEFEN_MAX_DESCRIPTION:
        errors.setdefault("description", []).append(
            _("The description is longer than %(n)s characters.") % {"n": settings.JIEFEN_MAX_DESCRIPTION}
        )
    request = (r.request or "").strip()
    if len(request) > settings.JIEFEN_MAX_DESCRIPTION:
        errors.setdefault("request", []).append(_("Too long."))
    received_at = r.received_at
    if received_at is not None:
        if timezone.is_naive(received_at):
            received_at = timezone.make_aware(received_at)
        if received_at > now + timedelta(minutes=5):
            errors.setdefault("received_at", []).append(_("The receipt time cannot be in the future."))
        elif received_at < now - timedelta(days=366 * 3):
            errors.setdefault("received_at", []).append(_("The receipt time is more than three years ago."))
    cleaned = _validate_parties(r.parties, errors)
    reg = _resolve_region(r.region, errors)
    if reg is not None and actor is not None and not region_in_jurisdiction(actor, reg):
        errors.setdefault("region_code", []).append(_("This region is outside your jurisdiction."))
    if errors:
        raise ValidationFailed(
            _("The case cannot be registered: please correct the marked fields."), fields=errors
        )
    assert reg is not None
    # 信访工作条例 第36条: facts and reasons ended after 复核 are not accepted again.
    repeat_reason = (r.repeat_reason or "").strip()[:2000]
    repeat_of = petition_ended_match(
        parties=r.parties,
        description=description,
        candidates=ended,
        category=category_given,
        repeat_reason=repeat_reason,
    )
    return _Valid(
        channel=r.channel,
        region=reg,
        chain=RegionChain.of(reg),
        description=description,
        request=request,
        category_given=category_given,
        received_at=received_at or now,
        parties=cleaned,
        query_code="".join(secrets.choice(QUERY_CODE_ALPHABET) for _i in range(8)),
        actor=actor,
        repeat_of=repeat_of,
        repeat_reason=repeat_reason if repeat_of else "",
    )


def _note_repeats(valid: list[_Valid], regs: list[Registration], now: datetime) -> None:
    """The clerk's reason for registering a petition flagged as a repeat, on its timeline."""
    for v, reg in zip(valid, regs, strict=True):
        if v.repeat_of is not None:
            CaseEvent.objects.create(
                case=reg.case,
                at=now,
                actor=v.actor,
                kind="petition_repeat_registered",
                reason=v.repeat_reason,
                data={"earlier_case": v.repeat_of.number, "ending": v.repeat_of.ending},
            )


def _write_registrations(valid: list[_Valid], *, now: datetime) -> list[Registration]:
    """Insert the cases of `valid` (triage done) with their parties, two events each (registered,
    routed), lead and assisting assignments, acceptance step and triage row: one INSERT per
    table for the whole list (COPY on PostgreSQL: core.bulkwrite), and what the hooks derive
    from them (counters, alerts, messages).

    A county's numbers are taken per county in one UPDATE … RETURNING whose row lock holds
    until the commit (gap-free), so every registration of the county waits for that commit:
    the lock is taken as late as possible. Before it, everything is built, the hooks read what
    they need (`hooks.cases_registering`) and, on PostgreSQL, where ids come from sequences and
    foreign keys are checked at the commit, the rows that do not carry the number are written.
    After it only the cases and their triage rows (whose search text has the number) and the
    hooks' writes remain."""
    year = timezone.localtime(now).year
    due_of: dict[
        tuple, tuple
    ] = {}  # (province, local day) → (rule, due, provisional): a batch shares its days
    deadlines = []
    for v in valid:
        key = (v.chain.county.code[:2], timezone.localtime(v.received_at).date())
        if key not in due_of:
            due_of[key] = _due_at(rule_code="case.accept", start=v.received_at, province=key[0])
        deadlines.append(due_of[key])
    cases = []
    for v, (_rule, due, provisional) in zip(valid, deadlines, strict=True):
        decision = v.triage.decision
        cases.append(
            bulkwrite.build(
                Case,
                number="",  # taken last (below)
                county=v.chain.county,
                year=year,
                query_code_hash=pii.keyed_hash("qc:" + v.query_code),
                channel=v.channel,
                description=v.description,
                request=v.request,
                category=v.triage.category,
                status=Status.TRIAGED,
                level=decision.level,
                region=v.region,
                town=v.chain.town,
                village=v.chain.village,
                lead_organization=decision.organization,
                received_at=v.received_at,
                registered_at=now,
                registered_by=v.actor,
                due_at=due,
                due_provisional=provisional,
            )
        )
    party_rows = [[_party(case, p) for p in v.parties] for case, v in zip(cases, valid, strict=True)]
    events: list[CaseEvent] = []
    assignments: list[Assignment] = []
    steps: list[CaseStep] = []
    for case, v, (rule, due, provisional) in zip(cases, valid, deadlines, strict=True):
        decision = v.triage.decision
        events += [
            bulkwrite.build(
                CaseEvent,
                case=case,
                at=now,
                actor=v.actor,
                kind="registered",
                to_status=Status.REGISTERED,
                data={"channel": v.channel, "received_at": v.received_at.isoformat()},
            ),
            bulkwrite.build(
                CaseEvent,
                case=case,
                at=now,
                actor=v.actor,
                kind="routed",
                from_status=Status.REGISTERED,
                to_status=Status.TRIAGED,
                reason=decision.explanation,
                data={
                    "organization": decision.organization.pk,
                    "organization_name": decision.organization.name,
                    "level": decision.level,
                    "rule": decision.rule.pk if decision.rule else None,
                    "triage": v.triage.event_data(),
                },
            ),
        ]
        assignments.append(
            bulkwrite.build(
                Assignment,
                case=case,
                organization=decision.organization,
                role="lead",
                level=decision.level,
                started_at=now,
                note="routing",
            )
        )
        assignments += [
            bulkwrite.build(
                Assignment,
                case=case,
                organization=org,
                role="assist",
                level=org.region.level,
                started_at=now,
                note="routing",
            )
            for org in decision.assist
        ]
        steps.append(
            bulkwrite.build(
                CaseStep,
                case=case,
                code="acceptance",
                rule=rule,
                started_at=v.received_at,
                due_at=due,
                due_provisional=provisional,
            )
        )
    children = (
        (Party, [p for rows in party_rows for p in rows]),
        (CaseEvent, events),
        (Assignment, assignments),
        (CaseStep, steps),
    )
    early = bulkwrite.assign_ids((Case, cases), *children)
    reads = hooks.cases_registering(cases, party_rows)
    if early:
        bulkwrite.insert_new(*children)
    by_county: dict[int, list[Case]] = {}
    for case in cases:
        by_county.setdefault(case.county_id, []).append(case)
    for county_id in sorted(by_county):  # one lock order for every writer: no deadlock
        items = by_county[county_id]
        for case, (seq, number) in zip(items, _next_numbers(items[0].county, year, len(items)), strict=True):
            case.seq, case.number = seq, number
    triage_rows = triage_services.triage_rows(
        [(case, v.triage, rows, v.actor) for case, v, rows in zip(cases, valid, party_rows, strict=True)],
        now=now,
    )
    bulkwrite.insert_new((Case, cases), *(() if early else children), (CaseTriage, triage_rows))
    for case, rows in zip(cases, party_rows, strict=True):
        _known_parties(case, rows)
    triage_services.triage_skipped_record(
        [(case, v.triage) for case, v in zip(cases, valid, strict=True)], now=now
    )
    regs = [
        Registration(case=case, query_code=v.query_code, events=events[2 * i : 2 * i + 2], triage=v.triage)
        for i, (case, v) in enumerate(zip(cases, valid, strict=True))
    ]
    hooks.cases_registered([(reg.case, reg.events[-1]) for reg in regs], reads)
    return regs


def case_register(
    *,
    channel: str,
    region: Region | str,
    description: str,
    parties: list[PartyInput],
    category: str | None = None,
    received_at: datetime | None = None,
    request: str = "",
    actor: Staff | None = None,
    repeat_reason: str = "",
) -> Registration:
    """Register (挂号) a dispute from any channel: number, query code, parties, first routing."""
    now = clock.now()
    v = _validated(
        RegistrationRequest(
            channel=channel,
            region=region,
            description=description,
            parties=parties,
            category=category,
            received_at=received_at,
            request=request,
            repeat_reason=repeat_reason,
        ),
        actor=actor,
        now=now,
    )
    with transaction.atomic():
        # Reads first (classifier, related cases, risk, routing), so that the county's number
        # sequence, locked from the number to the commit, is held only while rows are written.
        v.triage = triage_services.triage_intake(**vars(_intake_request(v)), now=now)
        (reg,) = _write_registrations([v], now=now)
        _note_repeats([v], [reg], now)
    return reg


def case_register_many(
    requests: list[RegistrationRequest], *, actor: Staff | None = None
) -> list[Registration | DomainError]:
    """Register many cases at once (imports): each request is checked on its own (a refused one
    gets its error in its place, the others go in), then the valid ones are triaged together
    and written in one transaction, one INSERT per table, with the same events, counters,
    alerts and messages as `case_register` gives each of them."""
    now = clock.now()
    out: list[Registration | DomainError | None] = []
    valid: list[_Valid] = []
    slots: list[int] = []
    ended = petition_ended_candidates([r.parties for r in requests])
    for r in requests:
        try:
            valid.append(_validated(r, actor=r.actor or actor, now=now, ended=ended))
            slots.append(len(out))
            out.append(None)
        except DomainError as exc:
            out.append(exc)
    if valid:
        with transaction.atomic():
            outcomes = triage_services.triage_intake_many([_intake_request(v) for v in valid], now=now)
            for v, t in zip(valid, outcomes, strict=True):
                v.triage = t
            regs = _write_registrations(valid, now=now)
            _note_repeats(valid, regs, now)
        for slot, reg in zip(slots, regs, strict=True):
            out[slot] = reg
    return out  # type: ignore[return-value]


def _intake_request(v: _Valid) -> triage_services.IntakeRequest:
    return triage_services.IntakeRequest(
        category=v.category_given,
        description=v.description,
        request=v.request,
        parties=v.parties,
        channel=v.channel,
        chain=v.chain,
    )


def _known_parties(case: Case, rows: list[Party]) -> None:
    """Let `case.parties.all()` answer from the rows just written (as a prefetch would), so that
    the hooks of a registration do not read them back."""
    qs = case.parties.all()
    qs._result_cache = rows
    qs._prefetch_done = True
    case.__dict__.setdefault("_prefetched_objects_cache", {})["parties"] = qs


def _party(case: Case, p: dict) -> Party:
    party = bulkwrite.build(
        Party,
        case=case,
        role=p["role"],
        kind=p["kind"],
        name=p["name"],
        sex=p.get("sex", ""),
        birth_date=p.get("birth_date"),
    )
    if p["address"]:
        party.address_enc = pii.encrypt(p["address"])
        party.address_masked = pii.mask_address(p["address"])
    if p["id_number"]:
        party.id_number_enc = pii.encrypt(p["id_number"])
        party.id_number_hash = pii.keyed_hash(p["id_number"])
        party.id_number_masked = pii.mask_id_number(p["id_number"])
    if p["phone"]:
        party.phone_enc = pii.encrypt(p["phone"])
        party.phone_hash = pii.keyed_hash(p["phone"])
        party.phone_masked = pii.mask_phone(p["phone"])
    return party


# ---------------------------------------------------------------- lifecycle


def can_take(actor: Staff, case: Case, action: workflow.Action) -> bool:
    """May this staff member take this action on this case (status aside)?"""
    if actor.is_superuser:
        return True
    roles = set(actor.roles or [])
    if not roles & action.roles:
        return False
    if action.lead_only and not roles & {"dispatcher", "admin"}:
        return actor.organization_id == case.lead_organization_id
    return True


def case_transition(
    *,
    case: Case | str,
    actor: Staff,
    action: str,
    reason: str = "",
    version: int | None = None,
    organization: Organization | None = None,
    statutory_route: str = "",
    legal_route: str = "",
    reviewed_above: bool = False,
) -> Case:
    """Move a case by one action of the transition table, or refuse with a stable code.

    `reviewed_above` (procedures only, never from a request): the action ends the matter by the
    opinion of a body above the case's lead (a petition's 复查/复核), whose authority the
    procedure checked; the lead-only rule of the table does not apply to it.

    The case row is locked for the whole move; a stale `version` from the caller is a
    conflict, so of two people acting on one screen state one wins and the other is told.
    """
    act = workflow.ACTIONS.get(action)
    if act is None:
        raise ValidationFailed(
            _("Unknown action: %(a)s") % {"a": action[:40]},
            code="unknown_action",
            fields={"action": [_("unknown")]},
        )
    reason = (reason or "").strip()
    if act.reason_required and not reason:
        raise ValidationFailed(
            _("This action needs a reason."), code="reason_required", fields={"reason": [_("required")]}
        )
    if len(reason) > 2000:
        raise ValidationFailed(
            _("The reason is longer than 2000 characters."), fields={"reason": [_("too long")]}
        )
    number = case if isinstance(case, str) else case.number
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("county", "town", "village", "region")
            .filter(number=number)
            .first()
        )
        if locked is None:
            raise NotFound(_("No such case."))
        if version is not None and version != locked.version:
            raise Conflict(
                _("The case was changed by someone else (version %(v)s, now %(n)s); reload it and try again.")
                % {"v": version, "n": locked.version}
            )
        if locked.status not in act.sources:
            raise IllegalTransition(
                _("'%(action)s' is not possible while the case is %(status)s.")
                % {"action": act.label, "status": Status(locked.status).label}
            )
        if not (reviewed_above and act.code in ("resolve", "conclude")) and not can_take(actor, locked, act):
            raise PermissionDenied(_("You may not take this action on this case."))
        if act.result_required and not reason:
            # A close after a resolve carries the result recorded when it was resolved.
            reason = standing_result(locked) if action == "close" else ""
            if not reason:
                raise ValidationFailed(
                    _("Record the result: what was agreed or decided."),
                    code="result_required",
                    fields={"reason": [_("required")]},
                )
        now = clock.now()
        from_status = locked.status
        before = hooks.case_summary(locked)
        data = _apply(
            locked,
            act,
            actor,
            now,
            reason=reason,
            organization=organization,
            statutory_route=statutory_route,
            legal_route=legal_route,
        )
        locked.status = act.target
        locked.version += 1
        locked.save()
        event = _event(
            locked,
            action,
            actor,
            now,
            from_status=from_status,
            to_status=locked.status,
            reason=reason,
            data=data,
        )
        hooks.case_written(case=locked, event=event, before=before)
    return locked


def _apply(
    case: Case,
    act: workflow.Action,
    actor: Staff,
    now: datetime,
    *,
    reason: str,
    organization: Organization | None,
    statutory_route: str,
    legal_route: str,
) -> dict:
    """The side effects of one action beyond the status change; returns data for the event."""
    chain = RegionChain(county=case.county, town=case.town, village=case.village)
    code = act.code
    if code == "route":
        if organization is None:
            raise ValidationFailed(
                _("Choose the organisation that leads the case."), fields={"organization": [_("required")]}
            )
        _check_in_chain(organization, chain)
        before = case.lead_organization.name
        _assign_lead(case, organization, organization.region.level, now, note="dispatcher")
        _start_step(case, "acceptance", "case.accept", now, now)
        return {"from": before, "to": organization.name, "level": case.level}
    if code == "start":
        return {}
    if code == "accept":
        _start_step(case, "handling", "case.handle", now, now)
        return {"organization": case.lead_organization.name}
    if code == "return":
        before = case.lead_organization
        centre = county_centre(case.county)
        _assign_lead(case, centre, Level.COUNTY, now, note="returned")
        case.return_count += 1
        _start_step(case, "acceptance", "case.accept", now, now)
        return {"returned_by": before.pk, "returned_by_name": before.name, "to": centre.name}
    if code in ("escalate", "delegate"):
        target_level = (UP if code == "escalate" else DOWN).get(case.level)
        if target_level is None:
            raise IllegalTransition(
                _("The case is already at the highest level.")
                if code == "escalate"
                else _("The case is already at the lowest level."),
                code=f"cannot_{code}",
            )
        target = organization or level_target(chain=chain, level=target_level)
        if target is None:
            raise IllegalTransition(
                _("There is no organisation at the %(level)s level of this case's region.")
                % {"level": Level(target_level).label},
                code="no_target_organization",
            )
        _check_in_chain(target, chain)
        if target.region.level != target_level:
            raise ValidationFailed(
                _("The organisation is not at the %(level)s level.") % {"level": Level(target_level).label},
                fields={"organization": [_("wrong level")]},
            )
        before = (case.lead_organization.name, case.level)
        _assign_lead(case, target, target_level, now, note=code)
        if code == "escalate":
            case.escalation_count += 1
        _start_step(case, "acceptance", "case.accept", now, now)
        return {"from": before[0], "from_level": before[1], "to": target.name, "to_level": target_level}
    if code == "suspend":
        step = _current_step(case)
        if step is not None:
            step.paused_since = now
            step.save(update_fields=["paused_since"])
        case.due_at, case.due_provisional = None, False
        return {}
    if code == "resume":
        step = _current_step(case)
        if step is not None and step.paused_since is not None:
            first = timezone.localtime(step.paused_since).date()
            last = timezone.localtime(now).date()
            step.paused_intervals = [*step.paused_intervals, [first.isoformat(), last.isoformat()]]
            step.paused_since = None
            if step.rule is not None:
                _rule, step.due_at, step.due_provisional = _due_at(
                    rule_code=step.rule.code,
                    start=step.started_at,
                    province=case.county.code[:2],
                    paused=step.paused_intervals,
                )
            step.save(update_fields=["paused_since", "paused_intervals", "due_at", "due_provisional"])
            case.due_at, case.due_provisional = step.due_at, step.due_provisional
            return {"paused": [first.isoformat(), last.isoformat()]}
        return {}
    if code == "resolve":
        case.resolved_level = ResolvedLevel.STATUTORY if case.status == Status.TRANSFERRED else case.level
        case.resolved_at = now
        _end_step(case, now)
        return {"resolved_level": case.resolved_level}
    if code == "transfer":
        if statutory_route not in StatutoryRoute.values:
            raise ValidationFailed(
                _("Choose the statutory route (arbitration, litigation, …)."),
                fields={"statutory_route": [_("required")]},
            )
        case.statutory_route = statutory_route
        _end_step(case, now)
        return {"statutory_route": statutory_route}
    if code == "close":
        case.closed_at = now
        _end_step(case, now)
        return {}
    if code == "conclude":
        # Ended (办结), not resolved: no resolved level, so no figure counts it as 已化解.
        case.closed_at = now
        _end_step(case, now)
        return {"ended_without_resolution": True}
    if code == "reopen":
        case.resolved_at = None
        case.closed_at = None
        case.resolved_level = ""
        _start_step(case, "handling", "case.handle", now, now)
        return {}
    if code == "withdraw":
        _end_step(case, now)
        case.closed_at = now
        return {}
    if code == "merge":
        # Only through triage.services.case_merge, which sets the survivor first.
        if case.merged_into_id is None:
            raise ValidationFailed(
                _("Choose the case this one is merged into."), fields={"into": [_("required")]}
            )
        case.closed_at = now
        _end_step(case, now)
        return {"merged_into": Case.objects.values_list("number", flat=True).get(pk=case.merged_into_id)}
    if code == "not_accept":
        legal_route = (legal_route or "").strip()
        if not legal_route:
            raise ValidationFailed(
                _("Tell the applicant which legal route to take."), fields={"legal_route": [_("required")]}
            )
        case.legal_route_told = legal_route[:2000]
        case.closed_at = now
        _end_step(case, now)
        return {"legal_route": case.legal_route_told}
    raise IllegalTransition(_("Unsupported action."))  # pragma: no cover - the table and this match


RESULT_KINDS = ("resolve", "close", "conclude")


def standing_result(case: Case) -> str:
    """The result recorded since the case was last reopened (the reason of its latest
    resolve, close or conclude), "" when none."""
    ev = (
        CaseEvent.objects.filter(case_id=case.pk, kind__in=(*RESULT_KINDS, "reopen"))
        .order_by("-at", "-id")
        .values_list("kind", "reason")
        .first()
    )
    return ev[1] if ev and ev[0] != "reopen" else ""


def _check_in_chain(org: Organization, chain: RegionChain) -> None:
    allowed = {r.pk for r in (chain.county, chain.town, chain.village) if r is not None}
    if org.region_id not in allowed:
        raise ValidationFailed(
            _("That organisation is outside this case's region."),
            fields={"organization": [_("outside the case's region")]},
        )


# ---------------------------------------------------------------- personal data


# Roles whose work needs a party's full ID number or phone (calling back, checking identity,
# drafting an agreement); analysts, grid workers and agents see masked values only.
REVEAL_ROLES = frozenset({"clerk", "dispatcher", "handler", "mediator", "leader", "admin"})


def party_pii_reveal(
    *, viewer: Staff, party: Party, field_name: str, via: str = "web", reason: str = ""
) -> str:
    """The full ID number or phone of a party, for a role that needs it and a stated reason;
    every reveal is logged with its reason (PIPL)."""
    if field_name not in ("id_number", "phone", "address"):
        raise ValidationFailed(_("Unknown field."), fields={"field": [_("invalid")]})
    if not set(viewer.roles or []) & REVEAL_ROLES:
        raise PermissionDenied(_("Your role does not need full ID numbers or phone numbers."))
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ValidationFailed(
            _("Say why you need the full value."), code="reason_required", fields={"reason": [_("required")]}
        )
    token = getattr(party, f"{field_name}_enc")
    if not token:
        raise NotFound(_("Nothing recorded."))
    with transaction.atomic():
        PiiAccessLog.objects.create(staff=viewer, party=party, field=field_name, at=clock.now(), via=via)
        _event(
            party.case,
            "pii_revealed",
            viewer,
            clock.now(),
            reason=reason,
            data={"party": party.pk, "field": field_name},
        )
    return pii.decrypt(token)


# ---------------------------------------------------------------- calendar changes


def case_deadlines_recompute(*, years: list[int] | None = None, **_signal) -> int:
    """Receiver of `deadlines.signals.calendar_changed`: recompute the due dates of the open,
    running steps of cases whose date is provisional, in the caller's transaction. Each case
    whose date or mark changed gets a `deadline_recomputed` timeline entry and a new version.
    Returns how many changed. (A suspended step is recomputed when it resumes.)"""
    cal = work_calendar()
    now = clock.now()
    ids = list(
        CaseStep.objects.filter(
            ended_at__isnull=True, paused_since__isnull=True, due_provisional=True, rule__isnull=False
        ).values_list("case_id", flat=True)
    )
    changed = 0
    for case in Case.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"):
        step = _current_step(case)
        if step is None or not step.due_provisional or step.rule is None or step.paused_since is not None:
            continue
        due_at, provisional = _step_due(step.rule, step.started_at, step.paused_intervals, cal)
        if due_at == step.due_at and provisional == step.due_provisional:
            continue
        before = hooks.case_summary(case)
        old = step.due_at
        step.due_at, step.due_provisional = due_at, provisional
        step.save(update_fields=["due_at", "due_provisional"])
        case.due_at, case.due_provisional = due_at, provisional
        case.version += 1
        case.save(update_fields=["due_at", "due_provisional", "version"])
        event = _event(
            case,
            "deadline_recomputed",
            None,
            now,
            data={
                "step": step.code,
                "from": timezone.localtime(old).date().isoformat() if old else None,
                "to": timezone.localtime(due_at).date().isoformat(),
                "provisional": provisional,
                "years": list(years or []),
            },
        )
        hooks.case_written(case=case, event=event, before=before)
        changed += 1
    return changed
