"""One scenario per procedure kind, from registration to closure, on frozen 2026 dates."""

from datetime import date, datetime

import pytest

from jiefen.cases.models import Case, CaseEvent
from jiefen.cases.services import (
    PartyInput,
    RegistrationRequest,
    case_register,
    case_register_many,
    case_transition,
)
from jiefen.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from jiefen.deadlines.selectors import time_limit_rule
from jiefen.procedures import services
from jiefen.procedures.models import Procedure, ReturnVisit
from jiefen.procedures.services import ActInput, step_due
from jiefen.procedures.tests.conftest import TZ, at

pytestmark = pytest.mark.django_db


def day(iso: str) -> date:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(TZ).date()


def act(proc, actor, action, **kw):
    return services.procedure_act(procedure=proc, actor=actor, action=action, data=ActInput(**kw))


def open_step(proc):
    return proc.steps.get(ended_at__isnull=True)


def due_day(step):
    return step.due_at.astimezone(TZ).date()


def close(case, actor):
    return services.case_close_and_follow_up(case=Case.objects.get(pk=case.pk), actor=actor)


def test_people_mediation_to_judicial_confirmation_through_the_api(
    client, travel, accepted_case, mediator, token, anji
):
    # given
    travel(at(2026, 9, 1))
    case = accepted_case()
    auth = token(mediator)
    # when: mediation starts, a session, an agreement
    resp = client.post(
        f"/api/v1/cases/{case.number}/procedures",
        {"kind": "people_mediation"},
        content_type="application/json",
        **auth,
    )
    assert resp.status_code == 201, resp.content
    proc = resp.json()
    assert day(proc["steps"][0]["due_at"]) == date(2026, 10, 8)  # 1 Oct → after National Day
    url = f"/api/v1/procedures/{proc['id']}/actions"
    session = {
        "action": "record_session",
        "held_at": "2026-09-01T14:00:00+08:00",
        "place": "村调解室",
        "participants": "王小明、李四",
    }
    assert client.post(url, session, content_type="application/json", **auth).status_code == 200
    body = {"action": "record_agreement", "terms": "李四停止夜间施工\n李四赔偿王小明500元"}
    resp = client.post(url, body, content_type="application/json", **auth)
    assert resp.status_code == 200, resp.content
    assert resp.json()["outcome"] == "agreement"
    # then the case is resolved and shows its procedures
    detail = client.get(f"/api/v1/cases/{case.number}", **auth).json()
    assert detail["status"] == "resolved"
    assert [p["kind"] for p in detail["procedures"]] == ["people_mediation"]
    # when: judicial confirmation, joint application within 30 days of the agreement
    resp = client.post(
        f"/api/v1/cases/{case.number}/procedures",
        {"kind": "judicial_confirmation"},
        content_type="application/json",
        **auth,
    )
    jc = resp.json()
    assert jc["steps"][0]["code"] == "apply" and day(jc["steps"][0]["due_at"]) == date(2026, 10, 8)
    travel(at(2026, 9, 10))
    url = f"/api/v1/procedures/{jc['id']}/actions"
    r1 = client.post(
        url,
        {"action": "file_application", "court_id": anji.org("court").pk},
        content_type="application/json",
        **auth,
    ).json()
    assert r1["steps"][-1]["code"] == "court_accept" and day(r1["steps"][-1]["due_at"]) == date(
        2026, 9, 14
    )  # Sun 13 → Mon
    travel(at(2026, 9, 11))
    r2 = client.post(url, {"action": "court_accept"}, content_type="application/json", **auth).json()
    assert day(r2["steps"][-1]["due_at"]) == date(2026, 9, 28)  # 15 days → Sat 26 Sep → Mon 28
    r3 = client.post(
        url,
        {"action": "confirm", "ruling_no": "(2026)浙0523民特12号"},
        content_type="application/json",
        **auth,
    )
    assert r3.json()["outcome"] == "confirmed"
    # and the case is closed with a return visit 5 working days later
    travel(at(2026, 9, 29))
    resp = client.post(f"/api/v1/cases/{case.number}/close", {}, content_type="application/json", **auth)
    assert resp.status_code == 200, resp.content
    assert day(resp.json()["due_at"]) == date(2026, 10, 12)
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {
        "procedure_started",
        "session_recorded",
        "agreement_recorded",
        "step_completed",
        "procedure_ended",
        "resolve",
        "close",
        "result_notified",
        "return_visit_scheduled",
    } <= set(kinds)


def test_petition_through_review_and_recheck_then_the_same_facts_are_refused(travel, anji, staff_factory):
    # given: a petition received on 5 Jan in a county outside Zhejiang (national limits), answered
    # by the town; the 复查 is the county petition bureau's, the 复核 the county government's
    # (信访工作条例 第35、36条: the body above, never the one that answered)
    from conftest import make_county

    other = make_county("410102", "中原区")
    town_centre = other.org("town_centre", other.town)
    handler = staff_factory(town_centre, ["handler"], username="xf")
    colleague = staff_factory(town_centre, ["handler"], username="xf2")
    bureau = staff_factory(other.org("petition_bureau"), ["handler"], username="xfj")
    county = staff_factory(other.org("county_centre"), ["handler", "dispatcher"], username="xfzx")
    head = staff_factory(town_centre, ["leader"], username="head")
    travel(at(2026, 1, 5))
    desc = "要求解决征地补偿款长期未发放问题"
    parties = [PartyInput(role="applicant", name="赵六", id_number="410102198001010018")]
    case = case_register(
        channel="petition", region=other.village.code, description=desc, parties=parties
    ).case
    case_transition(case=case.number, actor=county, action="route", organization=town_centre)
    case_transition(case=case.number, actor=handler, action="accept")
    # when
    proc = services.procedure_start(case=Case.objects.get(pk=case.pk), actor=handler, kind="petition")
    assert due_day(open_step(proc)) == date(2026, 1, 20)
    travel(at(2026, 1, 6))
    proc = act(proc, handler, "accept")
    assert due_day(open_step(proc)) == date(2026, 3, 9)  # 60 days → Sat 7 Mar → Mon 9
    proc = act(proc, handler, "request_extension", days=30, reason="案情复杂")
    ext = open_step(proc).extensions.get()
    with pytest.raises(PermissionDenied) as denied:
        act(proc, handler, "approve_extension", extension_id=ext.pk)
    assert denied.value.code == "extension_not_allowed_role"
    proc = act(proc, head, "approve_extension", extension_id=ext.pk)
    rule = time_limit_rule("petition.handle", "41")
    assert open_step(proc).due_at == step_due(rule=rule, start_day=date(2026, 1, 6), extended_days=30).at
    travel(at(2026, 2, 2))
    proc = act(proc, handler, "reply", result="已协调发放补偿款")
    assert due_day(open_step(proc)) == date(2026, 3, 4)
    travel(at(2026, 2, 10))
    proc = act(proc, handler, "request_review")
    travel(at(2026, 3, 2))
    # the one who answered cannot review his own answer, nor can his own town centre
    with pytest.raises(PermissionDenied) as own:
        act(proc, handler, "record_review_opinion", result="维持")
    with pytest.raises(PermissionDenied) as same_body:
        act(proc, colleague, "record_review_opinion", result="维持")
    assert (own.value.code, same_body.value.code) == ("review_by_same_person", "review_body_not_above")
    proc = act(proc, bureau, "record_review_opinion", result="维持原处理意见")
    travel(at(2026, 3, 3))
    proc = act(proc, handler, "request_recheck")
    first_due = due_day(open_step(proc))
    travel(at(2026, 3, 5))
    proc = act(proc, handler, "suspend", reason="听证")
    travel(at(2026, 3, 6))
    proc = act(proc, handler, "resume")
    assert (due_day(open_step(proc)) - first_due).days >= 2  # hearing days not counted
    travel(at(2026, 3, 20))
    # the 复核 is not the reviewing bureau's own (nor the town's, below it)
    with pytest.raises(PermissionDenied) as bureau_again:
        act(proc, bureau, "record_recheck_opinion", result="复核维持")
    assert bureau_again.value.code == "review_by_same_person"
    with pytest.raises(PermissionDenied) as below:
        act(proc, colleague, "record_recheck_opinion", result="复核维持")
    assert below.value.code == "review_body_not_above"
    proc = act(proc, county, "record_recheck_opinion", result="复核维持", demands="rejected")
    # then: the demands were rejected — the matter is ended (办结), not resolved
    assert proc.outcome == "ended_after_recheck"
    ended = Case.objects.get(pk=case.pk)
    assert (ended.status, ended.resolved_level) == ("closed", "")
    with pytest.raises(ValidationFailed) as refused:
        case_register(channel="petition", region=other.village.code, description=desc + "。", parties=parties)
    assert refused.value.code == "petition_ended"
    assert case.number in str(refused.value.message)
    # (and so in a batch, as the API's group commit and the 12345 import register)
    (in_batch,) = case_register_many(
        [
            RegistrationRequest(
                channel="petition", region=other.village.code, description=desc, parties=parties
            )
        ]
    )
    assert isinstance(in_batch, ValidationFailed) and in_batch.code == "petition_ended"
    other_facts = case_register(
        channel="petition", region=other.village.code, description="邻居占用通道", parties=parties
    )
    assert other_facts.case.pk != case.pk


def test_labour_mediation_then_arbitration_under_zhejiang_simple_procedure(
    travel, anji, accepted_case, staff_factory
):
    # given
    town = staff_factory(anji.org("town_centre", anji.town), ["handler", "mediator"], username="town")
    travel(at(2026, 9, 1))
    case = accepted_case(description="拖欠工资三个月共计两万元", category="labour", actor=town)
    # when: mediation from receipt, no agreement
    med = services.procedure_start(case=case, actor=town, kind="labour_mediation")
    assert due_day(open_step(med)) == date(2026, 9, 16)
    travel(at(2026, 9, 16))
    med = act(
        med,
        town,
        "record_no_agreement",
        reason="企业拒绝支付",
        legal_route="可向劳动人事争议仲裁委员会申请仲裁",
    )
    travel(at(2026, 9, 17))
    arb = services.procedure_start(
        case=Case.objects.get(pk=case.pk),
        actor=town,
        kind="labour_arbitration",
        simple=True,
        received_on=date(2026, 9, 17),
    )
    assert due_day(open_step(arb)) == date(2026, 9, 22)  # 5 days from the commission's receipt
    assert Case.objects.get(pk=case.pk).status == "transferred"
    arb = act(arb, town, "accept_application")
    assert due_day(open_step(arb)) == date(2026, 10, 19)  # Zhejiang simple: 30 days → Sun 18 Oct → Mon 19
    with pytest.raises(ValidationFailed) as too_long:
        act(arb, town, "request_extension", days=15, reason="需要鉴定")
    assert too_long.value.code == "extension_exceeds_bound"  # the simple-procedure rule allows none
    travel(at(2026, 10, 9))
    arb = act(arb, town, "record_award", result="裁决企业支付工资两万元")
    # then
    case = Case.objects.get(pk=case.pk)
    assert (med.outcome, arb.outcome, case.status, case.resolved_level) == (
        "no_agreement",
        "award",
        "resolved",
        "statutory",
    )
    assert CaseEvent.objects.filter(case=case, kind="result_notified", data__kind="no_agreement").exists()
    visit = close(case, town)
    assert visit.due_at.astimezone(TZ).date() == date(2026, 10, 15)  # 5 working days, Sat 10 Oct counts


def test_arbitration_outside_zhejiang_uses_45_days_and_its_extension(travel, anji, staff_factory):
    # given
    from conftest import make_county

    other = make_county("410102", "中原区")
    clerk = staff_factory(other.org("county_centre"), ["handler", "dispatcher"], username="arb")
    chair = staff_factory(other.org("county_centre"), ["leader"], username="chair2")
    travel(at(2026, 8, 14))
    case = case_register(
        channel="walk_in",
        region=other.town.code,
        description="工伤赔偿",
        category="labour",
        parties=[PartyInput(role="applicant", name="钱七")],
    ).case
    case_transition(case=case.number, actor=clerk, action="route", organization=other.org("county_centre"))
    case_transition(case=case.number, actor=clerk, action="accept")
    arb = services.procedure_start(
        case=Case.objects.get(pk=case.pk), actor=clerk, kind="labour_arbitration", simple=True
    )
    travel(at(2026, 8, 17))
    # when
    arb = act(arb, clerk, "accept_application")
    first = due_day(open_step(arb))
    arb = act(arb, clerk, "request_extension", days=15, reason="案情复杂")
    arb = act(arb, chair, "approve_extension", extension_id=open_step(arb).extensions.get().pk)
    # then
    assert (first, due_day(open_step(arb))) == (date(2026, 10, 8), date(2026, 10, 16))
    with pytest.raises(ValidationFailed) as more:
        act(arb, clerk, "request_extension", days=1, reason="再延")
    assert more.value.code == "extension_exceeds_bound"


def test_entrusted_mediation_extended_by_consent_then_filed_and_litigated(
    travel, anji, accepted_case, mediator, staff_factory
):
    # given
    travel(at(2026, 9, 1))
    case = accepted_case(description="借款三万元到期未还", category="debt_contract")
    ent = services.procedure_start(case=case, actor=mediator, kind="entrusted_mediation")
    assert due_day(open_step(ent)) == date(2026, 10, 8)
    # when
    with pytest.raises(ValidationFailed) as no_consent:
        act(ent, mediator, "request_extension", days=10, reason="双方同意延长")
    ent = act(ent, mediator, "request_extension", days=10, reason="双方同意延长", parties_consent=True)
    assert due_day(open_step(ent)) == date(2026, 10, 12)  # 40 days → Sun 11 Oct → Mon 12
    with pytest.raises(ValidationFailed) as beyond:
        act(ent, mediator, "request_extension", days=21, reason="再延", parties_consent=True)
    travel(at(2026, 10, 9))
    ent = act(ent, mediator, "file_case", reason="调解不成")
    # a village committee does not litigate: the county centre follows the case to the court
    with pytest.raises(IllegalTransition) as not_offered:
        services.procedure_start(case=Case.objects.get(pk=case.pk), actor=mediator, kind="litigation")
    assert not_offered.value.code == "procedure_not_offered"
    centre = staff_factory(anji.org("county_centre"), ["handler", "dispatcher"], username="centre")
    lit = services.procedure_start(case=Case.objects.get(pk=case.pk), actor=centre, kind="litigation")
    lit = act(lit, centre, "record_filing", court_case_no="(2026)浙0523民初100号")
    lit = act(lit, centre, "record_hearing")
    lit = act(lit, centre, "record_judgment", result="判决被告还款三万元")
    # then
    assert (no_consent.value.code, beyond.value.code) == ("consent_required", "extension_exceeds_bound")
    case = Case.objects.get(pk=case.pk)
    assert (ent.outcome, lit.outcome, case.statutory_route, case.status) == (
        "filed",
        "judgment",
        "litigation",
        "resolved",
    )
    assert close(case, mediator).status == "scheduled"


def test_legal_aid_refused_objection_upheld_lawyer_assigned(travel, anji, accepted_case, staff_factory):
    # given
    mediator = staff_factory(anji.org("justice_office", anji.town), ["handler", "mediator"], username="sfs")
    travel(at(2026, 2, 5))
    case = accepted_case(actor=mediator, description="交通事故赔偿，申请法律援助", category="traffic")
    aid = services.procedure_start(case=case, actor=mediator, kind="legal_aid")
    assert due_day(open_step(aid)) == date(2026, 2, 12)
    # when
    travel(at(2026, 2, 10))
    aid = act(aid, mediator, "deny", reason="经济状况不符合")
    aid = act(aid, mediator, "object", reason="提交新的收入证明")
    assert due_day(open_step(aid)) == date(2026, 2, 24)  # 5 days → 15 Feb → after the festival
    travel(at(2026, 2, 11))
    aid = act(aid, mediator, "objection_granted")
    assert due_day(open_step(aid)) == date(2026, 2, 14)  # 3 days → the 调休 Saturday
    aid = act(aid, mediator, "assign_lawyer", lawyer="孙律师")
    travel(at(2026, 3, 20))
    aid = act(aid, mediator, "record_result", result="胜诉，获赔八万元")
    case_transition(case=case.number, actor=mediator, action="resolve", reason="胜诉，获赔八万元")
    # then
    assert aid.outcome == "concluded" and aid.data["lawyer"] == "孙律师"
    assert close(case, mediator).status == "scheduled"


def test_consumer_complaint_with_testing_time_not_counted(travel, anji, accepted_case, staff_factory):
    # given
    mediator = staff_factory(anji.org("town_centre", anji.town), ["handler", "mediator"], username="zx")
    travel(at(2026, 2, 10))
    case = accepted_case(actor=mediator, description="购买的冰箱不制冷，商家拒绝退换", category="consumer")
    cc = services.procedure_start(case=case, actor=mediator, kind="consumer_complaint")
    assert due_day(open_step(cc)) == date(2026, 2, 26)  # 7 working days across the festival
    travel(at(2026, 2, 11))
    cc = act(cc, mediator, "accept_complaint")
    plain = due_day(open_step(cc))
    # when: testing on 12 and 13 Feb (two working days), then 14 Feb is the 调休 Saturday
    travel(at(2026, 2, 12))
    cc = act(cc, mediator, "suspend", reason="送检")
    travel(at(2026, 2, 13))
    cc = act(cc, mediator, "resume")
    # then
    cal_shift = due_day(open_step(cc))
    assert cal_shift > plain
    rule = time_limit_rule("consumer.mediate", "33")
    assert (
        open_step(cc).due_at
        == step_due(rule=rule, start_day=date(2026, 2, 11), paused=[["2026-02-12", "2026-02-13"]]).at
    )
    cc = act(cc, mediator, "record_agreement", terms="商家退货退款3999元")
    assert Case.objects.get(pk=case.pk).status == "resolved"


def test_people_mediation_without_agreement_tells_the_routes(travel, accepted_case, mediator):
    # given
    travel(at(2026, 3, 2))
    case = accepted_case()
    pm = services.procedure_start(case=case, actor=mediator, kind="people_mediation")
    # when
    pm = act(pm, mediator, "record_no_agreement", reason="双方分歧较大", legal_route="可向人民法院起诉")
    # then
    assert pm.outcome == "no_agreement" and pm.data["legal_route"] == "可向人民法院起诉"
    assert Case.objects.get(pk=case.pk).status == "in_progress"
    assert CaseEvent.objects.filter(case=case, kind="result_notified").count() == 1
    from jiefen.notifications.models import OutboxMessage

    sms = OutboxMessage.objects.get(case=case, template="case_result")  # the applicant has a phone
    assert "可向人民法院起诉" in sms.body


def test_recurrence_at_the_return_visit_reopens_the_same_case(travel, accepted_case, mediator, dispatcher):
    # given
    travel(at(2026, 3, 2))
    case = accepted_case()
    pm = services.procedure_start(case=case, actor=mediator, kind="people_mediation")
    act(pm, mediator, "record_agreement", terms="停止施工")
    visit = close(case, mediator)
    party = case.parties.get(role="applicant")
    fb = services.feedback_record(case=case, party=party, score=5, comment="满意", actor=mediator)
    # when
    travel(at(2026, 3, 9))
    services.return_visit_record(
        visit=visit, actor=dispatcher, reached=True, satisfied=False, recurred=True, note="又开始夜间施工"
    )
    # then
    case = Case.objects.get(pk=case.pk)
    assert case.status == "in_progress" and Case.objects.count() == 1
    assert ReturnVisit.objects.get().recurred
    assert CaseEvent.objects.filter(case=case, kind="case_recurred").exists()
    assert fb.closure_no == 1
    # a second closure gets its own round of satisfaction
    pm2 = services.procedure_start(case=case, actor=mediator, kind="people_mediation")
    act(pm2, mediator, "record_agreement", terms="限定施工时间")
    close(case, mediator)
    fb2 = services.feedback_record(case=case, party=party, score=4, actor=mediator)
    assert fb2.closure_no == 2
    assert Procedure.objects.filter(case=case).count() == 2


def test_session_time_is_a_real_datetime(travel, accepted_case, mediator):
    travel(at(2026, 3, 2))
    case = accepted_case()
    pm = services.procedure_start(case=case, actor=mediator, kind="people_mediation")
    act(
        pm,
        mediator,
        "record_session",
        held_at=datetime(2026, 3, 2, 15, 0),
        place="村委会",
        participants="双方",
    )
    assert pm.sessions.get().place == "村委会"
