"""A citizen on a phone: submit, receive the number, track with the one-time code, rate."""

import json
import os
import re

import pytest

from jiefen.cases.models import Case
from jiefen.cases.services import case_transition
from jiefen.channels.tests.dbfix import tolerant_serialized_rollback  # noqa: F401
from jiefen.procedures.models import PartyFeedback

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def phone_page(new_browser_page):
    return new_browser_page(viewport={"width": 390, "height": 844}, is_mobile=True)


def test_citizen_submits_tracks_with_one_time_code_and_rates(
    phone_page, live_server, anji, staff_factory, sms_file, tmp_path
):
    page = phone_page
    # given
    page.goto(f"{live_server.url}/portal/")
    page.select_option("#id_town", anji.town.code)
    page.wait_for_selector(f"#id_village option[value='{anji.village.code}']", state="attached")
    page.select_option("#id_village", anji.village.code)
    page.fill("#id_description", "邻居装修噪音，晚上十点后还在施工<script>alert(1)</script>")
    page.select_option("#id_category", "neighbour")
    page.fill("#id_name", "王小明")
    page.fill("#id_phone", "13812345678")
    # when: submit
    page.click("#submit-button")
    try:
        page.wait_for_selector("#query-code", timeout=10000)
    except Exception:
        print(page.content())
        raise
    page.screenshot(path=str(tmp_path / "receipt.png"), full_page=True)
    number, query_code = page.inner_text("#case-number"), page.inner_text("#query-code")
    case = Case.objects.get()
    assert number == case.number and case.village == anji.village
    # when: track with the one-time code from the SMS gateway
    page.click("a.button")
    page.fill("#id_query_code", query_code)
    page.click("#track-form button[type=submit]")
    page.wait_for_selector("#verify-form")
    code = re.search(r"验证码(\d{6})", json.loads(sms_file.read_text().splitlines()[-1])["text"]).group(1)
    page.fill("#id_code", code)
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#timeline")
    assert page.inner_text("#case-number") == number
    # when: the village committee resolves it, the citizen rates it
    handler = staff_factory(anji.org("village_committee", anji.village), ["handler"])
    c = case_transition(case=case, actor=handler, action="accept")
    c = case_transition(case=c, actor=handler, action="start")
    case_transition(case=c, actor=handler, action="resolve", reason="双方约定夜间不施工")
    page.reload()
    page.check("#rate-form input[name=stars][value='5']")
    page.fill("#id_comment", "满意")
    page.click("#rate-form button[type=submit]")
    page.wait_for_selector("#rated")
    page.screenshot(path=str(tmp_path / "rated.png"), full_page=True)
    # then
    assert PartyFeedback.objects.get(case=case, source="portal").score == 5
    assert "双方约定夜间不施工" in page.inner_text("#timeline")
    assert "<script>" not in page.inner_text("#timeline")
    assert (tmp_path / "rated.png").stat().st_size > 0
