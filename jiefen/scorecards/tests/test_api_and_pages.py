"""The scorecards over the API and on the pages: the same figures, ranks, the .xlsx, bad input."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from jiefen.cases.models import Case
from jiefen.demo.services import cases_seed
from jiefen.directory.services import api_token_create
from jiefen.scorecards import selectors
from jiefen.scorecards.models import ScoreWeight

pytestmark = pytest.mark.django_db
MONTH = "2026-05"


@pytest.fixture
def month_of_cases(anji):
    now = timezone.make_aware(datetime(2026, 6, 10, 12))
    cases_seed(county=anji.county, count=250, seed=3, now=now, days=60, copy=False, counters=False)
    return anji


def _auth(staff):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=staff)}"}


def test_api_gives_every_organisation_with_figures_score_and_rank(month_of_cases, dispatcher, client):
    # when the county's dispatcher asks for May
    r = client.get(f"/api/v1/scorecards?month={MONTH}", **_auth(dispatcher))

    # then every organisation of the county is there, ranked by score, as the page computes it
    assert r.status_code == 200
    rows = r.json()
    data = selectors.scorecards(viewer=dispatcher, month=MONTH)
    assert [x["organization_id"] for x in rows] == [u.organization_id for u in data["organizations"]]
    assert {"organization_id", "name", "figures", "score", "rank"} <= set(rows[0])
    ranked = [x for x in rows if x["rank"] is not None]
    assert ranked and ranked[0]["rank"] == 1
    assert [x["score"] for x in ranked] == sorted((x["score"] for x in ranked), reverse=True)
    assert (
        sum(x["figures"]["received"] for x in rows)
        == Case.objects.filter(
            received_at__gte=selectors.month_parse(MONTH).start,
            received_at__lt=selectors.month_parse(MONTH).end,
        )
        .exclude(status="merged")
        .count()
    )
    towns = client.get(f"/api/v1/scorecards?month={MONTH}&unit=town", **_auth(dispatcher)).json()
    assert [t["region_code"] for t in towns] and all(t["organization_id"] is None for t in towns)


@pytest.mark.parametrize("month", ["", "2026-13", "2026-5x", "26-05", "1999-01", "2026-05-01", "x" * 7])
def test_api_bad_month_is_422(anji, dispatcher, client, month):
    r = client.get(f"/api/v1/scorecards?month={month}", **_auth(dispatcher))
    assert r.status_code == 422 and r.json()["error"] == "validation_failed"


def test_weights_are_data(month_of_cases, dispatcher):
    # given only resolution weighted
    ScoreWeight.objects.update(weight=0)
    ScoreWeight.objects.filter(term="resolved").update(weight=1)

    data = selectors.scorecards(viewer=dispatcher, month=MONTH)

    # then each score is the resolved share
    for u in data["organizations"]:
        share = u.figures["resolved_share"]
        assert u.score == (None if share is None else round(100 * share, 1))


def test_a_town_sees_only_its_units(month_of_cases, staff_factory):
    town_staff = staff_factory(month_of_cases.org("town_centre", month_of_cases.town), ["analyst"])
    data = selectors.scorecards(viewer=town_staff, month=MONTH)
    assert [u.region.code for u in data["towns"]] == [month_of_cases.town.code]
    assert all(u.region.town_id == month_of_cases.town.pk for u in data["organizations"])
    assert data["organizations"]


def test_pages_ranking_unit_drill_print_and_xlsx(month_of_cases, dispatcher, client):
    client.force_login(dispatcher)
    data = selectors.scorecards(viewer=dispatcher, month=MONTH)
    unit = max(data["organizations"], key=lambda u: u.figures["received"])

    page = client.get(reverse("scorecards:ranking") + f"?month={MONTH}")
    text = page.content.decode()
    assert page.status_code == 200 and unit.name in text
    assert reverse("scorecards:drill", args=[MONTH, unit.key, "received"]) in text
    assert "@media print" in open("jiefen/scorecards/static/scorecards/scorecards.css").read()

    drill = client.get(reverse("scorecards:drill", args=[MONTH, unit.key, "received"]))
    assert drill.status_code == 200
    assert drill.content.decode().count("/cases/") >= min(unit.figures["received"], 50)

    assert client.get(reverse("scorecards:unit", args=[MONTH, unit.key])).status_code == 200
    assert client.get(reverse("scorecards:drill", args=[MONTH, unit.key, "nonsense"])).status_code == 404
    assert client.get(reverse("scorecards:drill", args=[MONTH, "o999999", "received"])).status_code == 404
    assert client.get(reverse("scorecards:unit", args=["2026-99", unit.key])).status_code == 404
    assert client.get(reverse("scorecards:ranking") + "?month=bad").status_code == 400

    x = client.get(reverse("scorecards:xlsx") + f"?month={MONTH}")
    assert x.status_code == 200
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(x.content))
    names = [row[1] for row in wb.worksheets[1].iter_rows(min_row=3, values_only=True)]
    assert unit.name in names and len(names) == len(data["organizations"])


def test_weights_are_edited_in_the_admin(anji, staff_factory, client):
    admin = staff_factory(anji.org("county_centre"), ["admin"], is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/scorecards/scoreweight/")
    assert page.status_code == 200 and ScoreWeight.objects.count() == 9
    assert client.get("/admin/watchlist/watchaccesslog/").status_code == 200
