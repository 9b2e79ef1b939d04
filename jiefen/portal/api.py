"""Staff API of what the portal gives citizens and what citizens send: the 解纷码, the query
code's reissue, and requests to reopen (the queue and the decision). Thin."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as HttpStatus

from jiefen.cases import selectors as case_selectors
from jiefen.core.errors import NotFound
from jiefen.directory.requests import ApiRequest
from jiefen.portal import qr, selectors, services

router = Router(tags=["portal"])


class ReissueIn(Schema):
    party_id: int
    verification: str = Field(..., max_length=200, description="how the party's identity was checked")


class ReissueOut(Schema):
    number: str
    query_code: str = Field(..., description="shown once; the old code no longer works")
    sms: bool = Field(..., description="whether the new code was also sent to the party's phone")


@router.get(
    "/cases/{number}/qr.svg",
    summary="The case's 解纷码 (QR code, SVG) opening its portal page",
    response={200: None},
    openapi_extra={"responses": {200: {"description": "SVG", "content": {"image/svg+xml": {}}}}},
)
def case_qr(request: ApiRequest, number: str):
    case = case_selectors.case_get(viewer=request.auth, number=number)
    return HttpResponse(qr.svg(qr.case_url(case.number)), content_type="image/svg+xml")


@router.post(
    "/cases/{number}/query-code",
    response={201: ReissueOut},
    summary="Reissue the query code to a verified party (logged; the old code stops)",
)
def reissue_query_code(request: ApiRequest, number: str, payload: ReissueIn):
    case = case_selectors.case_get(viewer=request.auth, number=number)
    party = case.parties.filter(pk=payload.party_id).first()
    if party is None:
        raise NotFound(_("No such party."))
    done = services.query_code_reissue(
        case=case, party=party, actor=request.auth, verification=payload.verification
    )
    return HttpStatus(201, {"number": case.number, "query_code": done.query_code, "sms": done.sms})


class ReopenRequestOut(Schema):
    id: int
    case_number: str
    reason: str
    at: str
    waiting: bool
    decision: str = Field("", description="reopened or refused; empty while waiting")
    decision_label: str
    decision_reason: str
    decided_by: str | None
    decided_at: str | None


class ReopenDecisionIn(Schema):
    decision: str = Field(..., pattern="^(reopen|refuse)$")
    reason: str = Field(..., max_length=2000)


@router.get("/reopen-requests", response=list[ReopenRequestOut], summary="Citizens' requests to reopen")
def list_reopen_requests(request: ApiRequest, waiting: bool = True):
    """The waiting requests of the caller's jurisdiction (oldest first), or the decided ones."""
    return [
        selectors.reopen_request_out(r)
        for r in selectors.reopen_requests(viewer=request.auth, waiting=waiting)
    ]


@router.post(
    "/reopen-requests/{pk}/decision",
    response=ReopenRequestOut,
    summary="Reopen the case or refuse, with a reason",
)
def decide_reopen_request(request: ApiRequest, pk: int, payload: ReopenDecisionIn):
    req = services.reopen_request_decide(
        request_id=pk, actor=request.auth, decision=payload.decision, reason=payload.reason
    )
    return selectors.reopen_request_out(req)
