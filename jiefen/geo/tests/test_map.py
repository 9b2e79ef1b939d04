import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from jiefen.cases.choices import PartyRole
from jiefen.cases.services import PartyInput, case_register
from jiefen.core import clock
from jiefen.directory.services import api_token_create
from jiefen.geo.models import CountyBoundary, RegionPoint, ReportLocation
from jiefen.geo.services import (
    KNOWN_EXTENTS,
    BoundaryInvalid,
    boundary_load,
    centres_place,
    report_location_record,
)

pytestmark = pytest.mark.django_db


def square(x, y, d=0.02):
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def collection(anji, extra=()):
    feats = [
        {
            "type": "Feature",
            "properties": {"code": anji.town.code, "name": "孝丰镇"},
            "geometry": square(119.5, 30.6, 0.1),
        },
        {"type": "Feature", "properties": {"code": anji.village.code}, "geometry": square(119.52, 30.62)},
        *extra,
    ]
    return {"type": "FeatureCollection", "features": feats}


def test_a_boundary_loads_and_gives_surveyed_centres(anji, dispatcher):
    b = boundary_load(county=anji.county, raw=json.dumps(collection(anji)).encode(), source="anji.geojson")
    assert b.features == 2
    assert {f["properties"]["level"] for f in b.geojson["features"]} == {"town", "village"}
    p = RegionPoint.objects.get(region=anji.village)
    assert (
        not p.approximate
        and abs(float(p.longitude) - 119.53) < 1e-6
        and abs(float(p.latitude) - 30.63) < 1e-6
    )
    # loading again replaces it
    boundary_load(county=anji.county, raw=json.dumps(collection(anji)), source="again")
    assert CountyBoundary.objects.get().source == "again"


@pytest.mark.parametrize(
    "raw, says",
    [
        (b"{not json", "line 1, column 2"),
        (json.dumps({"type": "Feature"}).encode(), "FeatureCollection"),
        (json.dumps({"type": "FeatureCollection", "features": []}).encode(), "no features"),
        (b"\xff\xfe\x00", "UTF-8"),
    ],
)
def test_a_file_that_does_not_parse_is_refused_saying_why(anji, raw, says):
    with pytest.raises(BoundaryInvalid) as exc:
        boundary_load(county=anji.county, raw=raw)
    assert says in str(exc.value.message) and exc.value.code == "geojson_invalid"
    assert not CountyBoundary.objects.exists()


def test_features_that_do_not_match_the_county_are_named(anji):
    wrong = {"type": "Feature", "properties": {"code": "330524101000"}, "geometry": square(119.6, 30.6)}
    with pytest.raises(BoundaryInvalid) as exc:
        boundary_load(county=anji.county, raw=json.dumps(collection(anji, [wrong])))
    assert "330524101000" in str(exc.value.message) and "安吉县" in str(exc.value.message)
    no_code = {"type": "Feature", "properties": {"name": "x"}, "geometry": square(119.6, 30.6)}
    with pytest.raises(BoundaryInvalid, match="Feature 3 has no region code"):
        boundary_load(county=anji.county, raw=json.dumps(collection(anji, [no_code])))
    twice = collection(anji)["features"][1]
    with pytest.raises(BoundaryInvalid, match="given twice"):
        boundary_load(county=anji.county, raw=json.dumps(collection(anji, [twice])))
    bad_geom = {
        "type": "Feature",
        "properties": {"code": anji.village2.code},
        "geometry": {"type": "Point", "coordinates": [1, 2]},
    }
    with pytest.raises(BoundaryInvalid, match="Polygon"):
        boundary_load(county=anji.county, raw=json.dumps(collection(anji, [bad_geom])))
    assert not CountyBoundary.objects.exists()


def test_the_command_loads_or_says_what_is_wrong(anji, tmp_path):
    good, bad = tmp_path / "a.geojson", tmp_path / "b.geojson"
    good.write_text(json.dumps(collection(anji)), encoding="utf-8")
    bad.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("map_boundary", str(bad), county="330523")
    call_command("map_boundary", str(good), county="330523")
    assert CountyBoundary.objects.get().features == 2


def test_approximate_centres_are_deterministic_and_inside_the_county(anji):
    assert centres_place(county=anji.county) == 5
    first = {p.region_id: (p.latitude, p.longitude) for p in RegionPoint.objects.all()}
    RegionPoint.objects.all().delete()
    centres_place(county=anji.county)
    again = {p.region_id: (p.latitude, p.longitude) for p in RegionPoint.objects.all()}
    assert first == again
    west, south, east, north = KNOWN_EXTENTS["330523"]
    assert all(south <= float(lat) <= north and west <= float(lng) <= east for lat, lng in again.values())
    assert all(p.approximate for p in RegionPoint.objects.all())


def test_map_regions_counts_cases_per_town_and_village_with_points(client, anji, dispatcher, staff_factory):
    centres_place(county=anji.county)
    reg = case_register(
        channel="walk_in",
        region=anji.village,
        description="邻居噪音纠纷",
        parties=[PartyInput(role=PartyRole.APPLICANT, name="王小明")],
        actor=dispatcher,
    )
    report_location_record(case=reg.case, location=(30.6, 119.6), source="portal")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=dispatcher)}"}
    # the month of the case, on whatever clock the suite runs (fixed, or today's date)
    today = timezone.localdate(clock.now())
    period = f"from={today.replace(day=1).isoformat()}&to={(today + timedelta(days=1)).isoformat()}"
    resp = client.get(f"/api/v1/map/regions?{period}", **auth)
    assert resp.status_code == 200, resp.content
    data = resp.json()
    by = {r["code"]: r for r in data["regions"]}
    assert by[anji.village.code]["cases"] == 1 and by[anji.town.code]["cases"] == 1
    assert by[anji.town2.code]["cases"] == 0 and by[anji.village.code]["lat"] is not None
    assert by[anji.village.code]["link"].startswith("/cases/?region=" + anji.village.code)
    assert data["points"] == [
        {
            "case": reg.case.number,
            "lat": 30.6,
            "lng": 119.6,
            "category": reg.case.category,
            "status": reg.case.status,
            "source": "portal",
        }
    ]
    assert data["boundary"] is False and data["county"]["code"] == anji.county.code
    # a town's staff see their town only; another town is not found; a bad date is 422
    town_staff = staff_factory(anji.org("town_centre", anji.town2), ["analyst"])
    tauth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=town_staff)}"}
    mine = client.get(f"/api/v1/map/regions?{period}", **tauth).json()
    assert {r["code"] for r in mine["regions"]} == {anji.town2.code, anji.other_village.code}
    assert all(r["cases"] == 0 for r in mine["regions"]) and mine["points"] == []
    assert client.get(f"/api/v1/map/regions?region={anji.town.code}", **tauth).status_code == 404
    assert client.get("/api/v1/map/regions?from=bad", **tauth).status_code == 422


def test_the_map_page_and_its_data(client, anji, dispatcher):
    boundary_load(county=anji.county, raw=json.dumps(collection(anji)))
    client.force_login(dispatcher)
    page = client.get("/map/?from=2026-06-01&to=2026-06-30")
    assert page.status_code == 200 and 'id="map"' in page.content.decode()
    data = client.get("/map/data.json?from=2026-06-01&to=2026-06-30").json()
    assert data["boundary"] and len(data["geojson"]["features"]) == 2
    assert client.get("/map/?region=999999999999").status_code == 404
    assert client.get("/map/data.json?from=2026-99-01").status_code == 400
    assert ReportLocation.objects.count() == 0


def test_an_administrator_uploads_a_boundary_in_the_admin(client, anji, staff_factory):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = staff_factory(anji.org("county_centre"), ["admin"], is_staff=True, is_superuser=True)
    client.force_login(admin)
    bad = client.post(
        "/admin/geo/countyboundary/add/",
        {
            "county": anji.county.pk,
            "file": SimpleUploadedFile("x.geojson", b'{"type": "FeatureCollection", "features": ['),
        },
    )
    assert (
        bad.status_code == 200
        and "不是有效的 JSON" in bad.content.decode()
        and not CountyBoundary.objects.exists()
    )
    raw = json.dumps(collection(anji)).encode()
    ok = client.post(
        "/admin/geo/countyboundary/add/",
        {"county": anji.county.pk, "file": SimpleUploadedFile("a.geojson", raw)},
    )
    assert ok.status_code == 302
    b = CountyBoundary.objects.get()
    assert b.features == 2 and b.loaded_by == admin and b.source == "a.geojson"
    # loading again replaces it
    again = client.post(
        "/admin/geo/countyboundary/add/",
        {"county": anji.county.pk, "file": SimpleUploadedFile("b.geojson", raw)},
    )
    assert again.status_code == 302 and CountyBoundary.objects.get().source == "b.geojson"
