"""End to end in a real browser: a people's-mediation case to a court-confirmed agreement."""

import os
from datetime import datetime

import pytest
import time_machine

from jiefen.procedures.models import Procedure
from jiefen.procedures.tests.conftest import TZ

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body (fixtures, assertions) are still synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def page(new_browser_page):
    return new_browser_page(viewport={"width": 1280, "height": 900})


def open_action(page, proc_id: int, code: str):
    page.click(f"#act-{proc_id}-{code} > summary")


def test_people_mediation_to_a_confirmed_agreement(page, live_server, accepted_case, mediator, tmp_path):
    with time_machine.travel(datetime(2026, 9, 1, 9, 0, tzinfo=TZ), tick=True):
        # given
        case = accepted_case()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "mediator")
        page.fill("#id_password", "pw-123456789")
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{live_server.url}/cases/")
        page.goto(f"{live_server.url}/cases/{case.number}/")
        # when: start people's mediation
        page.click("#start-procedure > summary")
        page.select_option("#start-kind", "people_mediation")
        page.click("button[name=start]")
        page.wait_for_selector("article.procedure[data-kind=people_mediation]")
        pm = Procedure.objects.get(kind="people_mediation")
        assert "2026-10-08" in page.inner_text(f"#procedure-{pm.pk}")
        # a session, then the agreement
        open_action(page, pm.pk, "record_session")
        page.fill("#record_session-held_at", "2026-09-01T10:00")
        page.fill("#record_session-place", "横溪坞村调解室")
        page.fill("#record_session-participants", "王小明、李四")
        page.click("button[name=submit-record_session]")
        page.wait_for_selector(f"#procedure-{pm.pk} details summary:has-text('(1)')")
        open_action(page, pm.pk, "record_agreement")
        page.fill("#record_agreement-terms", "李四停止夜间施工\n李四赔偿王小明五百元")
        page.click("button[name=submit-record_agreement]")
        page.wait_for_selector("#agreement-pdf")
        # judicial confirmation: application, acceptance, ruling
        page.click("#start-procedure > summary")
        page.select_option("#start-kind", "judicial_confirmation")
        page.click("button[name=start]")
        page.wait_for_selector("article.procedure[data-kind=judicial_confirmation]")
        jc = Procedure.objects.get(kind="judicial_confirmation")
        for code in ("file_application", "court_accept"):
            open_action(page, jc.pk, code)
            page.click(f"button[name=submit-{code}]")
            page.wait_for_load_state("load")
        open_action(page, jc.pk, "confirm")
        page.fill("#confirm-ruling_no", "(2026)浙0523民特12号")
        page.click("button[name=submit-confirm]")
        page.wait_for_selector(f"#procedure-{jc.pk} [data-outcome=confirmed]")
        page.screenshot(path=str(tmp_path / "confirmed.png"), full_page=True)
        # then
        jc.refresh_from_db()
        assert (jc.outcome, jc.data["ruling_no"]) == ("confirmed", "(2026)浙0523民特12号")
        assert page.inner_text("#case-status") == "已化解"
        pdf = page.request.get(live_server.url + page.get_attribute("#agreement-pdf", "href"))
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
        assert (tmp_path / "confirmed.png").stat().st_size > 0
