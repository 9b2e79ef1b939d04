"""The scorecard ranking page in a real browser: ranked units, a figure clicked through to the
cases behind it, the unit page, printing, no console errors."""

import os
from datetime import datetime

import pytest
from django.utils import timezone

from conftest import browser_log_in
from jiefen.demo.services import cases_seed
from jiefen.scorecards import selectors

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
MONTH = "2026-05"


def test_ranking_and_drill_down_to_the_cases(new_browser_page, live_server, anji, dispatcher):
    # given a month of cases
    now = timezone.make_aware(datetime(2026, 6, 10, 12))
    cases_seed(county=anji.county, count=200, seed=9, now=now, days=60, copy=False, counters=False)
    data = selectors.scorecards(viewer=dispatcher, month=MONTH)
    top = data["organizations"][0]
    page = new_browser_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )

    # when the dispatcher opens the scorecards of May, in Chinese
    browser_log_in(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/scorecards/?month={MONTH}")

    # then the units are ranked, the first with rank 1 and its score
    first = page.locator("#organizations tbody tr").first
    assert first.locator("td").first.inner_text() == "1"
    assert top.name in first.inner_text() and str(top.score) in first.inner_text()
    assert "考核" in page.title() or "考核" in page.locator("h1").inner_text()

    # when "received" of the first unit is clicked
    first.locator('td[data-figure="received"] a').click()
    page.wait_for_selector("#drill-cases")

    # then the list holds exactly the cases behind the figure
    numbers = page.locator("#drill-cases tbody td a.mono").all_inner_texts()
    expected = [c.number for c in selectors.figure_cases(viewer=dispatcher, unit=top, figure="received")][:50]
    assert numbers == expected and len(numbers) == min(top.figures["received"], 50)
    # and a case opens from there
    page.locator("#drill-cases tbody td a.mono").first.click()
    page.wait_for_url(f"{live_server.url}/cases/{expected[0]}/")

    # the unit page prints without the navigation
    page.goto(f"{live_server.url}/scorecards/{MONTH}/{top.key}/")
    assert page.locator("#unit-score").inner_text() == str(top.score)
    page.emulate_media(media="print")
    assert not page.locator("nav.mainnav").is_visible()
    assert errors == []
