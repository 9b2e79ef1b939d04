"""Fixtures shared by every app's tests: a small real-shaped county with its organisations
and one staff member per role."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import cast

import pytest

from jiefen.directory.models import Organization, Staff


@dataclass
class County:
    county: object
    town: object
    town2: object
    village: object
    village2: object
    other_village: object

    def org(self, kind: str, region=None) -> Organization:
        return Organization.objects.get(kind=kind, region=region or self.county)


def make_county(code: str = "330523", name: str = "安吉县"):
    from jiefen.directory.services import organizations_seed_for_county
    from jiefen.regions.models import Region

    county = Region.objects.create(code=f"{code}000000", name=name, level="county")
    county.county = county
    county.save()

    def town(c, n):
        t = Region.objects.create(code=c, name=n, level="town", parent=county, county=county)
        t.town = t
        t.save()
        return t

    def village(c, n, t):
        return Region.objects.create(code=c, name=n, level="village", parent=t, county=county, town=t)

    t1 = town(f"{code}101000", "孝丰镇")
    t2 = town(f"{code}102000", "报福镇")
    v1 = village(f"{code}101201", "横溪坞村委会", t1)
    v2 = village(f"{code}101202", "夏阳村委会", t1)
    v3 = village(f"{code}102201", "深溪村委会", t2)
    organizations_seed_for_county(county=county)
    return County(county=county, town=t1, town2=t2, village=v1, village2=v2, other_village=v3)


@pytest.fixture
def anji(db) -> County:
    return make_county()


@pytest.fixture
def staff_factory(db):
    from jiefen.cases.tests.factories import StaffFactory

    def make(org: Organization, roles: list[str], **kw) -> Staff:
        return cast(Staff, StaffFactory(organization=org, roles=roles, **kw))

    return make


@pytest.fixture
def dispatcher(anji, staff_factory) -> Staff:
    return staff_factory(anji.org("county_centre"), ["dispatcher", "clerk"], username="dispatcher")


@pytest.fixture
def register(anji, dispatcher):
    """Register a case through the service with sensible defaults (cases/tests/factories.py);
    keyword arguments override them. Returns the case."""
    from jiefen.cases.tests.factories import PartyFactory, RegistrationFactory

    def make(**kw):
        kw.setdefault("region", anji.village)
        kw.setdefault("parties", [PartyFactory(phone="13812345678")])
        kw.setdefault("actor", dispatcher)
        return RegistrationFactory(**kw).case

    return make


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def new_browser_page():
    """Pages of Debian's chromium driven by Playwright: `new_browser_page(viewport=…)`.

    Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE: Playwright's sync API runs an event loop in the
    test's thread while the test body still uses the ORM synchronously.
    """
    import shutil

    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        contexts = []

        def new_page(**context_options):
            context = browser.new_context(locale="zh-CN", **context_options)
            contexts.append(context)
            return context.new_page()

        yield new_page
        for context in contexts:
            context.close()
        browser.close()
        # While Playwright's loop runs, Django keys connections by context, not thread: close
        # the ones opened in here, or PostgreSQL refuses to drop the test database.
        connections.close_all()


def browser_log_in(page, base_url: str, username: str, password: str = "pw-123456789") -> None:
    """Log a staff member in through the login page (browser tests)."""
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base_url}/cases/")


def browser_register_neighbours(page, base_url: str, county: County) -> None:
    """Register the neighbours' noise dispute of the test county's first village at the window
    form, through the region picker, and wait for the receipt (browser tests)."""
    page.goto(f"{base_url}/cases/new/")
    page.select_option("#id_town", county.town.code)
    page.wait_for_selector(f"#id_village option[value='{county.village.code}']", state="attached")
    page.select_option("#id_village", county.village.code)
    page.fill("#id_parties-0-name", "王小明")
    page.fill("#id_parties-0-phone", "13812345678")
    page.fill("#id_parties-1-name", "李四")
    page.select_option("#id_category", "neighbour")
    page.fill("#id_description", "楼上装修噪音，夜间施工，协商未果")
    page.click("button[name=register]")
    page.wait_for_selector("#case-number")


# Tests run on a fixed, ticking clock so that their dates are reproducible; tests about dates
# freeze their own time on top of it. JIEFEN_TEST_CLOCK=real runs them on the real clock instead
# (CI does so once for the fast tests), so that the product is also tried on the day it is used:
# a test that only passes on TEST_NOW hides an outage such as a calendar that ends.
TEST_NOW = "2026-06-15 10:00:00+08:00"
REAL_CLOCK = os.environ.get("JIEFEN_TEST_CLOCK") == "real"


@pytest.fixture(autouse=True)
def _test_clock():
    if REAL_CLOCK:
        yield
        return
    import time_machine

    with time_machine.travel(TEST_NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _english_outside_requests():
    # Commands and services speak the active language; tests outside requests read English.
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # Per-process caches of reference data outlive a test's rolled-back transaction: clear them.
    from django.core.cache import cache

    from jiefen.core.refcache import refcache_clear_all
    from jiefen.deadlines.selectors import calendar_invalidate

    calendar_invalidate()
    refcache_clear_all()
    # the rate limits count in Django's cache (per-minute windows): one test's hits must not
    # use up the next test's allowance when both run within the same minute
    cache.clear()
    yield
    calendar_invalidate()
    refcache_clear_all()


def pytest_collection_modifyitems(config, items):
    # Data migrations seed the calendar, time limits and routing rules; a transactional test
    # flushes every table afterwards, so each one restores the seeded rows for the next.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker is not None
            and marker.kwargs.get("transaction")
            and "serialized_rollback" not in marker.kwargs
        ):
            item.add_marker(
                pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True), append=False
            )
    # Browser tests need Debian's chromium; CI sets JIEFEN_REQUIRE_BROWSER=1 so they never skip there.
    import shutil

    if shutil.which("chromium") or os.environ.get("JIEFEN_REQUIRE_BROWSER") == "1":
        return
    skip = pytest.mark.skip(reason="chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
