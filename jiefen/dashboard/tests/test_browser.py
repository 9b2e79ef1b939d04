"""The dashboard and the big screen in a real browser: charts drawn, no console errors, drill-down."""

import os

import pytest

from jiefen.cases.services import PartyInput, case_register

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def page(new_browser_page):
    page = new_browser_page(viewport={"width": 1400, "height": 1000})
    page.errors = []
    # Console errors and failed requests, except the browser's own favicon probe.
    page.on(
        "console",
        lambda m: (
            page.errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on(
        "response",
        lambda r: (
            page.errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return page


def login(page, live_server):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "dispatcher")
    page.fill("#id_password", "pw-123456789")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/cases/")


def test_dashboard_and_big_screen_draw_and_drill_down(page, live_server, anji, dispatcher, tmp_path):
    # given
    for category, village in (
        ("labour", anji.village),
        ("labour", anji.village2),
        ("neighbour", anji.other_village),
    ):
        case_register(
            channel="walk_in",
            region=village,
            category=category,
            description="欠薪纠纷" if category == "labour" else "邻里噪音",
            parties=[PartyInput(role="applicant", name="王五")],
            actor=dispatcher,
        )
    login(page, live_server)
    # when
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("#chart-category canvas")
    page.wait_for_selector("#chart-levels canvas")
    page.wait_for_selector("#chart-series canvas")
    page.wait_for_selector("#chart-towns canvas")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    # then
    assert page.inner_text("#kpi-received strong") == "3"
    assert page.errors == []
    # when: drill down from a figure to the cases behind it
    page.click("#kpi-received")
    page.wait_for_url("**/cases/?**")
    # then
    assert page.locator("table.cases tbody tr").count() == 3
    # when: a chart bar drills down too (the town ranking's first bar = 孝丰镇, two cases)
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("#chart-towns canvas")
    page.wait_for_timeout(1500)  # let the bars finish growing
    x, y = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-towns'))"
        ".convertToPixel({seriesIndex: 0}, [1, 0])"
    )
    page.locator("#chart-towns").click(position={"x": x, "y": y})
    page.wait_for_url(f"**/cases/?**region={anji.town.code}**")
    assert page.locator("table.cases tbody tr").count() == 2
    page.goto(f"{live_server.url}/dashboard/screen/")
    page.wait_for_selector("#chart-levels canvas")
    page.wait_for_selector("#chart-category canvas")
    page.screenshot(path=str(tmp_path / "screen.png"))
    # then
    bg = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert bg == "rgb(7, 20, 38)"
    assert page.errors == []
    assert (tmp_path / "screen.png").stat().st_size > 0
