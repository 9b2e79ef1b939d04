"""In a real browser on 5 December 2026, before the 2027 holiday notice: a case is registered,
accepted and taken into mediation; its 2027 dates say "provisional", the leader sees the banner,
and once the notice is loaded the marks are gone."""

import os
from datetime import datetime

import pytest
import time_machine

from conftest import browser_log_in, browser_register_neighbours
from jiefen.cases.models import Case
from jiefen.deadlines.tests.notices import load_2027
from jiefen.procedures.models import Procedure
from jiefen.procedures.tests.conftest import TZ

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_december_case_to_mediation_with_provisional_dates(
    new_browser_page, live_server, anji, dispatcher, mediator, leader, tmp_path
):
    page = new_browser_page(viewport={"width": 1366, "height": 768})
    with time_machine.travel(datetime(2026, 12, 5, 9, 0, tzinfo=TZ), tick=True):
        # given the dispatcher registers a neighbours' dispute at the window
        browser_log_in(page, live_server.url, "dispatcher")
        browser_register_neighbours(page, live_server.url, anji)
        case = Case.objects.get()
        page.context.clear_cookies()

        # when the village mediator accepts it and starts people's mediation
        browser_log_in(page, live_server.url, "mediator")
        page.goto(f"{live_server.url}/cases/{case.number}/")
        page.click("#action-accept button[type=submit]")
        page.locator("#case-due", has_text="2027-01-04").wait_for()
        due_text = page.inner_text("#case-due")
        page.click("#start-procedure > summary")
        page.select_option("#start-kind", "people_mediation")
        page.click("button[name=start]")
        page.wait_for_selector("article.procedure[data-kind=people_mediation]")
        pm = Procedure.objects.get(kind="people_mediation")
        panel = page.inner_text(f"#procedure-{pm.pk}")
        page.screenshot(path=str(tmp_path / "case.png"), full_page=True)

        page.goto(f"{live_server.url}/cases/")
        assert "暂定" in page.inner_text("table")  # (before a statutory route ends the case's clock)
        page.goto(f"{live_server.url}/cases/{case.number}/")

        # and every other kind the page offers a village committee on a neighbours' dispute
        # (judicial confirmation needs an agreement first): no petition, arbitration or litigation
        offered = page.eval_on_selector_all("#start-kind option", "os => os.map(o => o.value)")
        assert not set(offered) & {"petition", "labour_arbitration", "litigation", "labour_mediation"}
        for kind in offered:
            if kind in ("people_mediation", "judicial_confirmation"):
                continue
            page.click("#start-procedure > summary")
            page.select_option("#start-kind", kind)
            page.click("button[name=start]")
            page.wait_for_selector(f"article.procedure[data-kind={kind}]")
        started = set(Procedure.objects.values_list("kind", flat=True))
        assert started == {"people_mediation", "entrusted_mediation"}

        # then the 30-day dates in 2027 are marked provisional (暂定) and skip 元旦
        assert "2027-01-04" in due_text and "暂定" in due_text
        assert "2027-01-04" in panel and "暂定" in panel
        for proc in Procedure.objects.exclude(kind="people_mediation"):
            step = proc.steps.get()
            if step.due_at is not None and step.due_at.year == 2027:
                assert step.due_provisional, proc.kind
        page.goto(f"{live_server.url}/procedures/deadlines/")
        assert "暂定" in page.inner_text("main")
        assert page.locator("#calendar-banner").count() == 0  # a mediator is not told
        page.context.clear_cookies()

        # and the leader sees the banner
        browser_log_in(page, live_server.url, "leader")
        assert "2027" in page.inner_text("#calendar-banner")

        # when the notice is loaded, the marks and the banner go
        load_2027()
        page.goto(f"{live_server.url}/cases/{case.number}/")
        assert "暂定" not in page.inner_text("main")
        assert page.locator("#calendar-banner").count() == 0
