"""Staff API of what citizens send: requests to reopen (the queue and the decision)."""

from __future__ import annotations

from ninja import Field, Router, Schema

from jiefen.directory.requests import ApiRequest
from jiefen.portal import selectors, services

router = Router(tags=["reopen requests"])


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
