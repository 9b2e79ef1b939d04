"""REST endpoints of the psychological service (thin; reads are logged by the selectors)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Router, Schema
from ninja import Status as HttpStatus

from jiefen.cases import selectors as case_selectors
from jiefen.directory.requests import ApiRequest
from jiefen.psych import scales, selectors, services

router = Router(tags=["psych"])


class ReferralIn(Schema):
    counsellor_id: int
    party_id: int | None = None
    reason: str = Field(..., max_length=5000)
    consent: bool | None = Field(None, description="true/false when the party was asked; null: to ask")
    consent_note: str = Field("", max_length=2000)
    source: str = Field("manual", max_length=20)


class ReferralFrame(Schema):
    id: int
    status: str
    counsellor_id: int
    created_at: datetime


class ReferralOut(ReferralFrame):
    case_number: str
    party_id: int | None
    source: str
    reason: str
    consent: bool | None
    consent_note: str
    screenings: list[dict]
    sessions: list[dict]


class ConsentIn(Schema):
    consent: bool
    note: str = Field("", max_length=2000)


class ScreeningIn(Schema):
    scale: str = Field(..., max_length=10)
    answers: list[int]


class ScreeningOut(Schema):
    id: int
    scale: str
    score: int
    band: str
    band_label: str
    self_harm: bool
    alerts_raised: int


class SessionIn(Schema):
    held_at: datetime
    notes: str = Field("", max_length=5000)


class ProposalOut(Schema):
    proposed: bool
    source: str | None
    words: list[str]


def _frame(r) -> dict:
    return {"id": r.pk, "status": r.status, "counsellor_id": r.counsellor_id, "created_at": r.created_at}


def _detail(request: ApiRequest, pk) -> dict:
    o = selectors.referral_detail(viewer=request.auth, pk=pk)
    r = o.referral
    return {
        **_frame(r),
        "case_number": r.case.number,
        "party_id": r.party_id,
        "source": r.source,
        "reason": o.reason,
        "consent": r.consent,
        "consent_note": o.consent_note,
        "screenings": o.screenings,
        "sessions": o.sessions,
    }


@router.post(
    "/cases/{number}/psych-referrals",
    response={201: ReferralFrame},
    summary="Refer a party to a counsellor (the answer holds no content)",
)
def create_referral(request: ApiRequest, number: str, payload: ReferralIn):
    case = case_selectors.case_get(viewer=request.auth, number=number)
    ref = services.referral_create(case=case, actor=request.auth, **payload.dict())
    return HttpStatus(201, _frame(ref))


@router.get(
    "/cases/{number}/psych-proposal", response=ProposalOut, summary="Is a referral proposed for this case?"
)
def proposal(request: ApiRequest, number: str):
    case = case_selectors.case_get(viewer=request.auth, number=number)
    p = selectors.referral_proposal(case=case)
    return {"proposed": p is not None, "source": p[0] if p else None, "words": p[1] if p else []}


@router.get("/psych/referrals", response=list[ReferralFrame], summary="Referrals the caller may open")
def list_referrals(request: ApiRequest):
    return [_frame(r) for r in selectors.referral_list(viewer=request.auth)[:500]]


@router.get("/psych/referrals/{pk}", response=ReferralOut, summary="Open a referral (logged; 404 to others)")
def get_referral(request: ApiRequest, pk: int):
    return _detail(request, pk)


@router.post("/psych/referrals/{pk}/consent", response=ReferralOut, summary="Record the party's consent")
def consent(request: ApiRequest, pk: int, payload: ConsentIn):
    services.consent_record(referral_id=pk, actor=request.auth, consent=payload.consent, note=payload.note)
    return _detail(request, pk)


@router.post("/psych/referrals/{pk}/screenings", response={201: ScreeningOut}, summary="Score PHQ-9 or GAD-7")
def screening(request: ApiRequest, pk: int, payload: ScreeningIn):
    s, result, raised = services.screening_record(
        referral_id=pk, actor=request.auth, scale=payload.scale, answers=payload.answers
    )
    return HttpStatus(
        201,
        {
            "id": s.pk,
            "scale": result.scale,
            "score": result.score,
            "band": result.band,
            "band_label": scales.band_label(result.scale, result.band),
            "self_harm": result.self_harm,
            "alerts_raised": raised,
        },
    )


@router.post(
    "/psych/referrals/{pk}/sessions", response={201: dict}, summary="Record a session (minimal notes)"
)
def session(request: ApiRequest, pk: int, payload: SessionIn):
    s = services.session_record(
        referral_id=pk, actor=request.auth, held_at=payload.held_at, notes=payload.notes
    )
    return HttpStatus(201, {"id": s.pk})


@router.get("/psych/alerts", summary="My open psychological-service alerts")
def alerts(request: ApiRequest):
    return [
        {
            "id": a.pk,
            "kind": a.kind,
            "referral_id": a.referral_id,
            "case_number": a.referral.case.number,
            "at": a.at,
        }
        for a in selectors.my_alerts(viewer=request.auth)
    ]
