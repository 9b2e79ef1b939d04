"""In a real browser: the 解纷码 shows on the staff case page and the receipt (under the
Content-Security-Policy), the reissue form gives a new code, and a village's poster fits a phone."""

import os
import re

import pytest

from jiefen.cases.models import CaseEvent
from jiefen.cases.services import PartyInput, case_register

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_case_qr_renders_and_a_verified_party_gets_a_new_code(
    new_browser_page, live_server, anji, staff_factory
):
    # given
    staff_factory(anji.org("county_centre"), ["clerk", "dispatcher"], username="clerk")
    case = case_register(
        channel="walk_in",
        region=anji.village.code,
        description="邻居漏水，多次协商未果",
        parties=[PartyInput(role="applicant", name="王小明", phone="13812345678")],
    ).case
    page = new_browser_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pw-123456789")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/cases/")
    # when
    page.goto(f"{live_server.url}/cases/{case.number}/")
    page.wait_for_function("document.querySelector('#case-qr img.qr').naturalWidth > 0")
    page.fill("#reissue-form input[name=verification]", "窗口核验身份证原件")
    page.click("#reissue-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/receipt/$"))
    # then
    code = page.inner_text("#query-code").strip()
    assert re.fullmatch(r"[2-9A-Z]{8}", code)
    page.wait_for_function("document.querySelector('#receipt-qr img.qr').naturalWidth > 0")
    assert CaseEvent.objects.filter(case=case, kind="query_code_reissued").count() == 1


def test_a_village_poster_fits_a_phone(new_browser_page, live_server, anji):
    # given
    page = new_browser_page(viewport={"width": 390, "height": 844})
    # when
    page.goto(f"{live_server.url}/portal/poster/{anji.village.code}/")
    # then
    box = page.locator("#poster svg.qr").bounding_box()
    assert box is not None and box["width"] >= 200 and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert anji.village.name in page.inner_text("#poster")
