"""GET/POST /api/v1/watchlist: leaders of the area and responsible officers only."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus

from jiefen.core.errors import PermissionDenied
from jiefen.directory.requests import ApiRequest
from jiefen.watchlist import selectors, services

router = Router(tags=["watchlist"])


class WatchEntryIn(Schema):
    case: str = Field(..., max_length=24, description="a case number the person is a party to")
    party_id: int | None = Field(None, description="the party (a person with an ID number) on that case")
    reason_kind: str = Field(
        "", max_length=20, description="repeat_petition, red_risk, court_notice, police_notice"
    )
    reason_note: str = Field("", max_length=4000)
    officer_id: int | None = Field(None, description="the responsible officer (staff id)")
    plan: str = Field("", max_length=4000)
    review_on: date | None = None
    cases: list[str] = Field(
        default_factory=list, max_length=50, description="further case numbers behind the reason"
    )


class WatchEntryOut(Schema):
    id: int
    status: str
    reason_kind: str
    reason_label: str
    reason_note: str
    cases: list[str]
    officer_id: int
    officer: str
    plan: str
    review_on: date
    created_at: datetime
    ended_at: datetime | None
    end_reason: str
    unseen_new_cases: int
    purpose: str


def entry_out(e) -> dict:
    return {
        "id": e.pk,
        "status": e.status,
        "reason_kind": e.reason_kind,
        "reason_label": str(e.get_reason_kind_display()),
        "reason_note": e.reason_note,
        "cases": sorted(c.number for c in e.cases.all()),
        "officer_id": e.officer_id,
        "officer": str(e.officer),
        "plan": e.plan,
        "review_on": e.review_on,
        "created_at": e.created_at,
        "ended_at": e.ended_at,
        "end_reason": e.end_reason,
        "unseen_new_cases": e.events.filter(kind="registered", seen_at__isnull=True).count(),
        "purpose": selectors.purpose_text(),
    }


def _allowed(request: ApiRequest) -> None:
    if not selectors.may_use_list(request.auth):
        raise PermissionDenied(_text())


def _text():
    from django.utils.translation import gettext as _

    return _("Only leaders and responsible officers may use the list.")


@router.get(
    "/watchlist", response=list[WatchEntryOut], summary="People needing continued attention (重点人员)"
)
def watchlist(request: ApiRequest, status: str | None = Query("active", max_length=10)):
    _allowed(request)
    return [entry_out(e) for e in selectors.entry_list(viewer=request.auth, status=status or None, via="api")]


@router.post("/watchlist", response={201: WatchEntryOut}, summary="List a person (leaders)")
def watchlist_add(request: ApiRequest, payload: WatchEntryIn):
    entry = services.watch_entry_create(actor=request.auth, data=services.EntryInput(**payload.dict()))
    return HttpStatus(201, entry_out(entry))
