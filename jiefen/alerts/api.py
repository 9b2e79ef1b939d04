"""REST endpoints of early warning (thin: parse, call a service or selector, serialise)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Router, Schema

from jiefen.alerts import selectors, services
from jiefen.alerts.models import Alert
from jiefen.alerts.rules import reason_text
from jiefen.directory.requests import ApiRequest

router = Router(tags=["alerts"])


class AlertOut(Schema):
    id: int
    rule: str
    rule_label: str
    severity: str
    subject_kind: str
    subject: str
    case: str | None
    region_code: str
    status: str
    resolution: str
    reasons: list[str]
    note: str
    opened_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None


class AlertPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[AlertOut]


class AlertActionIn(Schema):
    action: str = Field(..., max_length=20, description="acknowledge, handle or dismiss")
    note: str = Field("", max_length=2000, description="required to close (handle/dismiss)")


def alert_out(a: Alert) -> dict:
    region = a.village or a.town or a.county
    return {
        "id": a.pk,
        "rule": a.rule.code,
        "rule_label": str(a.rule.get_code_display()),
        "severity": a.severity,
        "subject_kind": a.subject_kind,
        "subject": a.subject_label or a.subject_key,
        "case": a.case.number if a.case_id else None,
        "region_code": region.code,
        "status": a.status,
        "resolution": a.resolution,
        "reasons": [reason_text(r) for r in a.reasons],
        "note": a.note,
        "opened_at": a.opened_at,
        "acknowledged_at": a.acknowledged_at,
        "closed_at": a.closed_at,
    }


@router.get("/alerts", response=AlertPage, summary="Alerts in the caller's jurisdiction")
def list_alerts(
    request: ApiRequest,
    rule: str | None = Query(None, max_length=30),
    status: str | None = Query(None, max_length=20, description="open, acknowledged, closed or active"),
    case: str | None = Query(None, max_length=24, description="case number"),
    page: int = Query(1, ge=1, le=100000),
    page_size: int = Query(50, ge=1, le=200),
):
    qs = selectors.alert_list(viewer=request.auth, rule=rule, status=status, case=case).select_related(
        "village"
    )
    count = qs.count()
    start = (page - 1) * page_size
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "results": [alert_out(a) for a in qs[start : start + page_size]],
    }


@router.post(
    "/alerts/{alert_id}/actions", response=AlertOut, summary="Acknowledge, handle or dismiss an alert"
)
def act_on_alert(request: ApiRequest, alert_id: int, payload: AlertActionIn):
    services.alert_act(alert_id=alert_id, actor=request.auth, action=payload.action, note=payload.note)
    return alert_out(selectors.alert_get(viewer=request.auth, alert_id=alert_id))
