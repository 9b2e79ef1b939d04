"""The demo's 排查 and map: a grid per village (two in the featured village, worked by the
grid_worker account), the three kinds of schedule (grids weekly, villages monthly, a special
campaign before the holidays), about a month of rounds reported mostly as zero reports with a
few disputes linked to the demo's cases and a few reports missing (and their alerts),
approximate centres for the county's towns and villages, and locations on some online and
grid reports. Written in bulk like the demo's cases; deterministic for a seed; idempotent."""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jiefen.cases.models import Case, CaseEvent
from jiefen.channels.models import GridMember
from jiefen.directory.models import Organization, Staff
from jiefen.geo.models import RegionPoint, ReportLocation
from jiefen.geo.services import centres_place
from jiefen.inspections.models import Entry, Finding, Round, Schedule
from jiefen.inspections.services import rounds_ensure
from jiefen.regions.models import Grid, Region

CHECKLIST = ["邻里纠纷", "婚姻家庭", "土地山林", "劳资欠薪", "物业与租赁", "涉众型矛盾"]
CAMPAIGN_CHECKLIST = [
    "欠薪讨薪（节前重点）",
    "涉众型矛盾",
    "重点人员动态",
    "安全生产隐患引发的纠纷",
    "婚姻家庭",
]
SCHEDULE_CODES = ("demo-grid-weekly", "demo-village-monthly", "demo-holiday-campaign")
MISSING_PER_ROUND = 2  # units that did not report, in each round past its due day


def _h(*parts) -> float:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def inspections_seed(
    *, county: Region, village: Region, grid_worker: Staff | None, today: date, seed: int = 0
) -> dict:
    """Add the demo's grids, schedules, rounds, entries, centres and locations when missing."""
    if Schedule.objects.filter(code=SCHEDULE_CODES[0]).exists():
        return {"entries": 0}
    out = {}
    with transaction.atomic():
        out["centres"] = centres_place(county=county)
        grids = _grids(county, village, grid_worker)
        reporters = _reporters(county)
        Schedule.objects.bulk_create(
            [
                Schedule(
                    county=county,
                    code=SCHEDULE_CODES[0],
                    name="网格矛盾纠纷周排查",
                    unit="grid",
                    frequency="weekly",
                    starts_on=today - timedelta(days=35),
                    grace_days=1,
                    checklist=CHECKLIST,
                ),
                Schedule(
                    county=county,
                    code=SCHEDULE_CODES[1],
                    name="村社矛盾纠纷月排查",
                    unit="village",
                    frequency="monthly",
                    starts_on=(today.replace(day=1) - timedelta(days=1)).replace(day=1),
                    grace_days=3,
                    checklist=CHECKLIST,
                ),
                Schedule(
                    county=county,
                    code=SCHEDULE_CODES[2],
                    name="节前矛盾纠纷专项排查",
                    unit="village",
                    frequency="campaign",
                    starts_on=today - timedelta(days=12),
                    ends_on=today - timedelta(days=2),
                    grace_days=1,
                    checklist=CAMPAIGN_CHECKLIST,
                ),
            ]
        )
        rounds_ensure(until=today, county=county)
        out["entries"], out["findings"] = _entries(county, grids, reporters, grid_worker, today, seed)
        out["locations"] = _locations(county, seed)
    return out


def _grids(county: Region, village: Region, grid_worker: Staff | None) -> list[Grid]:
    have = set(Grid.objects.filter(village__county=county).values_list("code", flat=True))
    # a village that has grids already (the featured village's, made with their members by
    # demo.services) keeps them: the ledger's rounds are owed by those
    with_grids = set(Grid.objects.filter(village__county=county).values_list("village_id", flat=True))
    new = []
    for v in Region.objects.filter(county=county, level="village").order_by("code"):
        if v.pk in with_grids:
            continue
        n = 2 if v.pk == village.pk else 1
        for i in range(1, n + 1):
            code = f"{v.code}-{i:02d}"
            if code not in have:
                short = v.name.removesuffix("村委会").removesuffix("社区居委会").removesuffix("居委会")
                new.append(Grid(village=v, code=code, name=f"{short}第{'一二'[i - 1]}网格"))
    Grid.objects.bulk_create(new)
    grids = list(Grid.objects.filter(village__county=county).select_related("village").order_by("code"))
    if grid_worker is not None:
        mine = [g for g in grids if g.village_id == village.pk]
        for i, g in enumerate(mine):
            GridMember.objects.get_or_create(grid=g, staff=grid_worker, defaults={"is_leader": i == 0})
    return grids


def _reporters(county: Region) -> dict[int, Staff]:
    """One account per town that stands for the town's grid workers in the demo ledger (it
    cannot log in: no usable password)."""
    out = {}
    for town in Region.objects.filter(county=county, level="town").order_by("code"):
        org = Organization.objects.filter(region=town).order_by("id").first()
        username = f"demo-grid-{town.code}"
        staff = Staff.objects.filter(username=username).first()
        if staff is None:
            staff = Staff(
                username=username, organization=org, roles=["grid_worker"], display_name=f"{town.name}网格员"
            )
            staff.set_unusable_password()
            staff.save()
        out[town.pk] = staff
    return out


def _entries(county, grids, reporters, grid_worker, today: date, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    villages = list(Region.objects.filter(county=county, level="village").order_by("code"))
    rounds = list(
        Round.objects.filter(schedule__county=county, period_start__lte=today).select_related("schedule")
    )
    cases_by_village: dict[int | None, list[Case]] = {}
    recent = Case.objects.filter(county=county, received_at__gte=_at(today - timedelta(days=70), 0))
    for c in recent.only("id", "village_id", "received_at"):
        cases_by_village.setdefault(c.village_id, []).append(c)
    entries, found = [], []
    for rnd in rounds:
        due = rnd.due_on < today
        units = (
            [(g.village, g) for g in grids] if rnd.schedule.unit == "grid" else [(v, None) for v in villages]
        )
        ranked = sorted(
            units, key=lambda u: _h(seed, rnd.schedule.code, rnd.period_start, (u[1] or u[0]).code)
        )
        missing = {(u[1] or u[0]).code for u in ranked[:MISSING_PER_ROUND]} if due else set()
        for v, g in units:
            key = g.code if g else v.code
            if key in missing:
                continue  # a missing report: the sweep raises the town's alert
            if not due and _h(seed, "early", rnd.pk, key) > 0.6:
                continue  # the current round: not everyone has reported yet
            last = min(rnd.due_on if due else today, today)
            span = max((last - rnd.period_end).days, 0)
            day = rnd.period_end + timedelta(days=rng.randint(-2, span)) if due else today
            day = min(max(day, rnd.period_start), today)
            reporter = (
                grid_worker
                if (grid_worker is not None and g is not None and v.pk == grid_worker.organization.region_id)
                else reporters[v.town_id]
            )
            items = [i for i in rnd.schedule.checklist if rng.random() < 0.7] or rnd.schedule.checklist[:1]
            reported_at = _at(day, rng.randint(9, 17))
            candidates = [
                c
                for c in cases_by_village.get(v.pk, [])
                if rnd.period_start <= timezone.localtime(c.received_at).date() <= rnd.period_end
                and c.received_at < reported_at
            ]
            case = candidates[0] if candidates and rng.random() < 0.5 else None
            entry = Entry(
                round=rnd,
                unit=rnd.schedule.unit,
                grid=g,
                village=v,
                town_id=v.town_id,
                county_id=county.pk,
                reporter=reporter,
                reported_at=reported_at,
                zero_report=case is None,
                checked=items,
                note="" if case is None else "排查中发现，已登记跟进",
            )
            entries.append(entry)
            if case is not None:
                found.append((entry, case))
    Entry.objects.bulk_create(entries, batch_size=1000)
    Finding.objects.bulk_create(
        [Finding(entry=e, case=c, registered=False) for e, c in found], ignore_conflicts=True
    )
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=c,
                at=e.reported_at,
                actor=e.reporter,
                kind="inspection_found",
                data={
                    "entry": e.pk,
                    "round": e.round_id,
                    "unit": e.unit,
                    "grid": e.grid.code if e.grid else "",
                    "village": e.village.code,
                    "registered": False,
                },
            )
            for e, c in found
        ]
    )
    return len(entries), len(found)


def _locations(county: Region, seed: int) -> int:
    points = {
        p.region_id: p for p in RegionPoint.objects.filter(region__county=county, region__level="village")
    }
    rows = []
    for c in Case.objects.filter(county=county, channel__in=["online", "grid"], location__isnull=True).only(
        "id", "village_id"
    ):
        p = points.get(c.village_id) if c.village_id is not None else None
        if p is None or _h(seed, "loc", c.pk) > 0.4:
            continue
        dx, dy = _h(seed, "x", c.pk) - 0.5, _h(seed, "y", c.pk) - 0.5
        rows.append(
            ReportLocation(
                case=c,
                latitude=p.latitude + Decimal(f"{dy * 0.02:.6f}"),
                longitude=p.longitude + Decimal(f"{dx * 0.02:.6f}"),
                source=c.channel,
            )
        )
    ReportLocation.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
