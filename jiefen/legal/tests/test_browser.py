"""In a real browser on a phone-sized screen: a citizen applies for legal aid."""

import os
from decimal import Decimal

import pytest

from jiefen.legal.models import LegalAidApplication, MeansStandard
from jiefen.procedures.tests.conftest import PHONE, VALID_ID

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_citizen_legal_aid_application_on_a_phone(new_browser_page, live_server, anji, tmp_path):
    MeansStandard.objects.create(province="33", monthly_income_per_person=Decimal("2000"), source="测试")
    page = new_browser_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(f"{live_server.url}/portal/")
    page.click("a[href='/portal/legal-aid/']")
    page.wait_for_selector("#aid-form")
    page.wait_for_load_state("load")  # (measured with the stylesheet applied, not before it arrives)
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # A first try without the facts: each missing one is named, nothing is stored.
    page.fill("#id_applicant_name", "王小明")
    page.select_option("#id_matter", "labour")
    page.click("#aid-submit")
    page.wait_for_selector("p.err")
    assert page.locator("p.err").count() >= 3
    assert not LegalAidApplication.objects.exists()
    page.fill("#id_id_number", VALID_ID)
    page.fill("#id_phone", PHONE)
    page.fill("#id_facts", "在工地干活三个月，老板拖欠工资两万元")
    page.fill("#id_household_size", "3")
    page.fill("#id_household_monthly_income", "4500")
    page.click("#aid-submit")
    page.wait_for_selector("#aid-number")
    page.screenshot(path=str(tmp_path / "aid.png"), full_page=True)
    app = LegalAidApplication.objects.get()
    assert page.inner_text("#aid-number") == app.number
    assert page.inner_text("#aid-due").startswith(app.decision_due_at.date().isoformat())
    assert app.channel == "online" and app.assessment["eligible"] is True
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
