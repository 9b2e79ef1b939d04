"""End to end in a real browser: Debian's chromium driven by Playwright against live_server."""

import os

import pytest

from jiefen.cases.models import Case

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body (fixtures, assertions) are still synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def page(new_browser_page):
    return new_browser_page(viewport={"width": 1280, "height": 900})


def test_walk_in_registration_through_the_region_picker(page, live_server, anji, dispatcher, tmp_path):
    # given
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "dispatcher")
    page.fill("#id_password", "pw-123456789")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/cases/")
    page.goto(f"{live_server.url}/cases/new/")
    # when
    page.select_option("#id_town", anji.town.code)
    page.wait_for_selector(f"#id_village option[value='{anji.village.code}']", state="attached")
    page.select_option("#id_village", anji.village.code)
    page.fill("#id_parties-0-name", "王小明")
    page.fill("#id_parties-0-phone", "13812345678")
    page.fill("#id_parties-1-name", "李四")
    page.select_option("#id_category", "neighbour")
    page.fill("#id_description", "楼上装修噪音，夜间施工，协商未果")
    page.click("button[name=register]")
    page.wait_for_selector("#case-number")
    page.screenshot(path=str(tmp_path / "receipt.png"), full_page=True)
    # then
    case = Case.objects.get()
    assert page.inner_text("#case-number") == case.number
    assert len(page.inner_text("#query-code")) == 8
    assert case.village == anji.village
    assert "登记回执" in page.content()
    assert (tmp_path / "receipt.png").stat().st_size > 0
