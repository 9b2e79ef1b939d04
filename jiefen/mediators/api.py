"""REST endpoints of the registry and the recommendation (thin)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Router, Schema
from ninja import Status as HttpStatus

from jiefen.cases import selectors as case_selectors
from jiefen.core.errors import ValidationFailed
from jiefen.directory.requests import ApiRequest
from jiefen.mediators import allowance, selectors, services

router = Router(tags=["mediators"])


class RecordOut(Schema):
    cases: int
    open: int
    ended: int
    agreements: int
    resolved_share: float | None
    ratings: int
    satisfaction: float | None


class MediatorOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    county: str
    areas: list[str]
    categories: list[str]
    languages: list[str]
    qualifications: str
    training: str
    organization_id: int | None
    organization: str | None
    available: bool
    max_load: int
    phone: str = Field("", description="masked")
    record: RecordOut


class MediatorIn(Schema):
    name: str = Field(..., max_length=50)
    kind: str = Field(..., max_length=20)
    county: str = Field(..., max_length=12, description="the county's 12-digit region code")
    areas: list[str] = Field(
        default_factory=list, description="town or village codes served; empty: the county"
    )
    categories: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    qualifications: str = Field("", max_length=2000)
    training: str = Field("", max_length=2000)
    organization_id: int | None = None
    phone: str = Field("", max_length=20)
    available: bool = True
    max_load: int = 8


class ConflictIn(Schema):
    party_name: str = Field(..., max_length=100)
    id_number: str = Field("", max_length=18)
    note: str = Field("", max_length=200)


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    areas: list[str]
    categories: list[str]
    incubation_stage: str
    members: int


class OrganizationIn(Schema):
    name: str = Field(..., max_length=100)
    kind: str = Field(..., max_length=30)
    county: str = Field(..., max_length=12)
    areas: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    description: str = Field("", max_length=5000)
    incubation_stage: str = Field("", max_length=12)


class ReasonOut(Schema):
    code: str
    text: str
    points: int


class RecommendationOut(Schema):
    mediator_id: int
    name: str
    kind: str
    score: int
    reasons: list[ReasonOut]
    excluded: bool


class AssignIn(Schema):
    mediator_id: int
    procedure_id: int | None = None
    start: bool = Field(True, description="start a people's mediation when none runs")


class AssignmentOut(Schema):
    id: int
    procedure_id: int
    mediator_id: int
    name: str
    score: int | None
    assigned_at: datetime


def mediator_out(m, rec: selectors.Record) -> dict:
    return {
        "id": m.pk,
        "name": m.name,
        "kind": m.kind,
        "kind_label": str(m.get_kind_display()),
        "county": m.county.code,
        "areas": [a.code for a in m.areas.all()],
        "categories": m.categories or [],
        "languages": m.languages or [],
        "qualifications": m.qualifications,
        "training": m.training,
        "organization_id": m.organization_id,
        "organization": m.organization.name if m.organization else None,
        "available": m.available,
        "max_load": m.max_load,
        "phone": m.phone_masked,
        "record": {**vars(rec), "resolved_share": rec.resolved_share},
    }


@router.get("/mediators", response=list[MediatorOut], summary="The county's registry of mediators")
def list_mediators(
    request: ApiRequest, kind: str | None = None, category: str | None = None, q: str | None = None
):
    rows = list(selectors.mediator_list(viewer=request.auth, kind=kind, category=category, q=q)[:500])
    recs = selectors.records([m.pk for m in rows])
    return [mediator_out(m, recs[m.pk]) for m in rows]


@router.post("/mediators", response={201: MediatorOut}, summary="Register a mediator")
def create_mediator(request: ApiRequest, payload: MediatorIn):
    m = services.mediator_create(actor=request.auth, data=services.MediatorInput(**payload.dict()))
    m = selectors.mediator_get(viewer=request.auth, pk=m.pk)
    return HttpStatus(201, mediator_out(m, selectors.records([m.pk])[m.pk]))


@router.get("/mediators/{pk}", response=MediatorOut, summary="One mediator with their record")
def get_mediator(request: ApiRequest, pk: int):
    m = selectors.mediator_get(viewer=request.auth, pk=pk)
    return mediator_out(m, selectors.records([m.pk])[m.pk])


@router.post("/mediators/{pk}/conflicts", response={201: dict}, summary="Declare a conflict of interest")
def declare_conflict(request: ApiRequest, pk: int, payload: ConflictIn):
    m = selectors.mediator_get(viewer=request.auth, pk=pk)
    c = services.conflict_declare(actor=request.auth, mediator=m, **payload.dict())
    return HttpStatus(201, {"id": c.pk, "party_name": c.party_name, "note": c.note})


def _org_out(o) -> dict:
    return {
        "id": o.pk,
        "name": o.name,
        "kind": o.kind,
        "kind_label": str(o.get_kind_display()),
        "areas": [a.code for a in o.areas.all()],
        "categories": o.categories or [],
        "incubation_stage": o.incubation_stage,
        "members": getattr(o, "member_count", None) or o.members.filter(is_active=True).count(),
    }


@router.get("/mediator-organizations", response=list[OrganizationOut], summary="Social organisations")
def list_organizations(request: ApiRequest):
    return [_org_out(o) for o in selectors.organization_list(viewer=request.auth)]


@router.post("/mediator-organizations", response={201: OrganizationOut}, summary="Register an organisation")
def create_organization(request: ApiRequest, payload: OrganizationIn):
    o = services.organization_create(actor=request.auth, **payload.dict())
    return HttpStatus(201, _org_out(o))


@router.get(
    "/cases/{number}/mediator-recommendations",
    response=list[RecommendationOut],
    summary="Who should mediate this case, ranked with reasons",
)
def recommendations(request: ApiRequest, number: str, limit: int = 10, include_excluded: bool = False):
    case = case_selectors.case_get(viewer=request.auth, number=number)
    return [
        {
            "mediator_id": r.mediator.pk,
            "name": r.mediator.name,
            "kind": r.mediator.kind,
            "score": r.score,
            "reasons": [vars(x) for x in r.reasons],
            "excluded": r.excluded,
        }
        for r in selectors.recommend(
            case=case, limit=max(1, min(limit, 50)), include_excluded=include_excluded
        )
    ]


@router.post(
    "/cases/{number}/mediators",
    response={201: AssignmentOut},
    summary="Assign a registered mediator (starts a people's mediation when none runs)",
)
def assign_mediator(request: ApiRequest, number: str, payload: AssignIn):
    case = case_selectors.case_get(viewer=request.auth, number=number)
    pm = services.mediation_assign(
        case=case,
        actor=request.auth,
        mediator_id=payload.mediator_id,
        procedure_id=payload.procedure_id,
        start=payload.start,
    )
    return HttpStatus(
        201,
        {
            "id": pm.pk,
            "procedure_id": pm.procedure_id,
            "mediator_id": pm.mediator_id,
            "name": pm.mediator.name,
            "score": pm.score,
            "assigned_at": pm.assigned_at,
        },
    )


class AllowanceLineOut(Schema):
    case_number: str
    procedure_id: int
    ended_on: date
    difficulty: str
    outcome: str
    amount: Decimal
    rule_missing: bool


class StatementOut(Schema):
    mediator_id: int
    month: str
    lines: list[AllowanceLineOut]
    total: Decimal


def parse_month(month: str | None) -> tuple[int, int]:
    from jiefen.core import clock

    if not month:
        today = clock.today()
        return today.year, today.month
    try:
        year, mon = (int(x) for x in month.split("-"))
        date(year, mon, 1)
    except ValueError:
        raise ValidationFailed("month", fields={"month": ["YYYY-MM"]}) from None
    return year, mon


@router.get(
    "/mediators/{pk}/allowance",
    response=StatementOut,
    summary="以案定补: the mediator's allowance statement for a month (?month=YYYY-MM)",
)
def allowance_statement(request: ApiRequest, pk: int, month: str | None = None):
    m = selectors.mediator_get(viewer=request.auth, pk=pk)
    year, mon = parse_month(month)
    st = allowance.monthly_statement(mediator=m, year=year, month=mon)
    return {"mediator_id": m.pk, "month": st.month, "lines": [vars(x) for x in st.lines], "total": st.total}


class OrgRecommendationOut(Schema):
    organization_id: int
    name: str
    kind: str
    score: int
    reasons: list[ReasonOut]


@router.get(
    "/cases/{number}/organization-recommendations",
    response=list[OrgRecommendationOut],
    summary="Social organisations that could take this case, ranked with reasons",
)
def organization_recommendations(request: ApiRequest, number: str, limit: int = 5):
    case = case_selectors.case_get(viewer=request.auth, number=number)
    return [
        {
            "organization_id": r.organization.pk,
            "name": r.organization.name,
            "kind": r.organization.kind,
            "score": r.score,
            "reasons": [vars(x) for x in r.reasons],
        }
        for r in selectors.recommend_organizations(case=case, limit=max(1, min(limit, 20)))
    ]
