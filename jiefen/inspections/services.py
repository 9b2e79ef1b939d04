"""Writes of 排查: the rounds of a schedule, and the ledger entries (one transaction each).

An entry is either an explicit zero report (零报告: nothing found, the items checked listed) or
a list of findings, each registering a case through `cases.services.case_register` or linking
a case that already exists; each finding appends an `inspection_found` timeline entry to its
case. A grid or village outside the reporter's area is "not found" (404); a second entry for
the same unit and round is a conflict (409).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.alerts import rules as alert_rules
from jiefen.alerts import services as alert_services
from jiefen.alerts.models import Alert, AlertStatus, Resolution, RuleKind, SubjectKind
from jiefen.cases.choices import Channel, PartyRole
from jiefen.cases.models import Case
from jiefen.cases.selectors import case_get
from jiefen.cases.services import PartyInput, case_register
from jiefen.core import clock
from jiefen.core.errors import DomainError, NotFound, ValidationFailed
from jiefen.directory.models import Staff
from jiefen.directory.selectors import region_in_jurisdiction
from jiefen.inspections.choices import Frequency, Unit
from jiefen.inspections.models import Entry, Finding, Round, Schedule
from jiefen.inspections.selectors import missing_reports
from jiefen.regions.models import Grid, Region

MAX_FINDINGS = 20


class DuplicateEntry(DomainError):
    code = "inspection_duplicate"
    status = 409


# ---------------------------------------------------------------- rounds


def periods(schedule: Schedule, until: date) -> list[tuple[date, date]]:
    """The periods of a schedule that begin on or before `until` (weeks run Monday–Sunday,
    months are calendar months; a campaign is one period from its start to its end)."""
    out: list[tuple[date, date]] = []
    start = schedule.starts_on
    last = min(until, schedule.ends_on) if schedule.ends_on else until
    if schedule.frequency == Frequency.CAMPAIGN:
        if schedule.starts_on <= until and schedule.ends_on:
            out.append((schedule.starts_on, schedule.ends_on))
        return out
    if schedule.frequency == Frequency.WEEKLY:
        day = start - timedelta(days=start.weekday())
        while day <= last:
            out.append((day, day + timedelta(days=6)))
            day += timedelta(days=7)
        return out
    day = start.replace(day=1)
    while day <= last:
        end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        out.append((day, end))
        day = end + timedelta(days=1)
    return out


def rounds_ensure(*, until: date | None = None, county: Region | None = None) -> int:
    """Create the rounds of the active schedules up to `until` (today by default); idempotent.
    Returns how many were created."""
    until = until or clock.today()
    schedules = Schedule.objects.filter(active=True)
    if county is not None:
        schedules = schedules.filter(county=county)
    created = 0
    with transaction.atomic():
        for s in schedules:
            have = set(Round.objects.filter(schedule=s).values_list("period_start", flat=True))
            new = [
                Round(schedule=s, period_start=a, period_end=b, due_on=b + timedelta(days=s.grace_days))
                for a, b in periods(s, until)
                if a not in have
            ]
            Round.objects.bulk_create(new, ignore_conflicts=True)
            created += len(new)
    return created


def schedule_validate(schedule: Schedule) -> None:
    errors: dict[str, list] = {}
    if schedule.frequency == Frequency.CAMPAIGN and not schedule.ends_on:
        errors["ends_on"] = [_("required")]
    if schedule.ends_on and schedule.ends_on < schedule.starts_on:
        errors["ends_on"] = [_("invalid")]
    if not isinstance(schedule.checklist, list) or not all(
        isinstance(i, str) and 0 < len(i) <= 200 for i in schedule.checklist
    ):
        errors["checklist"] = [_("a list of items to check")]
    if errors:
        raise ValidationFailed(_("The schedule is not valid."), fields=errors)


# ---------------------------------------------------------------- ledger entries


@dataclass
class FindingInput:
    """A dispute found: either `case_number` (link an existing case) or a new one."""

    case_number: str = ""
    description: str = ""
    applicant_name: str = ""
    applicant_phone: str = ""
    respondent: str = ""
    category: str | None = None


@dataclass
class EntryInput:
    round_id: int
    grid_id: int | None = None
    village_code: str = ""
    zero_report: bool = False
    checked: list[str] = field(default_factory=list)
    note: str = ""
    findings: list[FindingInput] = field(default_factory=list)


def unit_for(reporter: Staff, *, grid_id: int | None, village_code: str = "") -> tuple[Grid | None, Region]:
    """The grid or village a reporter may report for: a member of the grid, or staff whose
    organisation's area contains it. Anything else is "not found"."""
    if grid_id is not None:
        grid = Grid.objects.select_related("village").filter(pk=grid_id).first()
        if grid is None:
            raise NotFound(_("Not one of your grids."))
        if not (
            grid.members.filter(staff=reporter).exists() or region_in_jurisdiction(reporter, grid.village)
        ):
            raise NotFound(_("Not one of your grids."))
        return grid, grid.village
    village = Region.objects.filter(code=(village_code or "")[:12], level="village").first()
    if village is None or not region_in_jurisdiction(reporter, village):
        raise NotFound(_("Unknown region."))
    return None, village


def _validate(data: EntryInput, schedule: Schedule) -> dict[str, list]:
    errors: dict[str, list] = {}
    items = list(schedule.checklist or [])
    checked = [str(c) for c in data.checked]
    unknown = [c for c in checked if c not in items]
    if unknown:
        errors["checked"] = [_("not on the checklist: %(items)s") % {"items": "、".join(unknown)[:200]}]
    elif items and not checked:
        errors["checked"] = [_("say what was checked")]
    if data.zero_report and data.findings:
        errors["zero_report"] = [_("a zero report has no findings")]
    if not data.zero_report and not data.findings:
        errors["findings"] = [_("report what was found, or make a zero report")]
    if len(data.findings) > MAX_FINDINGS:
        errors["findings"] = [_("at most %(n)s findings") % {"n": MAX_FINDINGS}]
    if len(data.note or "") > 4000:
        errors["note"] = [_("too long")]
    for i, f in enumerate(data.findings):
        if f.case_number:
            continue
        if not (f.description or "").strip():
            errors[f"findings.{i}.description"] = [_("required")]
        if not (f.applicant_name or "").strip():
            errors[f"findings.{i}.applicant_name"] = [_("required")]
    return errors


def inspection_report(*, reporter: Staff, data: EntryInput) -> Entry:
    """Record one ledger entry (zero report or findings) for a grid or village and a round."""
    grid, village = unit_for(reporter, grid_id=data.grid_id, village_code=data.village_code)
    rnd = Round.objects.select_related("schedule").filter(pk=data.round_id, schedule__active=True).first()
    if rnd is None or rnd.schedule.county_id != village.county_id:
        raise NotFound(_("Unknown inspection round."))
    unit = Unit.GRID if grid is not None else Unit.VILLAGE
    if rnd.schedule.unit != unit:
        raise ValidationFailed(
            _("This round is reported per %(unit)s.") % {"unit": Unit(rnd.schedule.unit).label},
            fields={"grid" if unit == Unit.GRID else "village": [_("invalid")]},
        )
    if rnd.period_start > clock.today():
        raise ValidationFailed(_("This round has not begun."), fields={"round": [_("invalid")]})
    errors = _validate(data, rnd.schedule)
    if errors:
        raise ValidationFailed(_("The report is not complete."), fields=errors)
    unit_lookup: dict[str, object] = {"grid": grid} if grid else {"village": village, "grid__isnull": True}
    dup = Entry.objects.filter(round=rnd, **unit_lookup)
    if dup.exists():
        raise DuplicateEntry(_("This round is already reported for this unit."))
    linked: list[Case] = []
    for f in data.findings:
        if f.case_number:
            linked.append(case_get(viewer=reporter, number=f.case_number.strip()[:40]))
    if village.town_id is None:  # every village lies in a town; the region table says otherwise
        raise NotFound(_("Unknown region."))
    now = clock.now()
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                round=rnd,
                unit=unit,
                grid=grid,
                village=village,
                town_id=village.town_id,
                county_id=village.county_id,
                reporter=reporter,
                reported_at=now,
                zero_report=data.zero_report,
                checked=[str(c) for c in data.checked],
                note=(data.note or "").strip(),
            )
            cases: list[tuple[Case, bool]] = [(c, False) for c in linked]
            for i, f in enumerate(data.findings):
                if f.case_number:
                    continue
                parties = [
                    PartyInput(role=PartyRole.APPLICANT, name=f.applicant_name, phone=f.applicant_phone)
                ]
                if (f.respondent or "").strip():
                    parties.append(PartyInput(role=PartyRole.RESPONDENT, name=f.respondent.strip()[:100]))
                try:
                    reg = case_register(
                        channel=Channel.GRID,
                        region=village,
                        description=f.description,
                        category=f.category or None,
                        parties=parties,
                        actor=reporter,
                    )
                except ValidationFailed as exc:  # name the finding the error belongs to
                    raise ValidationFailed(
                        exc.message,
                        code=exc.code,
                        fields={f"findings.{i}.{k}": v for k, v in exc.fields.items()},
                    ) from exc
                if grid is not None:
                    from jiefen.channels.models import GridReport

                    GridReport.objects.create(case=reg.case, grid=grid, worker=reporter, reported_at=now)
                cases.append((reg.case, True))
            seen: set[int] = set()
            for case, registered in cases:
                if case.pk in seen:
                    continue
                seen.add(case.pk)
                Finding.objects.create(entry=entry, case=case, registered=registered)
                _case_event(case, reporter, entry, registered)
    except IntegrityError as exc:  # a concurrent report of the same unit and round
        raise DuplicateEntry(_("This round is already reported for this unit.")) from exc
    return entry


def _case_event(case: Case, actor: Staff, entry: Entry, registered: bool) -> None:
    from jiefen.procedures.services import case_event_append

    case_event_append(
        case,
        "inspection_found",
        actor,
        at=entry.reported_at,
        data={
            "entry": entry.pk,
            "round": entry.round_id,
            "unit": entry.unit,
            "grid": entry.grid.code if entry.grid is not None else "",
            "village": entry.village.code,
            "registered": registered,
        },
    )


# ---------------------------------------------------------------- reports missing (a step of the alert sweep)


def inspection_alerts_sync(*, now: datetime | None = None) -> int:
    """Create the 排查 rounds that have begun, then keep one alert per town and round whose
    due day has passed with reports missing
    (inspections.selectors.missing_reports), placed in the town so the town centre sees it;
    closed ("condition cleared") once every unit has reported. Run by the sweep. Returns how
    many alerts were opened."""
    now = now or clock.now()
    today = timezone.localtime(now).date()
    rounds_ensure(until=today)  # the rounds of the schedules begin as their periods do
    rule = alert_services.rules_enabled().get(RuleKind.INSPECTION_MISSING)
    if rule is None:
        return 0
    lookback = int(alert_rules.param(rule, "lookback_days"))
    gaps = missing_reports(today=today, lookback_days=lookback)
    signals = [
        alert_services.Signal(
            rule=rule,
            subject_kind=SubjectKind.REGION,
            subject_key=g.key,
            subject_label=f"{g.town_name} · {g.schedule_name} {g.period}",
            county_id=g.county_id,
            town_id=g.town_id,
            reasons=[
                {
                    "code": "inspection_missing",
                    "schedule": g.schedule_name,
                    "due": g.due_on.isoformat(),
                    "count": len(g.units),
                    "owed": g.owed,
                    "units": g.units,
                }
            ],
            episode=g.due_on.isoformat(),
        )
        for g in gaps
        if g.units
    ]
    created = alert_services.alerts_raise(signals, now=now)
    complete = [g.key for g in gaps if not g.units]
    for start in range(0, len(complete), alert_services.CHUNK):
        Alert.objects.filter(
            rule=rule, subject_key__in=complete[start : start + alert_services.CHUNK]
        ).exclude(status=AlertStatus.CLOSED).update(
            status=AlertStatus.CLOSED,
            resolution=Resolution.CLEARED,
            closed_at=now,
            updated_at=now,
            note=_("Every unit has reported."),
        )
    return created
