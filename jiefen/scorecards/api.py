"""GET /api/v1/scorecards?month=YYYY-MM: the units of the caller's county, scored and ranked."""

from __future__ import annotations

from ninja import Query, Router, Schema

from jiefen.directory.requests import ApiRequest
from jiefen.scorecards import selectors

router = Router(tags=["scorecards"])


class ScorecardOut(Schema):
    organization_id: int | None
    region_code: str
    kind: str
    name: str
    figures: dict
    terms: dict
    score: float | None
    rank: int | None


@router.get("/scorecards", response=list[ScorecardOut], summary="Monthly unit scorecards (考核)")
def scorecards(
    request: ApiRequest,
    month: str = Query(..., max_length=7, description="YYYY-MM"),
    unit: str = Query("organization", max_length=12, description="organization (default) or town"),
    county: str | None = Query(None, max_length=12, description="county code (superusers)"),
):
    data = selectors.scorecards(viewer=request.auth, month=month, county_code=county)
    units = data["towns"] if unit == "town" else data["organizations"]
    return [
        {
            "organization_id": u.organization_id,
            "region_code": u.region.code,
            "kind": u.kind,
            "name": u.name,
            "figures": u.figures,
            "terms": {str(k): v for k, v in u.terms.items()},
            "score": u.score,
            "rank": u.rank,
        }
        for u in units
    ]
