from datetime import date

import pytest

from jiefen.directory.services import api_token_create
from jiefen.inspections.models import Entry, Round

from .conftest import CHECKLIST

pytestmark = pytest.mark.django_db


def _auth(staff):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=staff)}"}


def _round(weekly, start=date(2026, 6, 8)):
    return Round.objects.get(schedule=weekly, period_start=start)


def test_post_a_zero_report_then_list_it_and_read_completion(
    client, anji, schedules, grids, worker, town_staff
):
    weekly, _m = schedules
    rnd = _round(weekly, date(2026, 6, 1))
    resp = client.post(
        "/api/v1/inspections",
        {"round": rnd.pk, "grid": grids[0].pk, "zero_report": True, "checked": CHECKLIST},
        content_type="application/json",
        **_auth(worker),
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["zero_report"] and body["grid"] == grids[0].code and body["findings"] == []
    town = _auth(town_staff)
    listed = client.get("/api/v1/inspections?from=2026-06-01&to=2026-06-30", **town).json()
    assert [e["id"] for e in listed] == [body["id"]]
    comp = client.get(
        f"/api/v1/inspections/completion?from=2026-06-01&to=2026-06-14&region={anji.town.code}", **town
    )
    assert comp.status_code == 200
    data = comp.json()
    grid_rows = {r["code"]: r for r in data["rows"] if r["unit"] == "grid"}
    assert grid_rows[grids[0].code]["done"] == 1 and grid_rows[grids[1].code]["missing"] == 1
    assert data["region_code"] == anji.town.code and data["due"] == 4 and data["done"] == 1
    rounds = client.get("/api/v1/inspections/rounds", **_auth(worker)).json()
    assert {r["id"] for r in rounds} >= {rnd.pk} and rounds[0]["checklist"] == CHECKLIST


def test_a_finding_by_api_registers_a_case(client, anji, schedules, grids, worker):
    weekly, _m = schedules
    resp = client.post(
        "/api/v1/inspections",
        {
            "round": _round(weekly).pk,
            "grid": grids[0].pk,
            "checked": CHECKLIST[:1],
            "findings": [
                {
                    "description": "宅基地边界争议，两户争吵",
                    "applicant_name": "赵六",
                    "category": "property_land",
                }
            ],
        },
        content_type="application/json",
        **_auth(worker),
    )
    assert resp.status_code == 201, resp.content
    (finding,) = resp.json()["findings"]
    assert finding["registered"] and finding["case"].startswith("330523-")


def test_bad_input(client, anji, schedules, grids, worker, town_staff):
    weekly, _m = schedules
    auth = _auth(worker)
    rnd = _round(weekly)

    def post(body):
        return client.post("/api/v1/inspections", body, content_type="application/json", **auth)

    # a grid outside the worker's area: 404
    r = post({"round": rnd.pk, "grid": grids[2].pk, "zero_report": True, "checked": CHECKLIST})
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    # an unknown round or grid: 404
    assert (
        post({"round": 999999, "grid": grids[0].pk, "zero_report": True, "checked": CHECKLIST}).status_code
        == 404
    )
    assert (
        post({"round": rnd.pk, "grid": 999999, "zero_report": True, "checked": CHECKLIST}).status_code == 404
    )
    # malformed: 422, never a 500
    assert post({"round": "x"}).status_code == 422
    assert post({"round": rnd.pk, "grid": grids[0].pk, "checked": CHECKLIST}).status_code == 422
    assert (
        post({"round": rnd.pk, "grid": grids[0].pk, "zero_report": True, "checked": ["x" * 300]}).status_code
        == 422
    )
    r = client.post("/api/v1/inspections", "{not json", content_type="application/json", **auth)
    assert r.status_code == 422
    r = post(
        {
            "round": rnd.pk,
            "grid": grids[0].pk,
            "checked": CHECKLIST,
            "findings": [{"description": "争吵", "applicant_name": "赵六", "category": "nonsense"}],
        }
    )
    assert r.status_code == 422 and "findings.0.category" in r.json()["fields"]
    # the same round twice: 409
    assert (
        post({"round": rnd.pk, "grid": grids[0].pk, "zero_report": True, "checked": CHECKLIST}).status_code
        == 201
    )
    r = post({"round": rnd.pk, "grid": grids[0].pk, "zero_report": True, "checked": CHECKLIST})
    assert r.status_code == 409 and r.json()["error"] == "inspection_duplicate"
    assert Entry.objects.count() == 1
    # completion of a region outside the town's area: 404; a reversed period: 422
    town = _auth(town_staff)
    assert client.get(f"/api/v1/inspections/completion?region={anji.town2.code}", **town).status_code == 404
    assert (
        client.get("/api/v1/inspections/completion?from=2026-06-10&to=2026-06-01", **town).status_code == 422
    )
    assert client.get("/api/v1/inspections/completion?from=2026-13-01", **town).status_code == 422
    # a town sees none of the other town's entries
    other = client.get("/api/v1/inspections", **_auth(town_staff)).json()
    assert all(e["village_code"].startswith("330523101") for e in other)
