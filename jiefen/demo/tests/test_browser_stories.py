"""The centre's stories played in a real browser with the demo's accounts only: the database is
prepared by `jiefen demo`'s own seeding (without synthetic cases) and every step is done by the
demo account whose job it is, logged in with the demo password."""

from __future__ import annotations

import json
import os

import pytest

from jiefen.cases.models import Case, CaseEvent

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo(settings, tmp_path):
    """The demo as `jiefen demo --cases 0` leaves it: county, organisations, accounts, grids."""
    from jiefen.demo.services import _featured, demo_prepare

    settings.DATA_DIR = tmp_path
    report = demo_prepare(cases=0)
    town, village = _featured(report.county)
    password = json.loads((tmp_path / "demo-accounts.json").read_text())["password"]
    return {"password": password, "town": town, "village": village}


def log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base_url}/cases/")


def register_on_screen(
    page, base_url: str, demo, *, channel, applicant, respondent, category, description
) -> Case:
    """The window's registration screen filled in for the featured village; the case made."""
    page.goto(f"{base_url}/cases/new/")
    page.select_option("#id_channel", channel)
    page.select_option("#id_town", demo["town"].code)
    page.wait_for_selector(f"#id_village option[value='{demo['village'].code}']", state="attached")
    page.select_option("#id_village", demo["village"].code)
    page.fill("#id_parties-0-name", applicant[0])
    page.fill("#id_parties-0-phone", applicant[1])
    page.fill("#id_parties-1-name", respondent)
    page.select_option("#id_category", category)
    page.fill("#id_description", description)
    page.click("button[name=register]")
    page.wait_for_selector("#case-number")
    return Case.objects.get(number=page.inner_text("#case-number"))


def log_out(page) -> None:
    page.click("form[action$='/logout/'] button")


def test_a_hotline_threat_is_taken_in_charge_by_a_leader(new_browser_page, live_server, demo):
    page = new_browser_page(viewport={"width": 1366, "height": 900})
    # the window clerk takes down what the 12345 hotline passed on: a threat to jump
    log_in(page, live_server.url, "clerk", demo["password"])
    case = register_on_screen(
        page,
        live_server.url,
        demo,
        channel="hotline_12345",
        applicant=("陈卫东", "13912345678"),
        respondent="某建筑公司",
        category="labour",
        description="来电称工地拖欠工资半年，今晚不给钱就从塔吊上跳下去，情绪激动",
    )
    number = case.number
    assert case.channel == "hotline_12345"
    assert case.triage.risk_level == "red"
    log_out(page)
    # the centre's director sees it and takes it in charge (包案)
    log_in(page, live_server.url, "leader", demo["password"])
    page.goto(f"{live_server.url}/cases/{number}/")
    page.click("#leaders button[type=submit]")
    page.wait_for_selector("#leaders strong")
    # then the case names its leader, and the timeline says so
    assert "朱国强" in page.inner_text("#leaders")
    assert CaseEvent.objects.filter(case=case, kind="leader_took_charge").exists()


def test_a_group_wage_case_at_the_window_reaches_labour_arbitration(new_browser_page, live_server, demo):
    from jiefen.directory.models import Organization

    page = new_browser_page(viewport={"width": 1366, "height": 900})
    # the window clerk registers twenty-three workers' unpaid wages, told by their spokesman
    log_in(page, live_server.url, "clerk", demo["password"])
    case = register_on_screen(
        page,
        live_server.url,
        demo,
        channel="walk_in",
        applicant=("刘建军", "13712345678"),
        respondent="安吉某建设工程有限公司",
        category="labour",
        description="某工地拖欠二十三名农民工工资共计约四十万元，包工头失联，工人集体来访要求结清",
    )
    number = case.number
    assert any(r.get("code") == "group_dispute" for r in case.triage.risk_reasons), case.triage.risk_reasons
    log_out(page)
    # the dispatcher sends it to the labour dispute arbitration commission
    labour = Organization.objects.get(staff__username="labour")
    log_in(page, live_server.url, "dispatcher", demo["password"])
    page.goto(f"{live_server.url}/cases/{number}/")
    page.select_option("#action-route select[name=organization]", str(labour.pk))
    if page.locator("#action-route textarea[name=reason]").count():
        page.fill("#action-route textarea[name=reason]", "群体性欠薪，由劳动人事争议仲裁院承办")
    page.click("#action-route button[type=submit]")
    page.wait_for_load_state("networkidle")
    case.refresh_from_db()
    assert case.lead_organization == labour
    log_out(page)
    # and the arbitrator accepts it
    log_in(page, live_server.url, "labour", demo["password"])
    page.goto(f"{live_server.url}/cases/{number}/")
    page.click("#action-accept button[type=submit]")
    page.wait_for_load_state("networkidle")
    case.refresh_from_db()
    assert case.status == "accepted"
    assert "蒋红梅" in "".join(
        CaseEvent.objects.filter(case=case).values_list("actor__display_name", flat=True)
    )


def test_a_water_leak_settled_in_the_village_is_confirmed_by_the_court(new_browser_page, live_server, demo):
    from django.utils import timezone

    from jiefen.procedures.models import Procedure

    page = new_browser_page(viewport={"width": 1366, "height": 900})
    now = timezone.localtime()
    # the clerk registers the neighbours' water leak; the rules send it to the village committee
    log_in(page, live_server.url, "clerk", demo["password"])
    case = register_on_screen(
        page,
        live_server.url,
        demo,
        channel="walk_in",
        applicant=("王秀兰", "13612345678"),
        respondent="赵明",
        category="neighbour",
        description="楼上卫生间漏水，楼下天花板发霉，多次协商未果",
    )
    number = case.number
    assert case.lead_organization.kind == "village_committee"
    log_out(page)
    # the village mediator accepts it, mediates and records the agreement
    log_in(page, live_server.url, "mediator", demo["password"])
    page.goto(f"{live_server.url}/cases/{number}/")
    page.click("#action-accept button[type=submit]")
    page.wait_for_selector("#start-procedure")
    page.click("#start-procedure > summary")
    page.select_option("#start-kind", "people_mediation")
    page.click("button[name=start]")
    page.wait_for_selector("article.procedure[data-kind=people_mediation]")
    pm = Procedure.objects.get(case=case, kind="people_mediation")
    page.click(f"#act-{pm.pk}-record_session > summary")
    page.fill("#record_session-held_at", now.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#record_session-place", "村调解室")
    page.fill("#record_session-participants", "王秀兰、赵明")
    page.click("button[name=submit-record_session]")
    page.wait_for_selector(f"#procedure-{pm.pk} details summary:has-text('(1)')")
    page.click(f"#act-{pm.pk}-record_agreement > summary")
    page.fill("#record_agreement-terms", "赵明修复卫生间防水\n赵明赔偿王秀兰天花板修缮费一千二百元")
    page.click("button[name=submit-record_agreement]")
    page.wait_for_selector("#agreement-pdf")
    # the parties apply for judicial confirmation
    page.click("#start-procedure > summary")
    page.select_option("#start-kind", "judicial_confirmation")
    page.click("button[name=start]")
    page.wait_for_selector("article.procedure[data-kind=judicial_confirmation]")
    jc = Procedure.objects.get(case=case, kind="judicial_confirmation")
    page.click(f"#act-{jc.pk}-file_application > summary")
    page.click("button[name=submit-file_application]")
    page.wait_for_load_state("load")
    log_out(page)
    # the court accepts the application and confirms the agreement
    log_in(page, live_server.url, "court", demo["password"])
    page.goto(f"{live_server.url}/cases/{number}/")
    page.click(f"#act-{jc.pk}-court_accept > summary")
    page.click("button[name=submit-court_accept]")
    page.wait_for_load_state("load")
    page.click(f"#act-{jc.pk}-confirm > summary")
    page.fill("#confirm-ruling_no", f"({now.year})浙0523民特8号")
    page.click("button[name=submit-confirm]")
    page.wait_for_selector(f"#procedure-{jc.pk} [data-outcome=confirmed]")
    # then
    jc.refresh_from_db()
    assert jc.outcome == "confirmed"
    assert page.inner_text("#case-status") == "已化解"


def act(page, procedure_id: int, code: str, **fields: str) -> None:
    """Open a procedure's action, fill its fields and submit it."""
    page.click(f"#act-{procedure_id}-{code} > summary")
    for name, value in fields.items():
        page.fill(f"#{code}-{name}", value)
    page.click(f"button[name=submit-{code}]")
    page.wait_for_load_state("load")


def test_a_land_petition_goes_through_review_and_recheck(new_browser_page, live_server, demo):
    """信访工作条例 第35、36条: the town answers, the county petition bureau (the body above)
    reviews (复查), the county centre re-checks (复核); the demands rejected, the matter is ended
    (办结), not resolved."""
    from jiefen.directory.models import Organization
    from jiefen.procedures.models import PetitionEnded, Procedure

    page = new_browser_page(viewport={"width": 1366, "height": 900})
    # the petition bureau registers a villager's letter about his contracted land
    log_in(page, live_server.url, "petition", demo["password"])
    case = register_on_screen(
        page,
        live_server.url,
        demo,
        channel="petition",
        applicant=("沈德福", "13512345678"),
        respondent="村经济合作社",
        category="property_land",
        description="承包地被村里收回另行发包，要求恢复承包经营权并补偿损失",
    )
    number = case.number
    log_out(page)
    # the dispatcher gives it to the town's centre, whose handler accepts it
    town_centre = Organization.objects.get(staff__username="town_handler")
    log_in(page, live_server.url, "dispatcher", demo["password"])
    page.goto(f"{live_server.url}/cases/{number}/")
    page.select_option("#action-route select[name=organization]", str(town_centre.pk))
    if page.locator("#action-route textarea[name=reason]").count():
        page.fill("#action-route textarea[name=reason]", "属地办理")
    page.click("#action-route button[type=submit]")
    page.wait_for_load_state("load")
    log_out(page)
    log_in(page, live_server.url, "town_handler", demo["password"])
    page.goto(f"{live_server.url}/cases/{number}/")
    page.click("#action-accept button[type=submit]")
    # it handles the petition and answers in writing, rejecting the demands
    page.wait_for_selector("#start-procedure")
    page.click("#start-procedure > summary")
    page.select_option("#start-kind", "petition")
    page.click("button[name=start]")
    page.wait_for_selector("article.procedure[data-kind=petition]")
    petition = Procedure.objects.get(case=case, kind="petition")
    act(page, petition.pk, "accept")
    page.click(f"#act-{petition.pk}-reply > summary")
    page.fill("#reply-result", "经核查，收回发包程序合法，不支持恢复承包经营权的请求")
    page.select_option("#reply-demands", "rejected")
    page.click("button[name=submit-reply]")
    page.wait_for_load_state("load")
    act(page, petition.pk, "request_review")
    log_out(page)
    # the review (复查) is issued by the county petition bureau, the body above the town
    log_in(page, live_server.url, "petition", demo["password"])
    page.goto(f"{live_server.url}/cases/{number}/")
    page.click(f"#act-{petition.pk}-record_review_opinion > summary")
    page.fill("#record_review_opinion-result", "维持原处理意见")
    if page.locator("#record_review_opinion-demands").count():
        page.select_option("#record_review_opinion-demands", "rejected")
    page.click("button[name=submit-record_review_opinion]")
    page.wait_for_load_state("load")
    log_out(page)
    log_in(page, live_server.url, "town_handler", demo["password"])
    page.goto(f"{live_server.url}/cases/{number}/")
    act(page, petition.pk, "request_recheck")
    log_out(page)
    # and the re-check (复核) by the county centre ends the matter
    log_in(page, live_server.url, "leader", demo["password"])
    page.goto(f"{live_server.url}/cases/{number}/")
    page.click(f"#act-{petition.pk}-record_recheck_opinion > summary")
    page.fill("#record_recheck_opinion-result", "复核维持复查意见，信访事项终结")
    page.select_option("#record_recheck_opinion-demands", "rejected")
    page.click("button[name=submit-record_recheck_opinion]")
    page.wait_for_load_state("load")
    # then
    petition.refresh_from_db()
    assert petition.outcome == "ended_after_recheck", page.inner_text("main")[:300]
    assert PetitionEnded.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert (case.status, case.resolved_level) == ("closed", "")  # 办结, not 已化解
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert "procedure_started" in kinds and "conclude" in kinds
