"""A whole online mediation in a real browser: the mediator on a desktop, two parties on
phone-sized screens (390×844) — invitation by SMS, joining with a one-time code, messages that
appear without reloading, evidence, terms, both confirmations, the final agreement."""

import os
import re

import pytest

from conftest import browser_log_in
from jiefen.channels.tests.dbfix import tolerant_serialized_rollback  # noqa: F401
from jiefen.directory.models import Organization
from jiefen.mediation_room import selectors
from jiefen.mediation_room.models import TermsVersion
from jiefen.mediation_room.tests.conftest import (
    APPLICANT_PHONE,
    JPEG,
    PDF,
    RESPONDENT_PHONE,
    last_code,
    texts_to,
)
from jiefen.procedures.models import Procedure

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Mobile) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36"
)
TERMS = "一、李四于2026年6月30日前停止夜间施工。\n二、李四赔偿王小明人民币五百元。"


def join_room(page, link: str, phone: str) -> None:
    page.goto(link)
    page.fill("#id_phone", phone)
    page.click("#join-form button[type=submit]")
    page.wait_for_selector("#code-form")
    page.fill("#id_code", last_code(phone))
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#post-form")


def mark(page) -> None:
    """A flag that only survives while the page is not reloaded."""
    page.evaluate("window.__noReload = true")


def not_reloaded(page) -> bool:
    return page.evaluate("window.__noReload === true")


def confirm_on_phone(page, phone: str) -> None:
    page.click("#confirm-code-form button[type=submit]")
    page.wait_for_selector("#confirm-form")
    page.fill("#id_confirm_code", last_code(phone))
    page.click("#confirm-form button[type=submit]")


def test_a_whole_online_mediation_with_two_parties_on_phones(
    new_browser_page, live_server, procedure, parties, mediator, tmp_path
):
    # given: the mediator on a desktop, each party on a phone
    desk = new_browser_page(viewport={"width": 1280, "height": 900})
    phone_a = new_browser_page(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, user_agent=PHONE_UA
    )
    phone_b = new_browser_page(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, user_agent=PHONE_UA
    )
    case = procedure.case
    browser_log_in(desk, live_server.url, "mediator")
    desk.goto(f"{live_server.url}/cases/{case.number}/")
    desk.click(f"#room-link-{procedure.pk}")
    desk.wait_for_selector("#schedule-session")
    # when: a session is scheduled and the parties are invited by SMS
    desk.fill("#session-starts_at", "2026-06-16T14:30")
    desk.select_option("#session-mode", "online")
    desk.fill("#session-link", "https://meeting.example.org/j/8866")
    desk.click("button[name=schedule]")
    desk.wait_for_selector("#session-list [data-mode=online]")
    desk.click("#invite-parties")
    desk.wait_for_selector(".msg-success")
    invitation = texts_to(APPLICANT_PHONE)[-1]
    link = re.search(r"(https?://\S+)", invitation).group(1)
    assert case.number in invitation and "2026-06-16 14:30" in invitation
    assert link == re.search(r"(https?://\S+)", texts_to(RESPONDENT_PHONE)[-1]).group(1)
    # both parties join on their phones with a code sent to their own phone
    join_room(phone_a, link, APPLICANT_PHONE)
    join_room(phone_b, link, RESPONDENT_PHONE)
    assert "王小明" in phone_a.inner_text("main") and "李四" in phone_b.inner_text("main")
    assert phone_a.get_attribute(".meeting-link", "href") == "https://meeting.example.org/j/8866"
    # the mediator writes: the message appears on both phones without reloading
    for p in (phone_a, phone_b):
        mark(p)
    desk.fill("#id_text", "请双方各自陈述诉求，并上传相关证据。")
    desk.click("button[name=send]")
    for p in (phone_a, phone_b):
        p.wait_for_selector("#message-list .from-mediator:has-text('请双方各自陈述诉求')", timeout=15000)
        assert not_reloaded(p)
    # the applicant sends evidence: a photo, and a "photo" that is really a PDF is refused
    mark(desk)
    mark(phone_b)
    phone_a.fill("#id_text", "这是夜间施工的照片")
    phone_a.set_input_files(
        "#id_file", files=[{"name": "噪音.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
    )
    phone_a.click("#post-form button[type=submit]")
    phone_a.wait_for_selector("#message-list .from-me a.evidence:has-text('噪音.jpg')")
    phone_a.set_input_files("#id_file", files=[{"name": "合同.jpg", "mimeType": "image/jpeg", "buffer": PDF}])
    phone_a.click("#post-form button[type=submit]")
    phone_a.wait_for_selector("#room-error")
    assert "合同.jpg" in phone_a.inner_text("#room-error")
    desk.wait_for_selector("#message-list a.evidence:has-text('噪音.jpg')", timeout=15000)
    phone_b.wait_for_selector("#message-list a.evidence:has-text('噪音.jpg')", timeout=15000)
    assert not_reloaded(desk) and not_reloaded(phone_b)
    evidence = desk.request.get(live_server.url + desk.get_attribute("#message-list a.evidence", "href"))
    assert evidence.status == 200 and evidence.body() == JPEG
    # the respondent answers from the phone; the mediator sees it without reloading
    phone_b.fill("#id_text", "同意停止夜间施工，赔偿金额可以商量。")
    phone_b.click("#post-form button[type=submit]")
    desk.wait_for_selector("#message-list .from-party:has-text('同意停止夜间施工')", timeout=15000)
    assert not_reloaded(desk)
    # the mediator puts terms to the parties
    desk.reload()
    desk.click("#propose-terms > summary")
    desk.fill("#terms-text", TERMS)
    desk.click("button[name=propose]")
    desk.wait_for_selector("#terms-box[data-number='1']")
    # the phones show the terms without reloading
    for p in (phone_a, phone_b):
        mark(p)
    for p in (phone_a, phone_b):
        p.wait_for_selector("#terms-box[data-number='1'] #confirm-code-form", timeout=15000)
        assert not_reloaded(p) and "赔偿王小明人民币五百元" in p.inner_text("#terms-box")
    # each party confirms the exact text with a code sent to their own phone
    confirm_on_phone(phone_a, APPLICANT_PHONE)
    phone_a.wait_for_selector("#i-confirmed")
    phone_a.screenshot(path=str(tmp_path / "applicant.png"), full_page=True)
    confirm_on_phone(phone_b, RESPONDENT_PHONE)
    phone_b.wait_for_selector("#terms-final")
    phone_b.screenshot(path=str(tmp_path / "respondent.png"), full_page=True)
    # then: the agreement is final, with the confirmation record on the mediator's page
    desk.reload()
    desk.wait_for_selector("#terms-final")
    desk.screenshot(path=str(tmp_path / "mediator.png"), full_page=True)
    rows = desk.locator("#confirmation-record tbody tr")
    assert rows.count() == 2 and "✓" in rows.nth(0).inner_text() and "✓" in rows.nth(1).inner_text()
    terms = TermsVersion.objects.get(procedure=procedure)
    assert terms.final_at is not None and terms.text == TERMS
    records = selectors.confirmations_for(procedure)
    assert [r.party_name for r in records] == ["王小明", "李四"]
    assert [(r.hash_matches, r.ip) for r in records] == [(True, "127.0.0.1")] * 2, records
    assert [r.user_agent for r in records] == [PHONE_UA, PHONE_UA]
    # the phones are phone-sized: nothing wider than the screen
    for p in (phone_a, phone_b):
        assert p.evaluate("document.documentElement.scrollWidth") <= 390
    assert all((tmp_path / f).stat().st_size > 0 for f in ("applicant.png", "respondent.png", "mediator.png"))
    # and the mediator records the confirmed terms as the agreement and applies to the court
    # for judicial confirmation (人民调解法 第33条), choosing the court
    desk.goto(f"{live_server.url}/cases/{case.number}/")
    desk.click(f"#act-{procedure.pk}-record_agreement > summary")
    desk.fill("#record_agreement-terms", TERMS)
    desk.click("button[name=submit-record_agreement]")
    desk.wait_for_selector("#agreement-pdf")
    desk.click("#start-procedure > summary")
    desk.select_option("#start-kind", "judicial_confirmation")
    desk.click("button[name=start]")
    desk.wait_for_selector("article.procedure[data-kind=judicial_confirmation]")
    jc = Procedure.objects.get(case=case, kind="judicial_confirmation")
    court = Organization.objects.get(region=case.county, kind="court")
    desk.click(f"#act-{jc.pk}-file_application > summary")
    desk.select_option("#file_application-court_id", str(court.pk))
    desk.click("button[name=submit-file_application]")
    desk.wait_for_selector(f"#court-{jc.pk} [data-field=court]")
    assert court.name in desk.inner_text(f"#court-{jc.pk}")
    jc.refresh_from_db()
    assert jc.data["court_id"] == court.pk
    # the application for the court and the agreement are among the case's documents
    docs = {a.get_attribute("data-doc") for a in desk.locator("#documents a[data-doc]").all()}
    assert {"agreement.pdf", "confirmation-application.pdf", "file.pdf"} <= docs, docs
