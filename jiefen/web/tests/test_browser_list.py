"""Issue 17, point 8, in a real browser: a dispatcher narrows the list to a town from the region
tree, sorts it, finds a caller by phone, and routes the selected cases to the town centre at once."""

import os

import pytest

from conftest import browser_log_in
from jiefen.cases.models import Case
from jiefen.cases.services import PartyInput, case_register

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_dispatcher_filters_by_the_tree_sorts_and_routes_two_cases_at_once(
    new_browser_page, live_server, anji, dispatcher, tmp_path
):
    # given three cases in the first town and one in the second
    def reg(region, text, phone):
        return case_register(
            channel="walk_in",
            region=region.code,
            description=text,
            category="neighbour",
            parties=[PartyInput(role="applicant", name="王小明", phone=phone)],
        ).case

    a = reg(anji.village, "邻居装修噪音", "13800000001")
    b = reg(anji.village2, "楼上漏水", "13800000002")
    c = reg(anji.town, "宅基地界址纠纷", "13800000003")
    far = reg(anji.other_village, "鱼塘承包纠纷", "13800000004")
    page = new_browser_page(viewport={"width": 1366, "height": 768})
    browser_log_in(page, live_server.url, "dispatcher")
    # when the dispatcher picks the first town from the tree and sorts by number
    page.select_option("select#id_region", anji.town.code)
    page.click("form.filters button[type=submit]")
    page.click("th a.sort >> text=编号")
    rows = page.locator("table.cases tbody tr td:nth-child(2) a").all_inner_texts()
    # then the town's three cases are listed, in number order, the other town's is not
    assert rows == sorted([a.number, b.number, c.number])
    assert far.number not in page.content()
    # when a caller gives his phone number
    page.fill("input[name=q]", "138 0000 0002")
    page.click("form.filters button[type=submit]")
    assert page.locator("table.cases tbody tr td:nth-child(2) a").all_inner_texts() == [b.number]
    # when the dispatcher clears the search, ticks two cases and routes them to the town centre
    page.fill("input[name=q]", "")
    page.click("form.filters button[type=submit]")
    page.check(f"input[name=case][value^='{a.number}:']")
    page.check(f"input[name=case][value^='{c.number}:']")
    page.select_option("#bulk-action", "route")
    town_centre = anji.org("town_centre", anji.town)
    page.select_option("#bulk-organization", str(town_centre.pk))
    page.click("#bulk button[type=submit]")
    page.wait_for_selector("#bulk-report")
    page.screenshot(path=str(tmp_path / "bulk.png"), full_page=True)
    # then the report lists both as done, and both are the town centre's
    assert "2" in page.inner_text("#bulk-summary")
    assert {Case.objects.get(pk=x.pk).lead_organization_id for x in (a, c)} == {town_centre.pk}
    assert Case.objects.get(pk=b.pk).lead_organization_id != town_centre.pk
