"""REST endpoint of the map (thin)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema

from jiefen.geo import selectors
from jiefen.inspections.selectors import day_range, viewer_region

router = Router(tags=["map"])

FROM = Query(None, alias="from", description="first day (default: 30 days ago)")
TO = Query(None, alias="to", description="last day (default: today)")
REGION = Query(None, max_length=12, description="12-digit region code; default: your own area")


class RegionCountOut(Schema):
    code: str
    name: str
    level: str
    town_code: str
    lat: float | None
    lng: float | None
    approximate: bool | None
    cases: int
    alerts: int
    findings: int
    link: str


class PointOut(Schema):
    case: str
    lat: float
    lng: float
    category: str
    status: str
    source: str


class MapOut(Schema):
    county: dict
    area: dict
    date_from: date
    date_to: date
    boundary: bool
    regions: list[RegionCountOut]
    points: list[PointOut]


@router.get("/map/regions", response=MapOut, summary="Cases, alerts and 排查 findings per town and village")
def map_regions(
    request: HttpRequest,
    date_from: date | None = FROM,
    date_to: date | None = TO,
    region: str | None = REGION,
):
    area = viewer_region(request.auth, region)
    first, last = day_range(date_from, date_to)
    data = selectors.region_counts(viewer=request.auth, area=area, date_from=first, date_to=last)
    data["date_from"], data["date_to"] = data.pop("from"), data.pop("to")
    return data
