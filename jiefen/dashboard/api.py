"""REST endpoint of the command dashboard (thin: parse, call the selector)."""

from __future__ import annotations

from datetime import date

from ninja import Query, Router

from jiefen.dashboard.selectors import stats_overview
from jiefen.directory.requests import ApiRequest

router = Router(tags=["stats"])

REGION = Query(None, max_length=12, description="12-digit region code; default: your own")
FROM = Query(None, alias="from", description="first day (default: 1 January)")
TO = Query(None, alias="to", description="last day (default: today)")


@router.get("/stats/overview", summary="Every figure of the command dashboard for a region and period")
def overview(
    request: ApiRequest,
    region: str | None = REGION,
    date_from: date | None = FROM,
    date_to: date | None = TO,
):
    """Received, resolved, in progress and overdue for the period; resolution by level and the
    share ended at village + town; by category, channel, town and theme; today / month / year with
    year-on-year change; average working days to resolve; returns per organisation; open alerts
    by rule. A region outside your jurisdiction is 404; a bad period is 422."""
    return stats_overview(viewer=request.auth, region_code=region, date_from=date_from, date_to=date_to)
