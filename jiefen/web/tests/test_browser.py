"""End to end in a real browser: Debian's chromium driven by Playwright against live_server."""

import os

import pytest

from conftest import browser_log_in, browser_register_neighbours
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
    browser_log_in(page, live_server.url, "dispatcher")
    # when
    browser_register_neighbours(page, live_server.url, anji)
    page.screenshot(path=str(tmp_path / "receipt.png"), full_page=True)
    # then
    case = Case.objects.get()
    assert page.inner_text("#case-number") == case.number
    assert len(page.inner_text("#query-code")) == 8
    assert case.village == anji.village
    assert "登记回执" in page.content()
    assert (tmp_path / "receipt.png").stat().st_size > 0
