"""The dispatcher's morning: the triage queue says a request to reopen is waiting; she reads it
and refuses it with a reason, in a browser at 1366×768."""

import os

import pytest

from conftest import browser_log_in
from jiefen.cases.services import PartyInput, case_register, case_transition
from jiefen.channels.tests.dbfix import tolerant_serialized_rollback  # noqa: F401
from jiefen.portal.models import ReopenRequest
from jiefen.portal.services import portal_reopen_request

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_dispatcher_refuses_a_request_to_reopen_from_the_queue(
    new_browser_page, live_server, anji, dispatcher, staff_factory
):
    # given: a resolved case whose applicant asked to reopen it
    case = case_register(
        channel="walk_in",
        region=anji.village.code,
        description="楼上装修噪音，夜间施工",
        category="neighbour",
        parties=[PartyInput(role="applicant", name="王小明", phone="13812345678")],
    ).case
    handler = staff_factory(case.lead_organization, ["handler"])
    for action in ("accept", "start"):
        case_transition(case=case.number, actor=handler, action=action)
    case = case_transition(case=case.number, actor=handler, action="resolve", reason="约定晚十点后停工")
    portal_reopen_request(case=case, reason="对方晚上仍在施工")
    page = new_browser_page(viewport={"width": 1366, "height": 768})
    browser_log_in(page, live_server.url, "dispatcher")
    # when she opens her triage queue, follows the reminder and refuses with a reason
    page.goto(f"{live_server.url}/triage/queue/")
    page.click("#reopen-waiting-banner a")
    page.wait_for_selector("#reopen-waiting")
    assert "对方晚上仍在施工" in page.inner_text("#reopen-waiting")
    row = page.locator(f"#reopen-waiting [data-request='{ReopenRequest.objects.get().pk}']")
    assert row.locator("button[value=refuse]").is_visible()
    row.locator("textarea[name=reason]").fill("经现场核实已停止夜间施工")
    row.locator("button[value=refuse]").click()
    page.wait_for_selector("#reopen-decided")
    # then the request is decided, the queue is empty and the banner gone
    assert "经现场核实已停止夜间施工" in page.inner_text("#reopen-decided")
    assert page.locator("#reopen-waiting [data-request]").count() == 0
    req = ReopenRequest.objects.get()
    assert (req.handled, req.decision) == (True, "refused")
    page.goto(f"{live_server.url}/triage/queue/")
    assert page.locator("#reopen-waiting-banner").count() == 0
