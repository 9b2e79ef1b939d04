"""A case ends with a result: what was agreed or decided. Without one it is neither resolved nor
closed; the petition's answers, 复查 and 复核 opinions and court rulings show on the case page;
a petition whose demands the 复核 rejected is ended (办结), not resolved (已化解), in every figure."""

import pytest
from django.test import Client

from jiefen.cases.models import Case
from jiefen.cases.services import PartyInput, case_register, case_transition
from jiefen.dashboard.selectors import stats_overview
from jiefen.procedures.tests.conftest import at

pytestmark = pytest.mark.django_db


def post(client, url, body, auth, lang="zh-hans"):
    return client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang, **auth)


def test_a_mediator_cannot_resolve_or_close_without_saying_what_was_agreed(
    client, travel, accepted_case, mediator, token
):
    # given: the neighbours' noise case is being handled in the village
    travel(at(2026, 9, 1))
    case = accepted_case()
    auth = token(mediator)
    post(client, f"/api/v1/cases/{case.number}/actions", {"action": "start"}, auth)
    # when the mediator records it resolved with no result
    bare = post(client, f"/api/v1/cases/{case.number}/actions", {"action": "resolve"}, auth)
    bare_en = post(
        client, f"/api/v1/cases/{case.number}/actions", {"action": "resolve", "reason": " "}, auth, "en"
    )
    # then it is refused with a stable code, in the caller's language, and nothing changes
    assert bare.status_code == 422 and bare.json()["error"] == "result_required"
    assert "结果" in bare.json()["message"]
    assert bare_en.json()["message"] == "Record the result: what was agreed or decided."
    assert Case.objects.get(pk=case.pk).status == "in_progress"
    # when the result is given, then the case is closed without repeating it
    done = post(
        client,
        f"/api/v1/cases/{case.number}/actions",
        {"action": "resolve", "reason": "双方约定晚十点后停止施工"},
        auth,
    )
    closed = post(client, f"/api/v1/cases/{case.number}/actions", {"action": "close"}, auth)
    # then the result is the case's, in the API and carried by the close
    assert done.status_code == 200 and closed.status_code == 200, closed.content
    detail = client.get(f"/api/v1/cases/{case.number}", **auth).json()
    assert detail["status"] == "closed" and detail["resolved"] is True
    assert detail["result"] == "双方约定晚十点后停止施工"
    assert [e["reason"] for e in detail["events"] if e["kind"] == "close"] == ["双方约定晚十点后停止施工"]


def test_a_case_back_from_arbitration_needs_the_award_to_be_closed(
    client, travel, accepted_case, mediator, token
):
    # given: the case went to labour arbitration
    travel(at(2026, 9, 1))
    case = accepted_case(description="拖欠工资三个月共计两万元", category="labour")
    case_transition(
        case=case.number, actor=mediator, action="transfer", reason="调解不成", statutory_route="arbitration"
    )
    auth = token(mediator)
    # when it is closed with no result, then with the award
    bare = post(client, f"/api/v1/cases/{case.number}/actions", {"action": "close"}, auth)
    ok = post(
        client,
        f"/api/v1/cases/{case.number}/actions",
        {"action": "close", "reason": "仲裁裁决支付工资两万元"},
        auth,
    )
    # then
    assert bare.status_code == 422 and bare.json()["error"] == "result_required"
    assert ok.status_code == 200
    assert client.get(f"/api/v1/cases/{case.number}", **auth).json()["result"] == "仲裁裁决支付工资两万元"


def test_a_land_petition_rejected_at_recheck_is_ended_not_resolved_and_its_answers_show(
    client, travel, anji, staff_factory, token, dispatcher
):
    # given: a villager's petition about land compensation, answered by the town, reviewed by
    # the county petition bureau and re-checked by the county centre (信访工作条例 第35、36条)
    travel(at(2026, 3, 2))
    town_centre = anji.org("town_centre", anji.town)
    handler = staff_factory(town_centre, ["handler"], username="xinfang")
    bureau = staff_factory(anji.org("petition_bureau"), ["handler"], username="xfj")
    county = staff_factory(anji.org("county_centre"), ["handler", "dispatcher"], username="xfzx")
    case = case_register(
        channel="petition",
        region=anji.village.code,
        description="要求增加土地征收补偿款",
        category="expropriation",
        parties=[PartyInput(role="applicant", name="赵六", id_number="330523198001010011")],
    ).case
    case_transition(case=case.number, actor=county, action="route", organization=town_centre)
    case_transition(case=case.number, actor=handler, action="accept")
    auth = token(handler)
    proc = post(client, f"/api/v1/cases/{case.number}/procedures", {"kind": "petition"}, auth).json()
    url = f"/api/v1/procedures/{proc['id']}/actions"
    # when the bodies answer, review and re-check, each time rejecting the demands
    steps = [
        ({"action": "accept"}, auth),
        ({"action": "reply", "result": "补偿标准符合规定，不予增加", "demands": "rejected"}, auth),
        ({"action": "request_review"}, auth),
        (
            {"action": "record_review_opinion", "result": "复查维持原答复意见", "demands": "rejected"},
            token(bureau),
        ),
        ({"action": "request_recheck"}, auth),
    ]
    for body, who in steps:
        resp = post(client, url, body, who)
        assert resp.status_code == 200, resp.content
    auth = token(county)
    no_demands = post(client, url, {"action": "record_recheck_opinion", "result": "复核维持"}, auth)
    ended = post(
        client,
        url,
        {
            "action": "record_recheck_opinion",
            "result": "复核维持复查意见，信访事项办结",
            "demands": "rejected",
        },
        auth,
    )
    # then the 复核 must say what it decided of the demands, and then the matter is ended
    assert no_demands.status_code == 422
    assert ended.status_code == 200, ended.content
    detail = client.get(f"/api/v1/cases/{case.number}", **auth).json()
    assert (detail["status"], detail["resolved"], detail["resolved_level"]) == ("closed", False, "")
    assert detail["result"] == "复核维持复查意见，信访事项办结"
    assert "conclude" in [e["kind"] for e in detail["events"]]
    # and no figure counts it as resolved
    ov = stats_overview(viewer=dispatcher)
    assert (ov["received"], ov["resolved"], ov["in_progress"]) == (1, 0, 0)
    assert sum(ov["by_level"].values()) == 0
    from datetime import date

    from jiefen.dashboard.reports import monthly_report

    report = monthly_report(
        viewer=dispatcher, region_code=None, first=date(2026, 3, 1), last=date(2026, 3, 31)
    )
    assert [row[1] for row in report["summary"][:3]] == [1, 0, 0]  # received, resolved, in progress
    # and the case page shows the reply and the two opinions with what they said
    staff = Client()
    staff.force_login(handler)
    html = staff.get(f"/cases/{case.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for text in ("补偿标准符合规定，不予增加", "复查维持原答复意见", "复核维持复查意见，信访事项办结"):
        assert text in html
    assert html.count('data-demands="rejected"') == 3
    assert (
        'id="case-ended"' in html and "复核维持复查意见，信访事项办结" in html.split('id="case-result">')[1]
    )


def test_a_court_ruling_shows_on_the_case_page(client, travel, anji, accepted_case, staff_factory, token):
    # given: litigation tracked to judgment by the county centre (a village committee does not
    # litigate: the procedure kinds offered fit the organisation)
    travel(at(2026, 9, 1))
    case = accepted_case(description="借款五万元到期不还", category="debt_contract")
    mediator = staff_factory(anji.org("county_centre"), ["handler", "dispatcher"], username="centre")
    auth = token(mediator)
    proc = post(client, f"/api/v1/cases/{case.number}/procedures", {"kind": "litigation"}, auth).json()
    url = f"/api/v1/procedures/{proc['id']}/actions"
    # when
    for body in (
        {"action": "record_filing", "court_case_no": "(2026)浙0523民初1234号"},
        {"action": "record_hearing"},
        {"action": "record_judgment", "result": "判决被告归还借款五万元及利息"},
    ):
        assert post(client, url, body, auth).status_code == 200
    # then the case is resolved with the judgment as its result, shown on its page
    detail = client.get(f"/api/v1/cases/{case.number}", **auth).json()
    assert detail["status"] == "resolved" and detail["result"] == "判决被告归还借款五万元及利息"
    staff = Client()
    staff.force_login(mediator)
    html = staff.get(f"/cases/{case.number}/").content.decode()
    assert "判决被告归还借款五万元及利息" in html and "(2026)浙0523民初1234号" in html
