"""Issue 17, point 6: the procedures that fit the case and the body, the 复查 by a body above,
and procedures that follow the case when it moves level. Point 7: the repeat-petition guard
compares the facts (same petitioner, same respondent, same subject), not only the wording."""

from __future__ import annotations

import pytest

from jiefen.cases.models import Case, CaseEvent
from jiefen.cases.services import PartyInput, case_register, case_transition
from jiefen.core.errors import ValidationFailed
from jiefen.procedures import services
from jiefen.procedures.models import Procedure
from jiefen.procedures.services import ActInput
from jiefen.procedures.tests.conftest import at

pytestmark = pytest.mark.django_db


def post(client, url, body, auth):
    return client.post(url, body, content_type="application/json", **auth)


def test_a_village_committee_is_offered_mediation_not_arbitration_or_litigation(
    client, travel, anji, accepted_case, mediator, staff_factory, token
):
    # given a wage dispute accepted by the village committee
    travel(at(2026, 9, 1))
    case = accepted_case(description="拖欠工资三个月", category="labour")
    auth = token(mediator)
    # when the mediator asks what he may start, and tries arbitration anyway
    offered = client.get(f"/api/v1/cases/{case.number}/procedure-kinds", **auth).json()
    refused = post(client, f"/api/v1/cases/{case.number}/procedures", {"kind": "labour_arbitration"}, auth)
    # then labour mediation is offered, arbitration and litigation are not, and are refused
    kinds = {k["kind"] for k in offered}
    assert {"people_mediation", "labour_mediation"} <= kinds
    assert not kinds & {"labour_arbitration", "litigation", "petition", "consumer_complaint"}
    assert (refused.status_code, refused.json()["error"]) == (409, "procedure_not_offered")
    assert not Procedure.objects.filter(case=case).exists()
    client.force_login(mediator)
    html = client.get(f"/cases/{case.number}/").content.decode()
    select = html[html.index('id="start-kind"') : html.index("</select>", html.index('id="start-kind"'))]
    assert 'value="labour_mediation"' in select and 'value="labour_arbitration"' not in select
    assert 'value="litigation"' not in select
    # and the county centre is offered arbitration on the same case
    centre = staff_factory(anji.org("county_centre"), ["handler"], username="centre")
    theirs = {
        k["kind"] for k in client.get(f"/api/v1/cases/{case.number}/procedure-kinds", **token(centre)).json()
    }
    assert "labour_arbitration" in theirs
    # and a neighbour dispute is not offered labour mediation, whoever asks
    noise = accepted_case(description="楼上装修噪音", category="neighbour")
    assert "labour_mediation" not in {
        k["kind"] for k in client.get(f"/api/v1/cases/{noise.number}/procedure-kinds", **auth).json()
    }


def test_a_mediation_escalated_to_the_town_moves_with_the_case(
    travel, anji, accepted_case, mediator, staff_factory
):
    # given a village mediation running
    travel(at(2026, 9, 1))
    case = accepted_case()
    proc = services.procedure_start(case=case, actor=mediator, kind="people_mediation")
    town_centre = anji.org("town_centre", anji.town)
    town = staff_factory(town_centre, ["handler", "mediator"], username="town")
    # when the village escalates the case to the town
    case_transition(
        case=case.number, actor=mediator, action="escalate", reason="村调不成", organization=town_centre
    )
    # then the procedure and its open step belong to the town now, with no handler until it names one
    proc.refresh_from_db()
    step = proc.steps.get(ended_at__isnull=True)
    assert (proc.organization_id, proc.handler_id) == (town_centre.pk, None)
    assert (step.organization_id, step.handler_id) == (town_centre.pk, None)
    moved = CaseEvent.objects.get(case=case, kind="procedure_moved")
    assert moved.data["to_organization"] == town_centre.pk and moved.data["procedure"] == proc.pk
    # and the town goes on with it
    proc = services.procedure_act(
        procedure=proc, actor=town, action="record_agreement", data=ActInput(terms="停止夜间施工")
    )
    assert proc.outcome == "agreement"


def _ended_petition(anji, staff_factory, travel, *, applicant, respondent, desc, category="property_land"):
    """A petition against `respondent` answered by the town, reviewed by the county petition
    bureau and re-checked by the county centre: ended after 复核."""
    town_centre = anji.org("town_centre", anji.town)
    handler = staff_factory(town_centre, ["handler"], username="xf")
    bureau = staff_factory(anji.org("petition_bureau"), ["handler"], username="xfj")
    county = staff_factory(anji.org("county_centre"), ["handler", "dispatcher"], username="xfzx")
    travel(at(2026, 3, 2))
    case = case_register(
        channel="petition",
        region=anji.village.code,
        description=desc,
        category=category,
        parties=[applicant, respondent],
    ).case
    case_transition(case=case.number, actor=county, action="route", organization=town_centre)
    case_transition(case=case.number, actor=handler, action="accept")
    proc = services.procedure_start(case=Case.objects.get(pk=case.pk), actor=handler, kind="petition")
    for who, action, result in (
        (handler, "accept", ""),
        (handler, "reply", "按政策补偿已发放完毕"),
        (handler, "request_review", ""),
        (bureau, "record_review_opinion", "维持原处理意见"),
        (handler, "request_recheck", ""),
        (county, "record_recheck_opinion", "复核维持，诉求不予支持"),
    ):
        proc = services.procedure_act(procedure=proc, actor=who, action=action, data=ActInput(result=result))
    return case, county


def test_the_same_petition_told_differently_is_flagged_with_the_earlier_ending(
    client, travel, anji, staff_factory, token
):
    # given 赵六's petition against the village committee about land compensation, ended after 复核
    applicant = PartyInput(role="applicant", name="赵六", id_number="330523198001010011")
    respondent = PartyInput(role="respondent", name="横溪坞村村民委员会", kind="organization")
    earlier, clerk = _ended_petition(
        anji,
        staff_factory,
        travel,
        applicant=applicant,
        respondent=respondent,
        desc="要求村委会补发二〇一九年征地补偿款",
    )
    travel(at(2026, 6, 1))
    retold = {
        "channel": "petition",
        "region_code": anji.village.code,
        "description": "我家的三亩承包地被占用建厂，村里一直没有给足钱，要求补偿。",
        "category": "property_land",
        "parties": [
            {"role": "applicant", "name": "赵六", "id_number": "330523198001010011"},
            {"role": "respondent", "name": "横溪坞村 村民委员会", "kind": "organization"},
        ],
    }
    auth = token(clerk)
    # when he comes back telling it differently (no wording in common)
    flagged = post(client, "/api/v1/cases", retold, auth)
    # then the clerk is shown the earlier case and how it ended, and nothing is registered
    assert flagged.status_code == 422, flagged.content
    body = flagged.json()
    assert body["error"] == "petition_repeat"
    assert earlier.number in body["message"] and "复核维持" in body["message"]
    assert "repeat_reason" in body["fields"]
    assert Case.objects.count() == 1
    # when the clerk registers it with a reason (new evidence)
    registered = post(client, "/api/v1/cases", {**retold, "repeat_reason": "提供了新的土地测绘证据"}, auth)
    # then it is registered, and the timeline says why and which case it repeats
    assert registered.status_code == 201, registered.content
    new = Case.objects.get(number=registered.json()["number"])
    note = CaseEvent.objects.get(case=new, kind="petition_repeat_registered")
    assert (note.reason, note.data["earlier_case"]) == ("提供了新的土地测绘证据", earlier.number)
    # and another respondent, or another subject, is not flagged
    other_respondent = {
        **retold,
        "parties": [
            retold["parties"][0],
            {"role": "respondent", "name": "某建材公司", "kind": "organization"},
        ],
    }
    assert post(client, "/api/v1/cases", other_respondent, auth).status_code == 201
    other_subject = {**retold, "category": "family", "description": "儿子不履行赡养义务"}
    assert post(client, "/api/v1/cases", other_subject, auth).status_code == 201


def test_the_clerk_sees_the_repeat_on_the_register_screen_and_registers_with_a_reason(
    client, travel, anji, staff_factory
):
    applicant = PartyInput(role="applicant", name="赵六", phone="13812345678")
    respondent = PartyInput(role="respondent", name="李四", phone="13900001111")
    earlier, clerk = _ended_petition(
        anji,
        staff_factory,
        travel,
        applicant=applicant,
        respondent=respondent,
        desc="李四占用宅基地，要求拆除",
    )
    travel(at(2026, 6, 1))
    client.force_login(clerk)
    form = {
        "channel": "petition",
        "county": anji.county.code,
        "town": anji.town.code,
        "village": anji.village.code,
        "category": "property_land",
        "description": "邻居在我家地基上砌了围墙，多次协商无果",
        "party_count": "2",
        "parties-0-role": "applicant",
        "parties-0-kind": "person",
        "parties-0-name": "赵六",
        "parties-0-phone": "138 1234 5678",
        "parties-1-role": "respondent",
        "parties-1-kind": "person",
        "parties-1-name": "李四（邻居）",
        "parties-1-phone": "13900001111",
    }
    page = client.post("/cases/new/", form, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 422
    html = page.content.decode()
    assert earlier.number in html and 'id="repeat-petition"' in html
    done = client.post("/cases/new/", {**form, "repeat_reason": "围墙为新砌，与原事项不同"})
    assert done.status_code == 302
    assert CaseEvent.objects.filter(
        kind="petition_repeat_registered", reason="围墙为新砌，与原事项不同"
    ).exists()


def test_the_same_words_are_still_refused_outright(travel, anji, staff_factory):
    applicant = PartyInput(role="applicant", name="赵六", id_number="330523198001010011")
    respondent = PartyInput(role="respondent", name="横溪坞村村民委员会", kind="organization")
    desc = "要求村委会补发二〇一九年征地补偿款"
    earlier, _clerk = _ended_petition(
        anji, staff_factory, travel, applicant=applicant, respondent=respondent, desc=desc
    )
    with pytest.raises(ValidationFailed) as refused:
        case_register(
            channel="petition",
            region=anji.village.code,
            description=desc,
            parties=[applicant, respondent],
            repeat_reason="再次申请",
        )
    assert refused.value.code == "petition_ended" and earlier.number in str(refused.value.message)
