"""Reads of 排查: rounds, ledger entries and completion, always through the viewer's area.

`completion(organization_or_region, date_from, date_to)` is read by other apps (unit
scorecards): its name and meaning stay stable. A round counts in a period when its due day
falls in the period; each grid (weekly rounds) or village (monthly rounds, campaigns) of the
area owes one entry per such round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.core.errors import NotFound, ValidationFailed
from jiefen.directory.models import Organization, Staff
from jiefen.directory.selectors import region_in_jurisdiction
from jiefen.inspections.choices import Unit
from jiefen.inspections.models import Entry, Round
from jiefen.regions.models import Grid, Region


@dataclass
class CompletionRow:
    """Completion of one grid or village over a period."""

    unit: str  # "grid" or "village"
    grid_id: int | None
    code: str  # the grid's code or the village's 12-digit code
    name: str
    village_code: str
    village_name: str
    town_code: str
    town_name: str
    due: int = 0  # entries owed: rounds due in the period
    done: int = 0  # entries made for those rounds (whenever made)
    on_time: int = 0  # … of which by the round's due day
    zero_reports: int = 0
    findings: int = 0

    @property
    def missing(self) -> int:
        return max(self.due - self.done, 0)

    @property
    def rate(self) -> float | None:
        return None if self.due == 0 else round(self.done / self.due, 4)


def _region_of(organization_or_region: Organization | Region) -> Region:
    if isinstance(organization_or_region, Organization):
        return organization_or_region.region
    return organization_or_region


def _area_q(region: Region, prefix: str) -> Q:
    """Villages (or things with a `village`) inside `region`."""
    if region.level == "county":
        return Q(**{f"{prefix}county_id": region.pk})
    if region.level == "town":
        return Q(**{f"{prefix}town_id": region.pk})
    return Q(**{f"{prefix}pk" if not prefix else f"{prefix[:-2]}_id": region.pk})


def area_grids(region: Region) -> QuerySet[Grid]:
    return Grid.objects.filter(_area_q(region, "village__")).select_related("village", "village__town")


def area_villages(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(_area_q(region, ""), level="village").select_related("town")


def rounds_due(county: Region, date_from: date, date_to: date) -> QuerySet[Round]:
    return Round.objects.filter(
        schedule__county=county, schedule__active=True, due_on__gte=date_from, due_on__lte=date_to
    ).select_related("schedule")


def county_of(region: Region) -> Region:
    """The county of a county, town or village (only a node above a county has none)."""
    county = region if region.level == "county" else region.county
    if county is None:
        raise NotFound(_("Not found."))
    return county


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def completion(
    organization_or_region: Organization | Region, date_from: date, date_to: date
) -> list[CompletionRow]:
    """Due/done counts per grid and per village of an organisation's (or a region's) area for
    the rounds due between `date_from` and `date_to` (inclusive), ordered by town, village, grid.
    Only units that owed something in the period are listed."""
    region = _region_of(organization_or_region)
    county = county_of(region)
    rounds = list(rounds_due(county, date_from, date_to))
    per_unit = {Unit.GRID: [r for r in rounds if r.schedule.unit == Unit.GRID]}
    per_unit[Unit.VILLAGE] = [r for r in rounds if r.schedule.unit == Unit.VILLAGE]
    rows: dict[tuple[str, int], CompletionRow] = {}
    if per_unit[Unit.GRID]:
        for g in area_grids(region):
            v = g.village
            rows[(Unit.GRID, g.pk)] = CompletionRow(
                unit=Unit.GRID,
                grid_id=g.pk,
                code=g.code,
                name=g.name,
                village_code=v.code,
                village_name=v.name,
                town_code=v.town.code if v.town else "",
                town_name=v.town.name if v.town else "",
                due=len(per_unit[Unit.GRID]),
            )
    if per_unit[Unit.VILLAGE]:
        for v in area_villages(region):
            rows[(Unit.VILLAGE, v.pk)] = CompletionRow(
                unit=Unit.VILLAGE,
                grid_id=None,
                code=v.code,
                name=v.name,
                village_code=v.code,
                village_name=v.name,
                town_code=v.town.code if v.town else "",
                town_name=v.town.name if v.town else "",
                due=len(per_unit[Unit.VILLAGE]),
            )
    if rounds:
        due_on = {r.pk: r.due_on for r in rounds}
        entries = (
            Entry.objects.filter(round_id__in=list(due_on))
            .filter(_area_q(region, "village__"))
            .annotate(n_findings=Count("findings"))
            .values_list(
                "unit", "grid_id", "village_id", "round_id", "reported_at", "zero_report", "n_findings"
            )
        )
        for unit, grid_id, village_id, round_id, reported_at, zero, n_findings in entries:
            row = rows.get((unit, grid_id if unit == Unit.GRID else village_id))
            if row is None:
                continue
            row.done += 1
            row.on_time += _local_day(reported_at) <= due_on[round_id]
            row.zero_reports += zero
            row.findings += n_findings
    return sorted(rows.values(), key=lambda r: (r.town_code, r.village_code, r.unit != Unit.VILLAGE, r.code))


def completion_total(organization_or_region: Organization | Region, date_from: date, date_to: date) -> dict:
    """The sums of `completion` for the whole area: {due, done, on_time, zero_reports, findings, rate}."""
    rows = completion(organization_or_region, date_from, date_to)
    out = {
        k: sum(getattr(r, k) for r in rows) for k in ("due", "done", "on_time", "zero_reports", "findings")
    }
    out["rate"] = None if out["due"] == 0 else round(out["done"] / out["due"], 4)
    return out


# ---------------------------------------------------------------- the viewer's reads


def viewer_region(viewer: Staff, code: str | None = None) -> Region:
    """The region a viewer asks about (their own area by default); outside the area → 404."""
    if code:
        region = Region.objects.select_related("county", "town").filter(code=code).first()
        if region is None or not region_in_jurisdiction(viewer, region):
            raise NotFound(_("Unknown region."))
        return region
    org = viewer.organization
    if org is None:
        if viewer.is_superuser:
            region = Region.objects.filter(level="county").order_by("code").first()
            if region is not None:
                return region
        raise NotFound(_("Unknown region."))
    return org.region


def entry_scope(viewer: Staff) -> Q:
    if viewer.is_superuser:
        return Q()
    org = viewer.organization
    if org is None:
        return Q(pk__in=[])
    return _area_q(org.region, "village__") | Q(grid__members__staff=viewer)


def entry_list(
    *,
    viewer: Staff,
    region: Region | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    round_id: int | None = None,
) -> QuerySet[Entry]:
    qs = Entry.objects.filter(entry_scope(viewer)).distinct()
    if region is not None:
        qs = qs.filter(_area_q(region, "village__"))
    if date_from:
        qs = qs.filter(round__due_on__gte=date_from)
    if date_to:
        qs = qs.filter(round__due_on__lte=date_to)
    if round_id:
        qs = qs.filter(round_id=round_id)
    return qs.select_related("round__schedule", "grid", "village", "town", "reporter").prefetch_related(
        "findings__case"
    )


def day_range(date_from: date | None, date_to: date | None, *, default_days: int = 30) -> tuple[date, date]:
    """A period from optional bounds: the last `default_days` days by default; at most 3 years."""
    today = timezone.localdate()
    date_to = date_to or today
    date_from = date_from or (date_to - timedelta(days=default_days - 1))
    if date_from > date_to:
        raise ValidationFailed(_("The period ends before it begins."), fields={"from": [_("invalid")]})
    if (date_to - date_from).days > 366 * 3:
        raise ValidationFailed(_("The period is longer than three years."), fields={"from": [_("too long")]})
    return date_from, date_to


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class Gap:
    """The units of one town that have not reported for one round past its due day."""

    key: str  # the alert subject: "insp:<round>:<town code>"
    round_id: int
    schedule_name: str
    period: str
    due_on: date
    county_id: int
    town_id: int
    town_name: str
    owed: int
    units: list[str]  # names of the grids/villages without an entry (empty: all reported)


def missing_reports(*, today: date, lookback_days: int = 62) -> list[Gap]:
    """For each round due before `today` (within `lookback_days`) and each town: the units that
    owe an entry and have none. Towns where everything was reported come with `units=[]` (so
    an alert about them can be closed)."""
    rounds = list(
        Round.objects.filter(
            schedule__active=True, due_on__lt=today, due_on__gte=today - timedelta(days=lookback_days)
        ).select_related("schedule", "schedule__county")
    )
    out: list[Gap] = []
    for rnd in rounds:
        county = rnd.schedule.county
        if rnd.schedule.unit == Unit.GRID:
            units = [(g.village.town_id, g.village.town, g.name, ("g", g.pk)) for g in area_grids(county)]
            done = {
                ("g", gid)
                for gid in Entry.objects.filter(round=rnd, grid__isnull=False).values_list(
                    "grid_id", flat=True
                )
            }
        else:
            units = [(v.town_id, v.town, v.name, ("v", v.pk)) for v in area_villages(county)]
            done = {
                ("v", vid)
                for vid in Entry.objects.filter(round=rnd, grid__isnull=True).values_list(
                    "village_id", flat=True
                )
            }
        by_town: dict[int, list] = {}
        for town_id, town, name, key in units:
            if town_id is not None:
                by_town.setdefault(town_id, [town, 0, []])
                by_town[town_id][1] += 1
                if key not in done:
                    by_town[town_id][2].append(name)
        for town_id, (town, owed, missing) in sorted(by_town.items(), key=lambda kv: kv[1][0].code):
            out.append(
                Gap(
                    key=f"insp:{rnd.pk}:{town.code}",
                    round_id=rnd.pk,
                    schedule_name=rnd.schedule.name,
                    period=f"{rnd.period_start:%m-%d}–{rnd.period_end:%m-%d}",
                    due_on=rnd.due_on,
                    county_id=county.pk,
                    town_id=town_id,
                    town_name=town.name,
                    owed=owed,
                    units=sorted(missing),
                )
            )
    return out


def rounds_open(*, viewer: Staff, today: date | None = None, back_days: int = 62) -> QuerySet[Round]:
    """Rounds of the viewer's county that have begun and were due at most `back_days` ago
    (late reports are still taken), soonest due first."""
    today = today or timezone.localdate()
    org = viewer.organization
    county_id = None
    if org is not None:
        county_id = org.region.pk if org.region.level == "county" else org.region.county_id
    qs = Round.objects.filter(
        schedule__active=True, period_start__lte=today, due_on__gte=today - timedelta(days=back_days)
    )
    if county_id is not None:
        qs = qs.filter(schedule__county_id=county_id)
    elif not viewer.is_superuser:
        return qs.none()
    return qs.select_related("schedule").order_by("due_on", "schedule__code")


def grid_checks(*, viewer: Staff, region: Region, date_from: date, date_to: date):
    """Checks grid workers logged outside the rounds (channels.GridCheck: a note of what was
    looked at, something found or not) in `region` and the period: the ledger shows them too."""
    from jiefen.channels.models import GridCheck

    qs = GridCheck.objects.filter(
        _area_q(region, "grid__village__"),
        checked_at__gte=day_start(date_from),
        checked_at__lt=day_start(date_to + timedelta(days=1)),
    )
    if not viewer.is_superuser and not region_in_jurisdiction(viewer, region):
        return qs.none()
    return qs.select_related("grid", "grid__village", "worker").order_by("-checked_at")
