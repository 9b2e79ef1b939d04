"""REST endpoints of 排查 (thin: parse, call a service or selector, serialise)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus

from jiefen.directory.requests import ApiRequest
from jiefen.inspections import map as map_selectors
from jiefen.inspections import selectors, services
from jiefen.inspections.models import Entry

router = Router(tags=["inspections"])
map_router = Router(tags=["map"])

REGION = Query(None, max_length=12, description="12-digit region code; default: your own area")
FROM = Query(None, alias="from", description="first due day (default: 30 days ago)")
TO = Query(None, alias="to", description="last due day (default: today)")
MAP_FROM = Query(None, alias="from", description="first day (default: 30 days ago)")
MAP_TO = Query(None, alias="to", description="last day (default: today)")


class FindingIn(Schema):
    case_number: str = Field("", max_length=40, description="link a case that exists; or describe a new one")
    description: str = Field("", max_length=20000)
    applicant_name: str = Field("", max_length=100)
    applicant_phone: str = Field("", max_length=20)
    respondent: str = Field("", max_length=100)
    category: str | None = Field(None, max_length=20)


class EntryIn(Schema):
    round: int = Field(..., ge=1, le=2**31 - 1, description="the round's id (GET /inspections/rounds)")
    grid: int | None = Field(None, ge=1, le=2**31 - 1, description="grid id, for rounds per grid")
    village: str = Field("", max_length=12, description="village code, for rounds per village")
    zero_report: bool = Field(False, description="零报告: nothing found")
    checked: list[str] = Field(default_factory=list, max_length=100, description="checklist items looked at")
    note: str = Field("", max_length=4000)
    findings: list[FindingIn] = Field(default_factory=list, max_length=20)


class FindingOut(Schema):
    case: str
    registered: bool


class EntryOut(Schema):
    id: int
    round: int
    schedule: str
    period_start: date
    period_end: date
    due_on: date
    unit: str
    grid: str | None
    village_code: str
    village_name: str
    reporter: str
    reported_at: datetime
    zero_report: bool
    checked: list[str]
    note: str
    findings: list[FindingOut]


class RoundOut(Schema):
    id: int
    schedule: str
    unit: str
    frequency: str
    period_start: date
    period_end: date
    due_on: date
    checklist: list[str]


class CompletionRowOut(Schema):
    unit: str
    code: str
    name: str
    village_code: str
    village_name: str
    town_code: str
    town_name: str
    due: int
    done: int
    on_time: int
    missing: int
    zero_reports: int
    findings: int
    rate: float | None


class CompletionOut(Schema):
    region_code: str
    date_from: date
    date_to: date
    due: int
    done: int
    on_time: int
    rate: float | None
    rows: list[CompletionRowOut]


def entry_out(e: Entry) -> dict:
    r = e.round
    return {
        "id": e.pk,
        "round": r.pk,
        "schedule": r.schedule.name,
        "period_start": r.period_start,
        "period_end": r.period_end,
        "due_on": r.due_on,
        "unit": e.unit,
        "grid": e.grid.code if e.grid is not None else None,
        "village_code": e.village.code,
        "village_name": e.village.name,
        "reporter": e.reporter.display_name or e.reporter.username,
        "reported_at": e.reported_at,
        "zero_report": e.zero_report,
        "checked": e.checked,
        "note": e.note,
        "findings": [{"case": f.case.number, "registered": f.registered} for f in e.findings.all()],
    }


@router.post(
    "/inspections", response={201: EntryOut}, summary="Record a 排查 ledger entry (findings or 零报告)"
)
def create_entry(request: ApiRequest, payload: EntryIn):
    entry = services.inspection_report(
        reporter=request.auth,
        data=services.EntryInput(
            round_id=payload.round,
            grid_id=payload.grid,
            village_code=payload.village,
            zero_report=payload.zero_report,
            checked=payload.checked,
            note=payload.note,
            findings=[services.FindingInput(**f.dict()) for f in payload.findings],
        ),
    )
    entry = selectors.entry_list(viewer=request.auth).get(pk=entry.pk)
    return HttpStatus(201, entry_out(entry))


@router.get("/inspections", response=list[EntryOut], summary="排查 ledger entries of your area")
def list_entries(
    request: ApiRequest,
    region: str | None = REGION,
    date_from: date | None = FROM,
    date_to: date | None = TO,
    limit: int = Query(200, ge=1, le=1000),
):
    reg = selectors.viewer_region(request.auth, region) if region else None
    qs = selectors.entry_list(viewer=request.auth, region=reg, date_from=date_from, date_to=date_to)
    return [entry_out(e) for e in qs[:limit]]


@router.get(
    "/inspections/rounds", response=list[RoundOut], summary="Rounds open for reporting in your county"
)
def list_rounds(request: ApiRequest):
    return [
        {
            "id": r.pk,
            "schedule": r.schedule.name,
            "unit": r.schedule.unit,
            "frequency": r.schedule.frequency,
            "period_start": r.period_start,
            "period_end": r.period_end,
            "due_on": r.due_on,
            "checklist": r.schedule.checklist,
        }
        for r in selectors.rounds_open(viewer=request.auth)
    ]


@router.get("/inspections/completion", response=CompletionOut, summary="排查 completion per village and grid")
def get_completion(
    request: ApiRequest,
    region: str | None = REGION,
    date_from: date | None = FROM,
    date_to: date | None = TO,
):
    reg = selectors.viewer_region(request.auth, region)
    first, last = selectors.day_range(date_from, date_to)
    rows = selectors.completion(reg, first, last)
    due, done = sum(r.due for r in rows), sum(r.done for r in rows)
    return {
        "region_code": reg.code,
        "date_from": first,
        "date_to": last,
        "due": due,
        "done": done,
        "on_time": sum(r.on_time for r in rows),
        "rate": None if due == 0 else round(done / due, 4),
        "rows": [{**vars(r), "missing": r.missing, "rate": r.rate} for r in rows],
    }


# ---------------------------------------------------------------- the map


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


@map_router.get(
    "/map/regions", response=MapOut, summary="Cases, alerts and 排查 findings per town and village"
)
def map_regions(
    request: ApiRequest,
    date_from: date | None = MAP_FROM,
    date_to: date | None = MAP_TO,
    region: str | None = REGION,
):
    area = selectors.viewer_region(request.auth, region)
    first, last = selectors.day_range(date_from, date_to)
    data = map_selectors.region_counts(viewer=request.auth, area=area, date_from=first, date_to=last)
    data["date_from"], data["date_to"] = data.pop("from"), data.pop("to")
    return data
