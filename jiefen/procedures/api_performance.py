"""API of the agreement's performance (履行): the terms, payments and acts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Field, Router, Schema
from ninja import Status as HttpStatus

from jiefen.cases import selectors as case_selectors
from jiefen.directory.requests import ApiRequest
from jiefen.procedures import performance

router = Router(tags=["performance"])


class PerformanceTermIn(Schema):
    text: str = Field(..., max_length=2000)
    obligor: str = Field(..., max_length=100)
    due_on: date
    amount: Decimal | None = Field(None, gt=0, lt=Decimal("1e10"), decimal_places=2)


class PerformanceTermsIn(Schema):
    terms: list[PerformanceTermIn] = Field(..., min_length=1, max_length=performance.MAX_TERMS)


class PerformanceRecordIn(Schema):
    by: str = Field(..., max_length=100)
    on: date
    amount: Decimal | None = Field(None, gt=0, lt=Decimal("1e10"), decimal_places=2)
    what: str | None = Field(None, max_length=2000)
    completes: bool = False


class PerformanceRecordOut(Schema):
    id: int
    by: str
    on: str
    amount: str | None
    what: str
    completes: bool
    recorded_by: str
    recorded_at: str


class PerformanceTermOut(Schema):
    id: int
    no: int
    agreement_version: int
    text: str
    obligor: str
    due_on: str
    amount: str | None
    paid: str
    performed: bool
    performed_at: str | None
    overdue: bool
    records: list[PerformanceRecordOut]


@router.get(
    "/cases/{number}/performance", response=list[PerformanceTermOut], summary="The agreement's performance"
)
def get_performance(request: ApiRequest, number: str):
    case = case_selectors.case_get(viewer=request.auth, number=number)
    return performance.performance_out(case=case)


@router.post(
    "/cases/{number}/performance/terms",
    response={201: list[PerformanceTermOut]},
    summary="Add terms to perform",
)
def add_terms(request: ApiRequest, number: str, payload: PerformanceTermsIn):
    case = case_selectors.case_get(viewer=request.auth, number=number)
    performance.performance_terms_add(
        case=case,
        actor=request.auth,
        terms=[
            performance.TermInput(text=t.text, obligor=t.obligor, due_on=t.due_on, amount=t.amount)
            for t in payload.terms
        ],
    )
    return HttpStatus(201, performance.performance_out(case=case))


@router.post(
    "/cases/{number}/performance/terms/{term_id}/records",
    response={201: list[PerformanceTermOut]},
    summary="Record a payment or an act",
)
def add_record(request: ApiRequest, number: str, term_id: int, payload: PerformanceRecordIn):
    case = case_selectors.case_get(viewer=request.auth, number=number)
    performance.performance_record(
        case=case,
        term_id=term_id,
        actor=request.auth,
        by=payload.by,
        on=payload.on,
        amount=payload.amount,
        what=payload.what or "",
        completes=payload.completes,
    )
    return HttpStatus(201, performance.performance_out(case=case))
