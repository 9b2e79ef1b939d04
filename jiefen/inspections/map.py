"""Reads of the map (the page under /map/ and GET /api/v1/map/regions), through the viewer's jurisdiction: counts per town and village of cases
received, alerts opened and 排查 findings in a period, the regions' centres, the county's
boundary, and the points where reports carried a location."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode

from jiefen.alerts.models import Alert
from jiefen.alerts.selectors import alert_scope
from jiefen.cases.models import Case
from jiefen.cases.selectors import case_scope
from jiefen.directory.models import Staff
from jiefen.geo.models import CountyBoundary, RegionPoint, ReportLocation
from jiefen.inspections.models import Entry, Finding
from jiefen.inspections.selectors import county_of, day_start, entry_scope
from jiefen.regions.models import Region

MAX_POINTS = 2000


def _area(region: Region, prefix: str = "") -> Q:
    if region.level == "county":
        return Q(**{f"{prefix}county_id": region.pk})
    if region.level == "town":
        return Q(**{f"{prefix}town_id": region.pk})
    return Q(**{f"{prefix}village_id": region.pk})


def _tally(rows, out: dict, key: str) -> None:
    for town_id, village_id, n in rows:
        if town_id is not None:
            out.setdefault(town_id, {}).setdefault(key, 0)
            out[town_id][key] += n
        if village_id is not None:
            out.setdefault(village_id, {}).setdefault(key, 0)
            out[village_id][key] += n


def case_list_link(code: str, first: date, last: date) -> str:
    return (
        reverse("web:case_list")
        + "?"
        + urlencode({"region": code, "received_from": first.isoformat(), "received_to": last.isoformat()})
    )


def region_counts(*, viewer: Staff, area: Region, date_from: date, date_to: date) -> dict:
    """{county, boundary, regions: [{code, name, level, town_code, lat, lng, approximate, cases,
    alerts, findings, link}], points: [...]} for the towns and villages of `area`."""
    start, end = day_start(date_from), day_start(date_to + timedelta(days=1))
    county = county_of(area)
    counts: dict[int, dict] = {}
    cases = Case.objects.filter(case_scope(viewer), _area(area), received_at__gte=start, received_at__lt=end)
    _tally(
        cases.values_list("town_id", "village_id")
        .annotate(n=Count("id"))
        .values_list("town_id", "village_id", "n"),
        counts,
        "cases",
    )
    alerts = Alert.objects.filter(alert_scope(viewer), _area(area), opened_at__gte=start, opened_at__lt=end)
    _tally(
        alerts.values_list("town_id", "village_id")
        .annotate(n=Count("id"))
        .values_list("town_id", "village_id", "n"),
        counts,
        "alerts",
    )
    findings = Finding.objects.filter(
        entry__in=_entries(viewer, area), entry__reported_at__gte=start, entry__reported_at__lt=end
    )
    _tally(
        findings.values_list("entry__town_id", "entry__village_id")
        .annotate(n=Count("id"))
        .values_list("entry__town_id", "entry__village_id", "n"),
        counts,
        "findings",
    )
    regions = (
        Region.objects.filter(level__in=["town", "village"])
        .filter(
            Q(county=area)
            if area.level == "county"
            else (Q(town=area) if area.level == "town" else Q(pk=area.pk))
        )
        .select_related("town")
    )
    points = {p.region_id: p for p in RegionPoint.objects.filter(region__in=regions)}
    out = []
    for r in regions.order_by("code"):
        c = counts.get(r.pk, {})
        p = points.get(r.pk)
        out.append(
            {
                "code": r.code,
                "name": r.name,
                "level": r.level,
                "town_code": r.town.code if r.town is not None else "",
                "lat": float(p.latitude) if p else None,
                "lng": float(p.longitude) if p else None,
                "approximate": p.approximate if p else None,
                "cases": c.get("cases", 0),
                "alerts": c.get("alerts", 0),
                "findings": c.get("findings", 0),
                "link": case_list_link(r.code, date_from, date_to),
            }
        )
    located = (
        ReportLocation.objects.filter(case__in=cases)
        .select_related("case")
        .order_by("-case__received_at")[:MAX_POINTS]
    )
    return {
        "county": {"code": county.code, "name": county.name},
        "area": {"code": area.code, "name": area.name, "level": area.level},
        "from": date_from,
        "to": date_to,
        "boundary": CountyBoundary.objects.filter(county=county).exists(),
        "regions": out,
        "points": [
            {
                "case": loc.case.number,
                "lat": float(loc.latitude),
                "lng": float(loc.longitude),
                "category": loc.case.category,
                "status": loc.case.status,
                "source": loc.source,
            }
            for loc in located
        ],
    }


def _entries(viewer: Staff, area: Region):
    return Entry.objects.filter(entry_scope(viewer)).filter(_area(area))


def boundary_of(county: Region) -> dict | None:
    b = CountyBoundary.objects.filter(county=county).only("geojson").first()
    return b.geojson if b else None
