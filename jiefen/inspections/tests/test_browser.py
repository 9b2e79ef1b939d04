"""In a real browser: a grid worker's zero report on a phone, the town's completion view, the map."""

import json
import os
from datetime import date

import pytest

from conftest import browser_log_in
from jiefen.channels.tests.dbfix import tolerant_serialized_rollback  # noqa: F401
from jiefen.inspections.models import Entry, Round
from jiefen.inspections.services import EntryInput, inspection_report

from .conftest import CHECKLIST

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def phone_page(new_browser_page):
    return new_browser_page(viewport={"width": 390, "height": 844}, is_mobile=True)


def test_a_grid_worker_makes_a_zero_report_on_a_phone(
    phone_page, live_server, anji, schedules, grids, worker, tmp_path
):
    page = phone_page
    browser_log_in(page, live_server.url, "gridworker")
    page.goto(f"{live_server.url}/grid/")
    page.click(f"#inspect-{grids[0].pk}")
    page.wait_for_selector("#insp-report-form")
    # the finding's fields show only when disputes were found
    assert not page.is_visible("#id_description")
    page.check("input[name=result][value=found]")
    assert page.is_visible("#id_description")
    page.check("input[name=result][value=zero]")
    assert not page.is_visible("#id_description")
    page.check(f"input[name=checked][value='{CHECKLIST[0]}']")
    page.check(f"input[name=checked][value='{CHECKLIST[2]}']")
    # the page fits the phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    page.click("#insp-submit")
    page.wait_for_selector(".msg")
    entry = Entry.objects.get()
    assert entry.zero_report and entry.grid == grids[0] and entry.checked == [CHECKLIST[0], CHECKLIST[2]]
    # the oldest open round was reported; the next one is offered now
    assert entry.round.period_start == date(2026, 6, 1)
    assert "06-08" in page.inner_text("#insp-report-form")


def test_the_town_sees_completion_by_village_and_grid(
    new_browser_page, live_server, anji, schedules, grids, worker, town_staff
):
    weekly, _m = schedules
    first = Round.objects.get(schedule=weekly, period_start=date(2026, 6, 1))
    inspection_report(
        reporter=worker,
        data=EntryInput(round_id=first.pk, grid_id=grids[0].pk, zero_report=True, checked=CHECKLIST),
    )
    page = new_browser_page()
    browser_log_in(page, live_server.url, "towndesk")
    page.click("nav.mainnav >> text=排查")
    page.wait_for_selector("#insp-filter")
    page.fill("#id_date_from", "2026-06-01")
    page.fill("#id_date_to", "2026-06-14")
    page.click("#insp-filter button[type=submit]")
    page.wait_for_selector("#insp-completion")
    assert page.inner_text("#insp-due") == "4" and page.inner_text("#insp-done") == "1"
    missing = page.locator("#insp-completion tr.insp-missing")
    assert missing.count() == 3
    assert grids[1].name in page.inner_text("#insp-completion") and grids[2].name not in page.inner_text(
        "#insp-completion"
    )
    # narrow to one village
    page.select_option("#id_region", anji.village.code)
    page.click("#insp-filter button[type=submit]")
    page.wait_for_selector(f"#insp-completion tr[data-code='{grids[0].code}']")
    assert page.locator("#insp-completion tbody tr").count() == 2  # its grid and its village round
    with page.expect_download() as dl:
        page.click("#insp-export")
    assert dl.value.suggested_filename.endswith(".xlsx")


@pytest.mark.parametrize("with_boundary", [False, True])
def test_the_map_renders_with_echarts_and_its_data(
    new_browser_page, live_server, anji, dispatcher, with_boundary
):
    from jiefen.cases.choices import PartyRole
    from jiefen.cases.services import PartyInput, case_register
    from jiefen.geo.services import boundary_load, centres_place, report_location_record

    centres_place(county=anji.county)
    reg = case_register(
        channel="online",
        region=anji.village,
        description="邻居装修噪音纠纷",
        parties=[PartyInput(role=PartyRole.APPLICANT, name="王小明")],
        actor=dispatcher,
    )
    report_location_record(case=reg.case, location=(30.6, 119.6), source="portal")
    if with_boundary:

        def sq(x, y, d):
            return {
                "type": "Polygon",
                "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]],
            }

        feats = [
            {"type": "Feature", "properties": {"code": r.code}, "geometry": sq(119.3 + i * 0.1, 30.5, 0.09)}
            for i, r in enumerate([anji.town, anji.town2, anji.village, anji.village2, anji.other_village])
        ]
        boundary_load(county=anji.county, raw=json.dumps({"type": "FeatureCollection", "features": feats}))
    page = new_browser_page()
    browser_log_in(page, live_server.url, "dispatcher")
    page.click("nav.mainnav >> text=地图")
    page.wait_for_selector("#map canvas")
    page.wait_for_selector("#map[data-loaded]")
    assert page.get_attribute("#map", "data-loaded") == "3"  # villages
    assert page.locator("#map-table tbody tr").count() == 5
    assert page.is_visible("#map-note") is (not with_boundary)
    page.select_option("#map-level", "town")
    page.wait_for_selector("#map[data-loaded='2']")
    # the table's links open the region's case list
    page.click(f"#map-table a[href*='region={anji.village.code}']")
    page.wait_for_selector(f"text={reg.case.number}")
