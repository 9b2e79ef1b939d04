"""REST endpoints of the 12345 channel (thin: parse, call the service, answer)."""

from __future__ import annotations

import json
from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router

from jiefen.channels import hotline
from jiefen.core.errors import ValidationFailed
from jiefen.directory.requests import ApiRequest

router = Router(tags=["channels"])

_ORDER_SCHEMA = {
    "type": "object",
    "properties": {f: {"type": "string"} for f in hotline.FIELDS},
    "required": ["order_id", "received_at", "content"],
}


@router.post(
    "/channels/12345/orders",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            _ORDER_SCHEMA,
                            {"type": "array", "items": _ORDER_SCHEMA},
                            {
                                "type": "object",
                                "properties": {"orders": {"type": "array", "items": _ORDER_SCHEMA}},
                            },
                        ]
                    }
                }
            },
        }
    },
    summary='Take 12345 work orders in (one, a list, or {"orders": [...]})',
)
def orders_import(request: ApiRequest):
    """Idempotent on `order_id`. A malformed row is refused in the report; the others go in.
    Answer: `{"created", "linked", "skipped", "refused", "rows": [...]}`."""
    try:
        rows = hotline.read_orders(request.body.decode("utf-8"), fmt="json")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(_("The body is not JSON."), fields={"body": [str(exc)[:200]]}) from exc
    county = hotline.hotline_county_for(request.auth)
    return hotline.hotline_orders_import(rows=rows, county=county, actor=request.auth)


@router.get("/channels/12345/replies", summary="Status and answer of every imported work order")
def replies(request: ApiRequest, since: datetime | None = None, limit: int = 500):
    return hotline.hotline_replies(viewer=request.auth, since=since, limit=limit)
