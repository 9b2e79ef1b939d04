"""The live intake proposals on the registration screen, in a real browser (Debian's chromium
driven by Playwright against live_server): as the clerk types, htmx posts the form to
/triage/propose/ and the panel shows the category, the risk, related cases and the owner."""

import os
import re

import pytest
from django.utils import translation

from jiefen.cases.choices import Category, risk_label
from jiefen.cases.routing import RegionChain
from jiefen.channels.tests.dbfix import tolerant_serialized_rollback  # noqa: F401
from jiefen.triage import services
from jiefen.triage.tests.helpers import register

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body (fixtures, assertions) are still synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = "13812345678"
WAGES = "建筑公司拖欠我们三十多名工人半年工资共四十多万元，老板一直避而不见，工人们要求尽快结清工资"
# Generous: the first request also loads the classifier's model.
WAIT_MS = 15_000


@pytest.fixture
def page(new_browser_page):
    return new_browser_page(viewport={"width": 1280, "height": 900})


@pytest.fixture
def clerk(anji, staff_factory):
    return staff_factory(anji.org("county_centre"), ["clerk"], username="clerk")


def expected_proposals(anji, parties):
    """What the triage service proposes for the same form, as the panel should show it."""
    with translation.override("zh-hans"):
        t = services.triage_intake(
            category=None,
            description=WAGES,
            parties=parties,
            channel="walk_in",
            chain=RegionChain.of(anji.village),
        )
        return {
            "category": t.proposal.category,
            "label": str(Category(t.proposal.category).label),
            "confidence": f"{t.proposal.confidence:.2f}",
            "risk": t.risk.level,
            "risk_label": risk_label(t.risk.level),
            "owner": t.decision.organization.name,
        }


def propose_response(page):
    return page.expect_response(lambda r: r.url.endswith("/triage/propose/") and r.request.method == "POST")


def test_the_panel_proposes_category_risk_owner_and_the_related_case(page, live_server, anji, clerk):
    from playwright.sync_api import expect

    # given: an earlier case of the same phone number, about something else
    earlier = register(anji, phone=PHONE, text="邻居家空调外机噪音很大，晚上睡不着").case
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "pw-123456789")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/cases/")
    page.goto(f"{live_server.url}/cases/new/")
    panel = page.locator("#triage-proposals")
    expect(panel.locator(".hint")).to_be_visible()
    page.select_option("#id_town", anji.town.code)
    page.wait_for_selector(f"#id_village option[value='{anji.village.code}']", state="attached")
    page.select_option("#id_village", anji.village.code)
    page.fill("#id_parties-0-name", "王小明")

    # when: the clerk types what happened
    with propose_response(page) as typed:
        page.fill("#id_description", WAGES)
    assert typed.value.ok

    # then: category with its confidence, risk and owner, and no related case yet
    first = expected_proposals(anji, [{"role": "applicant", "name": "王小明", "phone": ""}])
    assert first["category"] == "labour"
    category = panel.locator("#proposal-category")
    expect(category.locator("strong").first).to_have_text(first["label"], timeout=WAIT_MS)
    expect(category).to_contain_text(f"置信度 {first['confidence']}")
    expect(category.locator('[data-set-category="labour"]')).to_be_visible()
    expect(panel.locator("#proposal-risk .badge")).to_have_text(first["risk_label"])
    expect(panel.locator("#proposal-risk .badge")).to_have_class(re.compile(rf"\brisk-{first['risk']}\b"))
    expect(panel.locator("#proposal-owner strong")).to_have_text(first["owner"])
    expect(panel.locator("#proposal-related a")).to_have_count(0)
    expect(panel.locator("#proposal-related")).to_contain_text("未发现关联案件")

    # when: the applicant's phone matches the earlier case
    with propose_response(page) as typed:
        page.fill("#id_parties-0-phone", PHONE)
    assert typed.value.ok

    # then: the related case appears with a link to its page, next to the same proposals
    link = panel.locator("#proposal-related a", has_text=earlier.number)
    expect(link).to_be_visible(timeout=WAIT_MS)
    expect(link).to_have_attribute("href", f"/cases/{earlier.number}/")
    final = expected_proposals(anji, [{"role": "applicant", "name": "王小明", "phone": PHONE}])
    expect(category.locator("strong").first).to_have_text(final["label"])
    expect(panel.locator("#proposal-risk .badge")).to_have_text(final["risk_label"])
    expect(panel.locator("#proposal-owner strong")).to_have_text(final["owner"])
    with page.context.expect_page() as opened:
        link.click()
    case_page = opened.value
    case_page.wait_for_load_state()
    expect(case_page.locator("h1 .mono")).to_have_text(earlier.number)
