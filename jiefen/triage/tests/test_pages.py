"""Intake proposals (htmx), the dispatcher's queue, and bad input on every triage entry point."""

import pytest

from jiefen.directory.services import api_token_create
from jiefen.triage import classifier
from jiefen.triage.models import CaseTriage
from jiefen.triage.tests.helpers import register

pytestmark = pytest.mark.django_db


def _form(anji, text, **kw):
    data = {
        "county": anji.county.code,
        "town": anji.town.code,
        "village": anji.village.code,
        "channel": "walk_in",
        "description": text,
        "category": "",
        "parties-0-name": "王小明",
        "parties-0-phone": "13812345678",
        "parties-1-name": "",
    }
    data.update(kw)
    return data


def test_propose_shows_category_risk_related_and_owner(client, anji, dispatcher):
    earlier = register(anji, dispatcher, phone="13812345678")
    client.force_login(dispatcher)
    # when
    resp = client.post("/triage/propose/", _form(anji, "公司拖欠三十多名工人工资，工人说要跳楼"))
    # then
    html = resp.content.decode()
    assert resp.status_code == 200
    for block in ("proposal-category", "proposal-risk", "proposal-related", "proposal-owner"):
        assert block in html
    assert 'data-set-category="labour"' in html
    assert "risk-red" in html
    assert earlier.case.number in html
    assert "司法所" in html or "人力资源" in html or "中心" in html


def test_register_page_has_the_live_panel(client, dispatcher):
    client.force_login(dispatcher)
    html = client.get("/cases/new/").content.decode()
    assert 'hx-post="/triage/propose/"' in html and "triage/intake.js" in html


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "猪",
        "字" * 100_000,
        "😀🔥💥" * 20,
        "<b>打人</b><script>x()</script>",
        "'; DROP TABLE cases_case; --",
        "mixed 中文 English 繁體字 123",
    ],
)
def test_propose_bad_input_never_fails(client, anji, dispatcher, text):
    client.force_login(dispatcher)
    resp = client.post("/triage/propose/", _form(anji, text))
    assert resp.status_code == 200
    assert "<script>x()" not in resp.content.decode()


def test_propose_without_region_asks_for_it(client, anji, dispatcher):
    client.force_login(dispatcher)
    resp = client.post("/triage/propose/", _form(anji, "漏水", county="", town="", village=""))
    assert "proposal-no-region" in resp.content.decode()


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("", 422),
        ("   ", 422),
        ("猪", 200),
        ("字" * 100_000, 200),
        ("字" * 100_001, 422),
        ("😀" * 10, 200),
        ("<p>邻居吵架</p>", 200),
        ("1; SELECT * FROM cases_case", 200),
    ],
)
def test_propose_api_bad_input(client, anji, dispatcher, text, status):
    token = api_token_create(staff=dispatcher)
    resp = client.post(
        "/api/v1/triage/propose",
        {"text": text, "region_code": anji.village.code},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert resp.status_code == status, resp.content[:300]
    if status == 422:
        assert resp.json()["error"] == "validation_failed"
    else:
        assert {"category", "risk", "related", "routing", "proposal"} <= set(resp.json())


def test_propose_api_refuses_unknown_region(client, anji, dispatcher):
    token = api_token_create(staff=dispatcher)
    resp = client.post(
        "/api/v1/triage/propose",
        {"text": "漏水", "region_code": "999999999999"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert resp.status_code == 422


def test_queue_lists_uncertain_cases_and_confirming_clears_them(client, anji, dispatcher, monkeypatch):
    unsure = classifier.Result(category="other", confidence=0.1, top=[("other", 0.1)], keywords=[])
    monkeypatch.setattr(classifier, "classify", lambda text, **kw: unsure)
    reg = register(anji, dispatcher, text="说不清楚的事", category=None)
    client.force_login(dispatcher)
    # when
    html = client.get("/triage/queue/").content.decode()
    # then
    assert reg.case.number in html
    resp = client.post(
        f"/triage/cases/{reg.case.number}/confirm/", {"category": "neighbour", "version": reg.case.version}
    )
    assert resp.status_code == 302
    t = CaseTriage.objects.get(case=reg.case)
    assert t.confirmed_category == "neighbour" and not t.needs_review
    reg.case.refresh_from_db()
    assert reg.case.lead_organization.kind == "village_committee"
    table = client.get("/triage/queue/").content.decode().split('id="triage-queue"')[1]
    assert reg.case.number not in table


def test_queue_is_for_dispatchers(client, anji, staff_factory):
    clerk = staff_factory(anji.org("county_centre"), ["clerk"])
    client.force_login(clerk)
    assert client.get("/triage/queue/").status_code == 404


def test_confirm_with_bad_category_is_a_message(client, anji, dispatcher):
    reg = register(anji, dispatcher)
    client.force_login(dispatcher)
    resp = client.post(f"/triage/cases/{reg.case.number}/confirm/", {"category": "<script>"}, follow=True)
    assert resp.status_code == 200
    assert "msg-error" in resp.content.decode()


def test_case_page_shows_risk_and_related(client, anji, dispatcher):
    a = register(anji, dispatcher, phone="13812345678", text="再不给钱就跳楼")
    b = register(anji, dispatcher, phone="13812345678")
    client.force_login(dispatcher)
    html = client.get(f"/cases/{a.case.number}/").content.decode()
    assert "risk-red" in html and b.case.number in html
