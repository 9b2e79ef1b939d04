"""The strict Content-Security-Policy breaks no page: a real browser visits every kind of page
and reports each violation it sees."""

import os

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber + ":" + e.columnNumber + " " + (e.sample || ""));
});
"""


def test_no_page_violates_the_policy(new_browser_page, live_server, anji, staff_factory):
    # given
    from jiefen.cases.services import PartyInput, case_register

    boss = staff_factory(
        anji.org("county_centre"),
        ["dispatcher", "clerk", "leader", "analyst", "admin"],
        username="boss",
        is_staff=True,
        is_superuser=True,
    )
    case = case_register(
        channel="walk_in",
        region=anji.village.code,
        description="邻居装修噪音扰民",
        category="neighbour",
        parties=[PartyInput(role="applicant", name="王小明", phone="13812345678")],
        actor=boss,
    ).case
    page = new_browser_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(WATCH)
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "pw-123456789")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/cases/")
    # when
    seen = {}
    for path in (
        "/cases/",
        "/cases/new/",
        f"/cases/{case.number}/",
        "/dashboard/",
        "/dashboard/screen/",
        "/dashboard/report/",
        "/alerts/",
        "/grid/",
        "/admin/",
        "/admin/cases/case/",
        "/api/v1/docs",
        "/portal/",
        "/portal/track/",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        if path.startswith("/dashboard/") and path != "/dashboard/report/":
            page.wait_for_selector("canvas")
            page.wait_for_timeout(1000)  # charts animate
            for chart in page.locator("canvas").all():  # hovering shows the tooltips
                chart.hover()
                page.wait_for_timeout(200)
        seen[path] = page.evaluate("window.__csp")
    # then
    assert {p: v for p, v in seen.items() if v} == {}
    assert console == []
