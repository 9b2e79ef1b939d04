"""The optional location of a report: the portal and the grid report ask for it."""

from decimal import Decimal

import pytest

from jiefen.cases.models import Case
from jiefen.channels.models import GridMember
from jiefen.geo.models import ReportLocation
from jiefen.regions.models import Grid

pytestmark = pytest.mark.django_db


def portal_form(anji, **kw):
    data = {
        "county": anji.county.code,
        "town": anji.town.code,
        "village": anji.village.code,
        "description": "邻居装修噪音，晚上十点后还在施工",
        "name": "王小明",
        "phone": "13812345678",
        "category": "neighbour",
    }
    data.update(kw)
    return data


def test_the_portal_keeps_a_location_given_and_refuses_a_bad_one(client, anji):
    resp = client.post("/portal/", portal_form(anji, latitude="30.63", longitude="119.68"))
    assert resp.status_code == 302
    loc = ReportLocation.objects.get()
    assert loc.case == Case.objects.get() and loc.source == "portal"
    assert (loc.latitude, loc.longitude) == (Decimal("30.630000"), Decimal("119.680000"))
    bad = client.post(
        "/portal/", portal_form(anji, description="另一件事：欠薪", latitude="91", longitude="119")
    )
    assert bad.status_code == 422 and Case.objects.count() == 1
    assert (
        client.post("/portal/", portal_form(anji, description="又一件：土地", latitude="abc")).status_code
        == 422
    )
    # without a location the report goes in as before
    assert client.post("/portal/", portal_form(anji, description="第三件：物业收费争议")).status_code == 302
    assert Case.objects.count() == 2 and ReportLocation.objects.count() == 1


def test_the_grid_report_keeps_a_location(client, anji, staff_factory):
    grid = Grid.objects.create(village=anji.village, code="330523101201-01", name="横溪坞第一网格")
    w = staff_factory(anji.org("village_committee", anji.village), ["grid_worker"])
    GridMember.objects.create(grid=grid, staff=w)
    client.force_login(w)
    resp = client.post(
        "/grid/report/",
        {
            "grid": grid.pk,
            "description": "两户因排水沟争吵",
            "applicant_name": "赵六",
            "latitude": "30.61",
            "longitude": "119.55",
        },
    )
    assert resp.status_code == 200
    assert ReportLocation.objects.get().source == "grid"
    bad = client.post(
        "/grid/report/",
        {
            "grid": grid.pk,
            "description": "另一件",
            "applicant_name": "赵六",
            "latitude": "30.61",
            "longitude": "x",
        },
    )
    assert "msg-error" in bad.content.decode() and Case.objects.count() == 1
