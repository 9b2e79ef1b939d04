from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiefen.cases.models import Case, CaseEvent
from jiefen.cases.services import case_transition
from jiefen.cases.tests.helpers import register
from jiefen.core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def village_handler(anji, staff_factory):
    return staff_factory(anji.org("village_committee", anji.village), ["handler", "mediator"])


def test_accept_start_resolve_close_records_level_and_events(anji, village_handler):
    # given
    case = register(anji.village)
    # when
    for action in ("accept", "start", "resolve", "close"):
        reason = "双方握手言和" if action == "resolve" else ""
        case = case_transition(case=case, actor=village_handler, action=action, reason=reason)
    # then
    assert case.status == "closed"
    assert case.resolved_level == "village"
    assert case.due_at is None
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    # closing also tells the parties and schedules the return visit (procedures.follow_up_on_close)
    assert kinds == [
        "registered",
        "routed",
        "accept",
        "start",
        "resolve",
        "close",
        "return_visit_scheduled",
        "result_notified",
    ]
    assert case.version == 5


def test_return_needs_reason_and_goes_back_to_dispatcher(anji, village_handler):
    # given
    case = register(anji.village)
    # when
    with pytest.raises(ValidationFailed) as err:
        case_transition(case=case, actor=village_handler, action="return")
    case = case_transition(case=case, actor=village_handler, action="return", reason="不属于本村管辖")
    # then
    assert err.value.code == "reason_required"
    assert case.status == "triaged"
    assert case.lead_organization.kind == "county_centre"
    assert case.return_count == 1
    assert CaseEvent.objects.filter(case=case, kind="return").get().reason == "不属于本村管辖"


def test_escalate_moves_up_one_level_and_keeps_history(anji, village_handler, staff_factory):
    # given
    case = register(anji.village)
    case = case_transition(case=case, actor=village_handler, action="accept")
    # when
    case = case_transition(case=case, actor=village_handler, action="escalate", reason="调解不成，提级处理")
    # then
    assert case.level == "town"
    assert case.lead_organization.region == anji.town
    assert case.status == "triaged"
    assert case.escalation_count == 1
    assert list(case.assignments.order_by("id").values_list("level", "is_active")) == [
        ("village", False),
        ("town", True),
    ]
    # and the town centre escalates to the county, which cannot go higher
    town_staff = staff_factory(case.lead_organization, ["handler"])
    case = case_transition(case=case, actor=town_staff, action="accept")
    case = case_transition(case=case, actor=town_staff, action="escalate", reason="重大")
    county_staff = staff_factory(case.lead_organization, ["handler"])
    case = case_transition(case=case, actor=county_staff, action="accept")
    with pytest.raises(IllegalTransition) as err:
        case_transition(case=case, actor=county_staff, action="escalate", reason="再上提")
    assert err.value.code == "cannot_escalate"


def test_delegate_moves_down(anji, dispatcher):
    # given: a case the dispatcher gave to the county centre
    case = register(anji.village, category="other")
    case = case_transition(
        case=case, actor=dispatcher, action="route", organization=anji.org("county_centre")
    )
    assert case.level == "county"
    # when
    case = case_transition(case=case, actor=dispatcher, action="delegate", reason="属地化解")
    # then
    assert case.level == "town"
    assert case.lead_organization.region == anji.town


def test_illegal_move_is_refused_with_stable_code(anji, village_handler):
    # given
    case = register(anji.village)
    # when / then
    with pytest.raises(IllegalTransition) as err:
        case_transition(case=case, actor=village_handler, action="close")
    assert err.value.code == "illegal_transition"
    assert Case.objects.get(pk=case.pk).status == "triaged"


def test_stale_version_is_a_conflict(anji, village_handler):
    # given
    case = register(anji.village)
    case_transition(case=case, actor=village_handler, action="accept", version=1)
    # when / then
    with pytest.raises(Conflict) as err:
        case_transition(case=case, actor=village_handler, action="return", reason="x", version=1)
    assert err.value.code == "version_conflict"


def test_other_organisation_may_not_act_as_lead(anji, staff_factory):
    # given
    case = register(anji.village)
    stranger = staff_factory(anji.org("village_committee", anji.village2), ["handler"])
    # when / then
    with pytest.raises(PermissionDenied):
        case_transition(case=case, actor=stranger, action="accept")


def test_suspend_pauses_the_clock(anji, village_handler):
    # given: accepted on Mon 2026-03-02, handling due 30 calendar days later (Wed 2026-04-01)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=TZ), tick=False):
        case = register(anji.village)
        case = case_transition(case=case, actor=village_handler, action="accept")
        case = case_transition(case=case, actor=village_handler, action="start")
    assert case.due_at.astimezone(TZ).date().isoformat() == "2026-04-01"
    # when: suspended from 3 to 5 March (3 days)
    with time_machine.travel(datetime(2026, 3, 3, 9, 0, tzinfo=TZ), tick=False):
        case = case_transition(case=case, actor=village_handler, action="suspend", reason="等待伤情鉴定")
    assert case.due_at is None
    with time_machine.travel(datetime(2026, 3, 5, 17, 0, tzinfo=TZ), tick=False):
        case = case_transition(case=case, actor=village_handler, action="resume")
    # then: three paused days push the end to Sat 4 April → 清明 holiday 4-6 April → Tue 7 April
    assert case.due_at.astimezone(TZ).date().isoformat() == "2026-04-07"


def test_not_accept_requires_legal_route(anji, dispatcher):
    # given
    case = register(anji.village)
    # when
    with pytest.raises(ValidationFailed):
        case_transition(case=case, actor=dispatcher, action="not_accept", reason="已进入诉讼")
    case = case_transition(
        case=case,
        actor=dispatcher,
        action="not_accept",
        reason="已进入诉讼",
        legal_route="已由人民法院立案受理，请按诉讼程序参加审理",
    )
    # then
    assert case.status == "not_accepted"
    assert "人民法院" in case.legal_route_told


def test_transfer_then_resolve_counts_as_statutory(anji, staff_factory):
    # given: labour goes to the town's justice office
    case = register(anji.village, category="labour")
    handler = staff_factory(case.lead_organization, ["handler"])
    case = case_transition(case=case, actor=handler, action="accept")
    # when
    case = case_transition(
        case=case,
        actor=handler,
        action="transfer",
        reason="调解不成，申请仲裁",
        statutory_route="arbitration",
    )
    case = case_transition(case=case, actor=handler, action="resolve", reason="仲裁裁决支付工资")
    # then
    assert case.lead_organization.kind == "justice_office"
    assert case.statutory_route == "arbitration"
    assert case.resolved_level == "statutory"
