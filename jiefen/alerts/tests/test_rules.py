"""Each early-warning rule fires exactly when it should, and not twice (frozen time)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from jiefen.alerts.models import Alert, AlertRule, AlertStatus, Resolution
from jiefen.alerts.services import alert_act, alerts_sweep
from jiefen.cases.services import PartyInput, case_transition

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 6, 15, 10, 0, tzinfo=TZ)  # acceptance (3 working days) is due Thursday 23:59


def at(days: float, hour: int = 0, minute: int = 0) -> datetime:
    d = MONDAY.replace(hour=hour, minute=minute) + timedelta(days=days)
    return d


def alerts(rule: str, **kw):
    return Alert.objects.filter(rule__code=rule, **kw)


def sweep_at(moment: datetime) -> dict:
    with time_machine.travel(moment, tick=False):
        return alerts_sweep()


@pytest.fixture
def case(register):
    with time_machine.travel(MONDAY, tick=False):
        return register()


def test_deadline_near_fires_two_working_days_before_and_once(case):
    # when / then: Monday the deadline (Thursday) is three working days away
    sweep_at(at(0, 18))
    assert alerts("deadline_near").count() == 0
    # Tuesday it is two working days away
    sweep_at(at(1, 9))
    sweep_at(at(1, 10))
    sweep_at(at(2, 9))
    assert alerts("deadline_near").count() == 1
    alert = alerts("deadline_near").get()
    assert alert.case_id == case.pk and alert.episode == "2026-06-18"


def test_overdue_fires_once_after_the_deadline_and_replaces_near(case):
    # given
    sweep_at(at(1, 9))
    # when
    sweep_at(at(3, 23, 59))
    assert alerts("overdue").count() == 0
    sweep_at(at(4, 0, 1))
    sweep_at(at(4, 8))
    sweep_at(at(5, 8))
    # then
    assert alerts("overdue").count() == 1
    assert alerts("deadline_near").get().resolution == Resolution.CLEARED


def test_unaccepted_fires_after_one_full_working_day(case):
    # Tuesday: still within the one working day after Monday's routing
    sweep_at(at(1, 23, 59))
    assert alerts("unaccepted").count() == 0
    # Wednesday: a whole working day (Tuesday) passed without acceptance
    sweep_at(at(2, 0, 1))
    sweep_at(at(2, 12))
    assert alerts("unaccepted").count() == 1


def test_acceptance_clears_the_clock_alerts(case, dispatcher):
    # given
    sweep_at(at(4, 9))
    assert alerts("overdue", status=AlertStatus.OPEN).count() == 1
    assert alerts("unaccepted", status=AlertStatus.OPEN).count() == 1
    # when
    with time_machine.travel(at(4, 10), tick=False):
        case_transition(case=case.number, actor=dispatcher, action="accept")
    # then
    assert not Alert.objects.filter(case=case).exclude(status=AlertStatus.CLOSED).exists()
    assert set(Alert.objects.filter(case=case).values_list("resolution", flat=True)) == {Resolution.CLEARED}
    sweep_at(at(4, 11))
    assert not Alert.objects.filter(case=case).exclude(status=AlertStatus.CLOSED).exists()


def test_a_dismissed_alert_is_not_raised_again_for_the_same_deadline(case, dispatcher):
    # given
    sweep_at(at(4, 9))
    overdue = alerts("overdue").get()
    with time_machine.travel(at(4, 9, 30), tick=False):
        alert_act(alert_id=overdue.pk, actor=dispatcher, action="dismiss", note="已电话督办")
    # when: the watermark is reset (e.g. restored backup) and everything is looked at again
    from jiefen.alerts.models import SweepState

    SweepState.objects.update(watermark=None)
    sweep_at(at(4, 10))
    # then
    assert alerts("overdue").count() == 1


def test_a_backdated_registration_is_overdue_at_once(register):
    with time_machine.travel(MONDAY, tick=False):
        case = register(received_at=MONDAY - timedelta(days=10))
    assert alerts("overdue", case=case).count() == 1
    assert alerts("unaccepted", case=case).count() == 1


def test_repeat_petitioner_at_the_third_case_in_ninety_days(register):
    # given
    person = [PartyInput(role="applicant", name="张三", phone="13900001111")]
    with time_machine.travel(MONDAY, tick=False):
        register(parties=person, received_at=MONDAY - timedelta(days=100))  # outside the window
        register(parties=person, received_at=MONDAY - timedelta(days=60))
        register(parties=person)
        assert alerts("repeat_petitioner").count() == 0
        # when
        third = register(parties=person)
        register(parties=person)
    # then
    alert = alerts("repeat_petitioner").get()
    assert alert.subject_kind == "person" and alert.case_id == third.pk
    assert alert.reasons[0]["count"] == 4  # refreshed by the fourth case, not a second alert
    assert "13900001111" not in alert.subject_key


def test_group_dispute_from_five_parties(register):
    four = [PartyInput(role="applicant", name=f"甲{i}") for i in range(4)]
    with time_machine.travel(MONDAY, tick=False):
        register(parties=four)
        assert alerts("group_dispute").count() == 0
        case = register(parties=[*four, PartyInput(role="respondent", name="乙公司", kind="organization")])
    assert alerts("group_dispute", subject_kind="case").get().case_id == case.pk


def test_group_dispute_from_five_open_cases_against_one_respondent(register):
    def parties():
        return [
            PartyInput(role="applicant", name="工人"),
            PartyInput(role="respondent", name="某某建筑公司", kind="organization"),
        ]

    with time_machine.travel(MONDAY, tick=False):
        for _i in range(4):
            register(parties=parties())
        assert alerts("group_dispute").count() == 0
        register(parties=parties())
        register(parties=parties())
    alert = alerts("group_dispute", subject_kind="respondent").get()
    assert alert.subject_label == "某某建筑公司" and alert.reasons[0]["count"] == 6


def test_extreme_language(register):
    with time_machine.travel(MONDAY, tick=False):
        calm = register(description="邻居装修噪音")
        hot = register(description="再不解决我就从楼上跳楼，和他同归于尽")
    assert not alerts("extreme_language", case=calm).exists()
    alert = alerts("extreme_language", case=hot).get()
    assert alert.reasons == [{"code": "words", "words": ["跳楼", "同归于尽"]}]


def test_repeated_returns_at_the_second_move(register, dispatcher):
    with time_machine.travel(MONDAY, tick=False):
        case = register()
        case_transition(case=case.number, actor=dispatcher, action="return", reason="不属本单位")
        assert alerts("repeated_returns").count() == 0
        case_transition(case=case.number, actor=dispatcher, action="return", reason="仍不属本单位")
        case_transition(case=case.number, actor=dispatcher, action="return", reason="第三次")
    alert = alerts("repeated_returns").get()
    assert alert.reasons[0]["returns"] == 3


def test_hotspot_above_the_trailing_baseline(register, anji):
    # given: two labour cases a week in the town for eight weeks, then five this week
    with time_machine.travel(MONDAY, tick=False):
        for week in range(1, 9):
            for _i in range(2):
                register(category="labour", received_at=MONDAY - timedelta(days=7 * week))
        for _i in range(4):
            register(category="labour")
    sweep_at(at(0, 12))
    assert alerts("hotspot").count() == 0
    with time_machine.travel(at(0, 13), tick=False):
        register(category="labour")
    # when
    sweep_at(at(0, 14))
    sweep_at(at(0, 15))
    # then
    alert = alerts("hotspot").get()
    assert alert.subject_key == f"{anji.town.code}:labour"
    assert alert.reasons[0]["count"] == 5 and alert.reasons[0]["baseline"] == 2.0


def test_trend_spike_of_a_county(register, anji):
    with time_machine.travel(MONDAY, tick=False):
        for week in range(1, 5):
            for _i in range(2):
                register(received_at=MONDAY - timedelta(days=7 * week))
        for _i in range(9):
            register()
    sweep_at(at(0, 12))
    assert not alerts("trend_spike", subject_key=anji.county.code).exists()
    with time_machine.travel(at(0, 13), tick=False):
        register()
    sweep_at(at(0, 14))
    sweep_at(at(1, 14))
    assert alerts("trend_spike", subject_key=anji.county.code).count() == 1


def test_a_disabled_rule_does_not_fire(register):
    AlertRule.objects.filter(code="extreme_language").update(enabled=False)
    with time_machine.travel(MONDAY, tick=False):
        register(description="我要跳楼")
    assert not alerts("extreme_language").exists()


def test_thresholds_are_data(register):
    AlertRule.objects.filter(code="group_dispute").update(params={"min_parties": 2})
    with time_machine.travel(MONDAY, tick=False):
        register(parties=[PartyInput(role="applicant", name="甲"), PartyInput(role="applicant", name="乙")])
    assert alerts("group_dispute").count() == 1


def test_the_database_keeps_one_open_alert_per_rule_and_subject(register):
    with time_machine.travel(MONDAY, tick=False):
        register(description="我要跳楼")
    alert = alerts("extreme_language").get()
    alert.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        alert.save()
    alert.status = AlertStatus.CLOSED
    alert.save()  # a closed one beside it is fine
