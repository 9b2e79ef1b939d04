"""REST endpoints of the public legal service (thin)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as HttpStatus

from jiefen.cases import selectors as case_selectors
from jiefen.core.errors import ValidationFailed
from jiefen.directory.requests import ApiRequest
from jiefen.legal import rules, selectors, services
from jiefen.mediators.selectors import viewer_county_id
from jiefen.regions.models import Region

router = Router(tags=["legal"])


class ConsultationIn(Schema):
    channel: str = Field(..., max_length=20, description="window, portal or hotline_12348")
    topic: str = Field(..., max_length=20, description="a case category")
    question: str = Field(..., max_length=5000)
    answer: str = Field("", max_length=10000)
    lawyer_id: int | None = None
    case_number: str | None = Field(None, max_length=24, description="the case it became, if any")


class ConsultationOut(Schema):
    id: int
    channel: str
    topic: str
    question: str
    answer: str
    lawyer_id: int | None
    case_number: str | None
    at: datetime


class AidIn(Schema):
    applicant_name: str = Field("", max_length=50)
    id_number: str = Field("", max_length=18)
    phone: str = Field("", max_length=20)
    matter: str = Field("", max_length=30)
    facts: str = Field("", max_length=10000)
    exempt_person: str = Field("", max_length=30)
    household_size: int | None = None
    household_monthly_income: Decimal | None = None
    received_on: date | None = None
    channel: str = Field("window", max_length=10)
    case_number: str | None = Field(None, max_length=24)


class AidOut(Schema):
    number: str
    status: str
    channel: str
    applicant_name: str
    id_number: str = Field(..., description="masked")
    matter: str
    received_at: datetime
    decision_due_at: datetime
    provisional: bool
    assessment: dict
    decision_reason: str
    assign_due_at: datetime | None
    lawyer_id: int | None
    lawyer: str | None
    case_number: str | None
    query_code: str | None = Field(None, description="only in the answer to the application")


class DecideIn(Schema):
    grant: bool
    reason: str = Field("", max_length=5000)


class LawyerIn(Schema):
    lawyer_id: int


class KnowledgeOut(Schema):
    id: int
    question: str
    answer: str
    statute: str
    category: str
    score: int


def aid_out(app, query_code: str | None = None) -> dict:
    return {
        "number": app.number,
        "status": app.status,
        "channel": app.channel,
        "applicant_name": app.applicant_name,
        "id_number": app.id_number_masked,
        "matter": app.matter,
        "received_at": app.received_at,
        "decision_due_at": app.decision_due_at,
        "provisional": app.due_provisional,
        "assessment": app.assessment,
        "decision_reason": app.decision_reason,
        "assign_due_at": app.assign_due_at,
        "lawyer_id": app.lawyer_id,
        "lawyer": app.lawyer.name if app.lawyer else None,
        "case_number": app.case.number if app.case_id else None,
        "query_code": query_code,
    }


def _consultation_out(c) -> dict:
    return {
        "id": c.pk,
        "channel": c.channel,
        "topic": c.topic,
        "question": c.question,
        "answer": c.answer,
        "lawyer_id": c.lawyer_id,
        "case_number": c.case.number if c.case_id else None,
        "at": c.at,
    }


def _case_or_none(request: ApiRequest, number):
    return case_selectors.case_get(viewer=request.auth, number=number) if number else None


@router.post("/legal/consultations", response={201: ConsultationOut}, summary="Log a legal consultation")
def create_consultation(request: ApiRequest, payload: ConsultationIn):
    c = services.consultation_record(
        actor=request.auth,
        channel=payload.channel,
        topic=payload.topic,
        question=payload.question,
        answer=payload.answer,
        lawyer_id=payload.lawyer_id,
        case=_case_or_none(request, payload.case_number),
    )
    return HttpStatus(201, _consultation_out(c))


@router.get("/legal/consultations", response=list[ConsultationOut], summary="The county's consultations")
def list_consultations(request: ApiRequest, limit: int = 100):
    return [
        _consultation_out(c)
        for c in selectors.consultation_list(viewer=request.auth)[: max(1, min(limit, 500))]
    ]


@router.get("/legal/knowledge", response=list[KnowledgeOut], summary="Search the knowledge base (Chinese)")
def search_knowledge(request: ApiRequest, q: str):
    return [
        {
            "id": e.pk,
            "question": e.question,
            "answer": e.answer,
            "statute": e.statute,
            "category": e.category,
            "score": s,
        }
        for e, s in selectors.knowledge_search(q=q)
    ]


@router.get("/legal-aid/rules", summary="The eligibility rules as data")
def aid_rules(request: ApiRequest):
    return {
        "matters": {k: str(v) for k, v in rules.MATTERS.items()} | {rules.NOT_LISTED: "—"},
        "matters_article": rules.MATTER_ARTICLE,
        "no_means_test": {k: str(v) for k, v in rules.NO_MEANS_TEST.items()},
        "no_means_test_article": rules.NO_MEANS_ARTICLE,
        "exempt_persons": {k: str(v) for k, v in rules.EXEMPT_PERSONS.items()},
        "exempt_persons_article": rules.EXEMPT_ARTICLE,
        "required": list(rules.REQUIRED),
    }


@router.post("/legal-aid/applications", response={201: AidOut}, summary="Apply for legal aid")
def create_application(request: ApiRequest, payload: AidIn):
    county = Region.objects.filter(pk=viewer_county_id(request.auth)).first()
    if county is None:
        raise ValidationFailed(_("Your account has no county."), fields={"county": [_("required")]})
    data = payload.dict(exclude={"channel", "case_number"})
    applied = services.aid_apply(
        county=county,
        channel=payload.channel,
        data=services.AidInput(**data),
        actor=request.auth,
        case=_case_or_none(request, payload.case_number),
    )
    return HttpStatus(201, aid_out(applied.application, applied.query_code))


@router.get(
    "/legal-aid/applications", response=list[AidOut], summary="The county's applications, soonest due first"
)
def list_applications(request: ApiRequest, status: str | None = None):
    return [aid_out(a) for a in selectors.application_list(viewer=request.auth, status=status)[:500]]


@router.get("/legal-aid/applications/{number}", response=AidOut, summary="One application")
def get_application(request: ApiRequest, number: str):
    return aid_out(selectors.application_get(viewer=request.auth, number=number))


@router.post(
    "/legal-aid/applications/{number}/decision", response=AidOut, summary="Grant or refuse (reasoned)"
)
def decide_application(request: ApiRequest, number: str, payload: DecideIn):
    app = selectors.application_get(viewer=request.auth, number=number)
    app = services.aid_decide(application=app, actor=request.auth, grant=payload.grant, reason=payload.reason)
    return aid_out(selectors.application_get(viewer=request.auth, number=app.number))


@router.post(
    "/legal-aid/applications/{number}/lawyer", response=AidOut, summary="Assign a lawyer from the registry"
)
def assign_lawyer(request: ApiRequest, number: str, payload: LawyerIn):
    app = selectors.application_get(viewer=request.auth, number=number)
    services.aid_assign_lawyer(application=app, actor=request.auth, lawyer_id=payload.lawyer_id)
    return aid_out(selectors.application_get(viewer=request.auth, number=number))
