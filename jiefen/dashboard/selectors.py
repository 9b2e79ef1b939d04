"""Reads of the dashboard: every figure of the command platform, from counters.

`stats_overview` is the one selector behind the API (`GET /api/v1/stats/overview`), the
dashboard page, the big screen and the monthly report, so they always show the same numbers.
It reads a handful of indexed ranges of DailyCount (a few thousand rows for a county-year,
whatever the number of cases); only "overdue" is a live query, on Case's (status, due_at)
index, because it changes with the clock rather than with writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from jiefen.cases.choices import OPEN_STATUSES, Category, Channel, ResolvedLevel
from jiefen.cases.models import Case
from jiefen.core import clock
from jiefen.core.errors import NotFound, ValidationFailed
from jiefen.dashboard.counters import COLUMNS
from jiefen.dashboard.models import DailyCount, Dim, OrgDailyCount, Theme
from jiefen.dashboard.platforms import platform_figures
from jiefen.directory.models import Staff
from jiefen.directory.selectors import region_in_jurisdiction
from jiefen.regions.models import Region

MAX_RANGE_DAYS = 3653  # ten years, leap days included
LEVELS = [ResolvedLevel.VILLAGE, ResolvedLevel.TOWN, ResolvedLevel.COUNTY, ResolvedLevel.STATUTORY]
_LEVEL_COLUMNS = {lvl: f"resolved_{lvl}" for lvl in LEVELS}


@dataclass(frozen=True)
class Scope:
    region: Region
    date_from: date
    date_to: date


def _field(region: Region) -> str:
    return {"county": "county_id", "town": "town_id", "village": "village_id"}[region.level]


def viewer_region(viewer: Staff) -> Region | None:
    if viewer.organization_id:
        return viewer.organization.region
    if viewer.is_superuser:
        return Region.objects.filter(level="county").order_by("code").first()
    return None


def overview_scope(
    *, viewer: Staff, region_code: str | None, date_from: date | None, date_to: date | None
) -> Scope:
    """Check the question: a region inside the viewer's jurisdiction (else not found) and a
    period of at most ten years that does not end before it starts (else 422)."""
    if region_code:
        region = Region.objects.filter(code=region_code.strip()).first()
        if region is None or not region_in_jurisdiction(viewer, region):
            raise NotFound(_("Unknown region."))
    else:
        region = viewer_region(viewer)
        if region is None:
            raise NotFound(_("Unknown region."))
    today = clock.today()
    date_to = date_to or today
    date_from = date_from or date(date_to.year, 1, 1)
    if date_from > date_to:
        raise ValidationFailed(
            _("The start of the period is after its end."), fields={"from": [_("after 'to'")]}
        )
    if (date_to - date_from).days >= MAX_RANGE_DAYS:
        raise ValidationFailed(
            _("The period is longer than ten years."), fields={"from": [_("more than ten years before 'to'")]}
        )
    return Scope(region=region, date_from=date_from, date_to=date_to)


def _same_day_last_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _yoy(now: int, before: int) -> float | None:
    return None if not before else round((now - before) * 100.0 / before, 1)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _share(part: int, whole: int) -> float | None:
    return None if not whole else round(part * 100.0 / whole, 1)


def stats_overview(
    *,
    viewer: Staff,
    region_code: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict:
    """Every figure of the dashboard for a region and period (see module docstring)."""
    scope = overview_scope(viewer=viewer, region_code=region_code, date_from=date_from, date_to=date_to)
    region, d0, d1 = scope.region, scope.date_from, scope.date_to
    today = clock.today()
    last_year_start = date(today.year - 1, 1, 1)

    # 1. the region's totals per day: the period, its series and today/month/year (+ last year)
    span_from, span_to = min(d0, last_year_start), max(d1, today)
    per_day: dict[date, list[int]] = {}
    for row in DailyCount.objects.filter(
        region=region, dim="", value="", day__gte=span_from, day__lte=span_to
    ).values_list("day", *COLUMNS):
        per_day[row[0]] = list(row[1:])

    def total(first: date, last: date) -> list[int]:
        out = [0] * len(COLUMNS)
        for day, vec in per_day.items():
            if first <= day <= last:
                for i, v in enumerate(vec):
                    out[i] += v
        return out

    sums = total(d0, d1)
    fig = dict(zip(COLUMNS, sums, strict=True))
    by_level = {lvl: fig[_LEVEL_COLUMNS[lvl]] for lvl in LEVELS}
    resolved = sum(by_level.values())

    periods = {}
    ly_today = _same_day_last_year(today)
    for name, first in (
        ("today", today),
        ("month", today.replace(day=1)),
        ("year", today.replace(month=1, day=1)),
    ):
        cur = total(first, today)
        prev = total(_same_day_last_year(first), ly_today)
        cur_res, prev_res = sum(cur[2:6]), sum(prev[2:6])
        periods[name] = {
            "from": first.isoformat(),
            "received": cur[0],
            "resolved": cur_res,
            "received_last_year": prev[0],
            "resolved_last_year": prev_res,
            "received_yoy": _yoy(cur[0], prev[0]),
            "resolved_yoy": _yoy(cur_res, prev_res),
        }

    series = _series(per_day, d0, d1)

    # 2. breakdowns of the period: category, channel, theme
    dims: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for dim, value, *vec in (
        DailyCount.objects.filter(
            region=region, dim__in=[Dim.CATEGORY, Dim.CHANNEL, Dim.THEME], day__gte=d0, day__lte=d1
        )
        .values("dim", "value")
        .annotate(*[Sum(c) for c in COLUMNS])
        .values_list("dim", "value", *[f"{c}__sum" for c in COLUMNS])
    ):
        dims[dim][value] = vec
    cat_labels, chan_labels = dict(Category.choices), dict(Channel.choices)

    def ranking(dim: str, labels: dict) -> list[dict]:
        rows = [
            {
                "code": code,
                "label": str(labels.get(code, code)),
                "received": vec[0],
                "open": vec[1],
                "resolved": sum(vec[2:6]),
            }
            for code, vec in dims.get(dim, {}).items()
            if vec[0] or sum(vec[2:6])
        ]
        return sorted(rows, key=lambda r: (-r["received"], r["code"]))

    theme_names = dict(Theme.objects.values_list("code", "name"))

    # 3. the children of the region (towns of a county, villages of a town), ranked
    children = []
    if region.level in ("county", "town"):
        # An explicit list of child ids lets every engine use the (region, dim, value, day) key.
        kids = {
            pk: (code, name)
            for pk, code, name in Region.objects.filter(
                **(
                    {"county_id": region.pk, "level": "town"}
                    if region.level == "county"
                    else {"town_id": region.pk, "level": "village"}
                )
            ).values_list("pk", "code", "name")
        }
        sums_by_kid = {
            rid: vec
            for rid, *vec in DailyCount.objects.filter(
                region_id__in=list(kids), dim="", value="", day__gte=d0, day__lte=d1
            )
            .values("region_id")
            .annotate(*[Sum(c) for c in COLUMNS])
            .values_list("region_id", *[f"{c}__sum" for c in COLUMNS])
        }
        for pk, (code, name) in kids.items():
            vec = sums_by_kid.get(pk) or [0] * len(COLUMNS)
            children.append(
                {"code": code, "name": name, "received": vec[0], "open": vec[1], "resolved": sum(vec[2:6])}
            )
        children.sort(key=lambda r: (-r["received"], r["code"]))

    # 4. live: overdue now, among the period's cases
    now = clock.now()
    overdue = Case.objects.filter(
        **{_field(region): region.pk},
        status__in=OPEN_STATUSES,
        due_at__lt=now,
        received_at__gte=_day_start(d0),
        received_at__lt=_day_start(d1 + timedelta(days=1)),
    ).count()

    # 5. returns per organisation (推诿 watch) in the period
    org_area = {
        "county": Q(organization__region__county_id=region.pk),
        "town": Q(organization__region__town_id=region.pk),
        "village": Q(organization__region_id=region.pk),
    }[region.level]
    returns = [
        {"id": oid, "name": name, "returns": n}
        for oid, name, n in OrgDailyCount.objects.filter(org_area, day__gte=d0, day__lte=d1)
        .values("organization_id", "organization__name")
        .annotate(n=Sum("returns"))
        .filter(n__gt=0)
        .order_by("-n", "organization__name")
        .values_list("organization_id", "organization__name", "n")[:20]
    ]

    # 6. satisfaction: one notion across return visits, portal ratings, the hotline and staff
    # (procedures.satisfaction), when that app is installed
    sat = _satisfaction(region, d0, d1)

    # 7. open alerts by rule, in the region
    from jiefen.alerts.selectors import open_alerts_by_rule

    alerts = open_alerts_by_rule(viewer=viewer, region=region)

    return {
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "from": d0.isoformat(),
        "to": d1.isoformat(),
        "received": fig["received"],
        "resolved": resolved,
        "in_progress": fig["open"],
        "overdue": overdue,
        "resolution_rate": _share(resolved, fig["received"]),
        "by_level": by_level,
        "village_town_share": _share(by_level["village"] + by_level["town"], resolved),
        "avg_workdays_to_resolve": None if not resolved else round(fig["resolve_workdays"] / resolved, 1),
        "satisfaction": None if sat is None or sat["rate"] is None else round(sat["rate"] * 100, 1),
        "satisfaction_opinions": sat["opinions"] if sat else 0,
        "satisfaction_detail": sat,
        "return_visits": sat["by_source"]["return_visit"]["opinions"] if sat else 0,
        "by_category": ranking("category", cat_labels),
        "by_channel": ranking("channel", chan_labels),
        "by_theme": ranking("theme", theme_names),
        "by_town": children,
        "periods": periods,
        "series": series,
        "returns_by_organization": returns,
        "open_alerts_by_rule": alerts,
        "open_alerts": sum(a["count"] for a in alerts),
        "platforms": platform_figures(region, d0, d1),
    }


def _satisfaction(region: Region, d0: date, d1: date) -> dict | None:
    """procedures.satisfaction.figures: the one source of the satisfaction figures."""
    if not apps.is_installed("jiefen.procedures"):
        return None
    from jiefen.procedures.satisfaction import figures

    return figures(region=region, d0=d0, d1=d1)


def _series(per_day: dict[date, list[int]], d0: date, d1: date) -> list[dict]:
    """Received and resolved per day (periods up to 92 days) or per month."""
    monthly = (d1 - d0).days > 92
    buckets: dict[str, list[int]] = {}
    day = d0
    while day <= d1:
        key = day.strftime("%Y-%m") if monthly else day.isoformat()
        b = buckets.setdefault(key, [0, 0])
        vec = per_day.get(day)
        if vec:
            b[0] += vec[0]
            b[1] += sum(vec[2:6])
        day += timedelta(days=1)
    return [{"period": k, "received": v[0], "resolved": v[1]} for k, v in buckets.items()]


# ---------------------------------------------------------------- drill-down


def case_list_url(**params) -> str:
    """The staff case list behind a figure (web:case_list with its filters)."""
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse("web:case_list") + ("?" + urlencode(clean) if clean else "")


def overview_links(ov: dict) -> dict:
    """For every figure of an overview, the case list that shows the cases behind it."""
    region = ov["region"]["code"]
    rec = {"region": region, "received_from": ov["from"], "received_to": ov["to"]}
    res = {"region": region, "resolved_from": ov["from"], "resolved_to": ov["to"]}
    links = {
        "received": case_list_url(**rec),
        "in_progress": case_list_url(status="open", **rec),
        "overdue": case_list_url(overdue="1", **rec),
        "resolved": case_list_url(**res),
        "by_level": {lvl: case_list_url(resolved_level=lvl, **res) for lvl in LEVELS},
        "by_category": {r["code"]: case_list_url(category=r["code"], **rec) for r in ov["by_category"]},
        "by_channel": {r["code"]: case_list_url(channel=r["code"], **rec) for r in ov["by_channel"]},
        "by_town": {
            r["code"]: case_list_url(received_from=ov["from"], received_to=ov["to"], region=r["code"])
            for r in ov["by_town"]
        },
        "alerts": {
            r["rule"]: reverse("alerts:list") + "?" + urlencode({"rule": r["rule"]})
            for r in ov["open_alerts_by_rule"]
        },
        "periods": {},
    }
    today = ov["periods"]["today"]
    for name, p in ov["periods"].items():
        links["periods"][name] = {
            "received": case_list_url(region=region, received_from=p["from"], received_to=_today_of(today)),
            "resolved": case_list_url(region=region, resolved_from=p["from"], resolved_to=_today_of(today)),
        }
    return links


def _today_of(today_period: dict) -> str:
    return today_period["from"]
