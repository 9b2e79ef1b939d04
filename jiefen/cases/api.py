"""REST endpoints for cases (thin: parse, call a service or selector, serialise)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus

from jiefen.cases import events as case_events
from jiefen.cases import groupcommit, selectors, services
from jiefen.cases.choices import Category, Channel, Level, PartyKind, PartyRole, Status, StatutoryRoute
from jiefen.cases.models import Case, CaseEvent
from jiefen.cases.workflow import ACTIONS
from jiefen.core.errors import NotFound
from jiefen.directory.models import Organization
from jiefen.directory.requests import ApiRequest
from jiefen.procedures.serializers import procedures_out
from jiefen.triage.serializers import triage_created_out

router = Router(tags=["cases"])

MAX_TEXT = 20000


def enum(values, *, optional: bool = False) -> dict:
    """A field's fixed values for the OpenAPI document (the service checks them and answers
    `validation_failed` in the caller's language); an optional body field may also be null."""
    return {"json_schema_extra": {"enum": [*values, *([None] if optional else [])]}}


# Fixed values of query parameters, for the OpenAPI document (jiefen.api.router adds them):
# (path, method, parameter) → values.
QUERY_ENUMS = {
    ("/cases", "get", "status"): [*Status.values, "open"],
    ("/cases", "get", "level"): Level.values,
    ("/cases", "get", "category"): Category.values,
    ("/cases", "get", "channel"): Channel.values,
    ("/cases/{number}/parties/{party_id}/reveal", "post", "field"): ["id_number", "phone", "address"],
}


class PartyIn(Schema):
    role: str = Field(..., max_length=20, **enum(PartyRole.values))
    kind: str = Field("person", max_length=20, **enum(PartyKind.values))
    name: str = Field(..., max_length=100)
    id_number: str | None = Field(None, max_length=30)
    phone: str | None = Field(None, max_length=30)
    address: str | None = Field(None, max_length=200)
    sex: str | None = Field(None, max_length=1, description="M or F; read from the ID number when given")
    birth_date: date | None = Field(None, description="read from the ID number when given")


class CaseIn(Schema):
    channel: str = Field(..., max_length=30, **enum(Channel.values))
    region_code: str = Field(..., max_length=12)
    description: str = Field(..., max_length=MAX_TEXT)
    request: str | None = Field(None, max_length=MAX_TEXT)
    category: str | None = Field(None, max_length=30, **enum(Category.values, optional=True))
    received_at: datetime | None = None
    parties: list[PartyIn] = Field(..., max_length=200)
    # Register a petition flagged `petition_repeat` all the same, for this reason.
    repeat_reason: str | None = Field(None, max_length=2000)


class PartyOut(Schema):
    id: int
    role: str
    kind: str
    name: str
    id_number: str
    phone: str
    address: str = Field("", description="masked")
    sex: str = ""


class EventOut(Schema):
    at: datetime
    kind: str
    label: str = Field("", description="the kind in the caller's language (jiefen.cases.events)")
    actor: str | None
    from_status: str
    to_status: str
    reason: str
    data: dict


class CaseOut(Schema):
    number: str
    status: str
    status_label: str
    channel: str
    category: str
    level: str
    region_code: str
    region_name: str
    lead_organization: str
    lead_organization_id: int
    description: str
    received_at: datetime
    registered_at: datetime
    due_at: datetime | None
    provisional: bool = Field(
        False, description="due date counted on the statutory holidays of a year whose notice is not loaded"
    )
    overdue: bool
    resolved_level: str
    return_count: int
    escalation_count: int
    version: int


class CaseDetailOut(CaseOut):
    merged_into: str | None = None
    parties: list[PartyOut]
    events: list[EventOut]
    allowed_actions: list[str]
    procedures: list[dict] = []
    result: str = Field("", description="what was agreed or decided (the latest resolve, close or conclude)")
    resolved: bool = Field(False, description="counted as resolved (已化解); false for a matter ended (办结)")
    satisfaction: dict | None = Field(None, description="jiefen.procedures.satisfaction.case_satisfaction")
    performance: list[dict] = Field([], description="the agreement's terms and their performance (履行)")
    reopen_requests: list[dict] = Field([], description="citizens' requests to reopen and their decisions")


class CaseCreatedOut(CaseDetailOut):
    query_code: str
    risk: dict | None = None
    related: list[dict] = []
    routing: dict | None = None


class ActionIn(Schema):
    action: str = Field(..., max_length=30, **enum(ACTIONS))
    reason: str | None = Field(None, max_length=2000)
    version: int | None = None
    organization_id: int | None = None
    statutory_route: str | None = Field(None, max_length=30, **enum(StatutoryRoute.values, optional=True))
    legal_route: str | None = Field(None, max_length=2000)


class CasePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CaseOut]


class RevealOut(Schema):
    value: str


def case_out(case: Case) -> dict:
    return {
        "number": case.number,
        "status": case.status,
        "status_label": str(Status(case.status).label),
        "channel": case.channel,
        "category": case.category,
        "level": case.level,
        "region_code": case.region.code,
        "region_name": case.region.name,
        "lead_organization": case.lead_organization.name,
        "lead_organization_id": case.lead_organization_id,
        "description": case.description,
        "received_at": case.received_at,
        "registered_at": case.registered_at,
        "due_at": case.due_at,
        "provisional": case.due_provisional,
        "overdue": selectors.is_overdue(case),
        "resolved_level": case.resolved_level,
        "return_count": case.return_count,
        "escalation_count": case.escalation_count,
        "version": case.version,
    }


def case_detail_out(case: Case, viewer, *, events: list[CaseEvent] | None = None) -> dict:
    """The case with parties, timeline, allowed actions and procedures. `events` is given for a
    case just registered: its whole timeline, already in memory (nothing is read back)."""
    out = case_out(case)
    out["parties"] = [
        {
            "id": p.id,
            "role": p.role,
            "kind": p.kind,
            "name": p.name,
            "id_number": p.id_number_masked,
            "phone": p.phone_masked,
            "address": p.address_masked,
            "sex": p.sex,
        }
        for p in case.parties.all()
    ]
    out["events"] = [
        {
            "at": e.at,
            "kind": e.kind,
            "label": case_events.label(e.kind),
            "actor": str(e.actor) if e.actor else None,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "reason": e.reason,
            "data": e.data,
        }
        for e in (selectors.case_events(case=case) if events is None else events)
    ]
    out["allowed_actions"] = [a.code for a in selectors.allowed_actions(viewer=viewer, case=case)]
    out["procedures"] = procedures_out(case, viewer) if events is None else []
    out["merged_into"] = case.merged_into.number if case.merged_into_id else None
    out["resolved"] = bool(case.resolved_level)
    out["result"] = _result_of(out["events"])
    if events is None:
        from jiefen.portal.selectors import reopen_requests_out
        from jiefen.procedures.performance import performance_out
        from jiefen.procedures.satisfaction import case_satisfaction

        out["satisfaction"] = case_satisfaction(case=case)
        out["performance"] = performance_out(case=case)
        out["reopen_requests"] = reopen_requests_out(case=case)
    return out


def _result_of(events: list[dict]) -> str:
    """The result recorded since the last reopening (services.standing_result, from memory)."""
    result = ""
    for e in sorted(events, key=lambda e: e["at"]):
        if e["kind"] in services.RESULT_KINDS:
            result = e["reason"]
        elif e["kind"] == "reopen":
            result = ""
    return result


@router.post("/cases", response={201: CaseCreatedOut}, summary="Register a case (挂号)")
def create_case(request: ApiRequest, payload: CaseIn):
    reg = groupcommit.registrations.register(
        services.RegistrationRequest(
            channel=payload.channel,
            region=payload.region_code,
            description=payload.description,
            request=payload.request or "",
            category=payload.category,
            received_at=payload.received_at,
            repeat_reason=payload.repeat_reason or "",
            parties=[
                services.PartyInput(
                    role=p.role,
                    kind=p.kind,
                    name=p.name,
                    id_number=p.id_number or "",
                    phone=p.phone or "",
                    address=p.address or "",
                    sex=p.sex or "",
                    birth_date=p.birth_date,
                )
                for p in payload.parties
            ],
            actor=request.auth,
        )
    )
    # Built from what the registration wrote (parties, the two events): no read-back.
    out = case_detail_out(reg.case, request.auth, events=reg.events)
    out["query_code"] = reg.query_code
    out.update(triage_created_out(reg, request.auth))
    return HttpStatus(201, out)


@router.get("/cases", response=CasePage, summary="List cases in the caller's jurisdiction")
def list_cases(
    request: ApiRequest,
    status: str | None = Query(None, max_length=30),
    region: str | None = Query(None, max_length=12),
    level: str | None = Query(None, max_length=20),
    overdue: bool | None = None,
    category: str | None = Query(None, max_length=30),
    channel: str | None = Query(None, max_length=30),
    q: str | None = Query(None, max_length=100),
    sort: str | None = Query(None, max_length=20),
    page: int = Query(1, ge=1, le=100000),
    page_size: int = Query(50, ge=1, le=200),
):
    qs = selectors.case_list(
        viewer=request.auth,
        status=status,
        region=region,
        level=level,
        overdue=overdue,
        category=category,
        channel=channel,
        q=q,
        order=sort or None,
    )
    count = qs.count()
    start = (page - 1) * page_size
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "results": [case_out(c) for c in qs[start : start + page_size]],
    }


@router.get("/cases/{number}", response=CaseDetailOut, summary="One case with its timeline")
def get_case(request: ApiRequest, number: str):
    return case_detail_out(selectors.case_get(viewer=request.auth, number=number), request.auth)


@router.post("/cases/{number}/actions", response=CaseDetailOut, summary="Move a case (accept, return, …)")
def case_action(request: ApiRequest, number: str, payload: ActionIn):
    case = selectors.case_get(viewer=request.auth, number=number)
    org = None
    if payload.organization_id is not None:
        org = Organization.objects.filter(pk=payload.organization_id).select_related("region").first()
        if org is None:
            raise NotFound(_("No such organisation."))
    services.case_transition(
        case=case,
        actor=request.auth,
        action=payload.action,
        reason=payload.reason or "",
        version=payload.version,
        organization=org,
        statutory_route=payload.statutory_route or "",
        legal_route=payload.legal_route or "",
    )
    return case_detail_out(selectors.case_get(viewer=request.auth, number=number), request.auth)


@router.post(
    "/cases/{number}/parties/{party_id}/reveal",
    response=RevealOut,
    summary="Reveal a party's full ID number or phone (logged)",
)
def reveal(
    request: ApiRequest,
    number: str,
    party_id: int,
    field: str = Query(..., max_length=20),
    reason: str = Query("", max_length=200, description="why the full value is needed (logged)"),
):
    """For clerks, dispatchers, handlers, mediators, leaders and administrators, with a reason."""
    case = selectors.case_get(viewer=request.auth, number=number)
    party = case.parties.filter(pk=party_id).first()
    if party is None:
        raise NotFound(_("No such party."))
    return {
        "value": services.party_pii_reveal(
            viewer=request.auth, party=party, field_name=field, via="api", reason=reason
        )
    }
