"""GET /api/v1/stats/overview: the figures as JSON, and bad input."""

from __future__ import annotations

import pytest

from conftest import make_county
from jiefen.directory.services import api_token_create

pytestmark = pytest.mark.django_db
URL = "/api/v1/stats/overview"
KEYS = {
    "received",
    "resolved",
    "in_progress",
    "overdue",
    "by_level",
    "village_town_share",
    "by_category",
    "by_channel",
    "by_town",
    "periods",
    "avg_workdays_to_resolve",
    "returns_by_organization",
    "open_alerts_by_rule",
    "satisfaction",
    "by_theme",
    "series",
}


@pytest.fixture
def auth(dispatcher):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=dispatcher)}"}


def test_overview_has_every_figure(client, auth, register, anji):
    # given
    register()
    # when
    res = client.get(URL, {"region": anji.county.code}, **auth)
    # then
    assert res.status_code == 200
    body = res.json()
    assert KEYS <= set(body)
    assert body["received"] == 1 and body["in_progress"] == 1


def test_a_region_outside_the_jurisdiction_is_not_found(client, auth, anji):
    # given
    other = make_county("330211", "镇海区")
    # when
    res = client.get(URL, {"region": other.county.code}, **auth)
    # then
    assert res.status_code == 404
    assert res.json()["error"] == "not_found"


def test_an_unknown_region_is_not_found(client, auth):
    assert client.get(URL, {"region": "999999999999"}, **auth).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-05-02", "to": "2026-05-01"},
        {"from": "2026-13-01"},
        {"to": "yesterday"},
        {"from": "2014-01-01", "to": "2026-01-01"},
    ],
    ids=["from-after-to", "malformed-from", "malformed-to", "over-ten-years"],
)
def test_a_bad_period_is_422(client, auth, params):
    res = client.get(URL, params, **auth)
    assert res.status_code == 422
    assert res.json()["error"] == "validation_failed"


def test_ten_years_exactly_is_accepted(client, auth):
    assert client.get(URL, {"from": "2016-01-02", "to": "2026-01-01"}, **auth).status_code == 200


def test_an_empty_county_shows_zeros(client, staff_factory, db):
    # given
    empty = make_county("330212", "空县")
    user = staff_factory(empty.org("county_centre"), ["analyst"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=user)}"}
    # when
    res = client.get(URL, **headers)
    # then
    assert res.status_code == 200
    body = res.json()
    assert (body["received"], body["resolved"], body["in_progress"], body["overdue"]) == (0, 0, 0, 0)
    assert body["by_level"] == {"village": 0, "town": 0, "county": 0, "statutory": 0}
    assert body["village_town_share"] is None
    assert body["by_category"] == [] and body["open_alerts_by_rule"] == []
    assert {r["received"] for r in body["by_town"]} <= {0}


def test_no_token_is_401(client):
    assert client.get(URL).status_code == 401


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/stats/overview" in paths
    assert {p["name"] for p in paths["/api/v1/stats/overview"]["get"]["parameters"]} == {
        "region",
        "from",
        "to",
    }
    assert "/api/v1/alerts" in paths and "/api/v1/alerts/{alert_id}/actions" in paths
