"""The calendar and the time-limit rules the migrations seed."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from jiefen.core.errors import CalendarYearUnknown, NotFound
from jiefen.deadlines.models import CalendarDay, CalendarYear, TimeLimitRule
from jiefen.deadlines.selectors import deadline_for, time_limit_rule, work_calendar

pytestmark = pytest.mark.django_db

NATIONAL_CODES = [
    "petition.register",
    "petition.notify",
    "petition.objection",
    "petition.handle",
    "petition.review_request",
    "petition.review_opinion",
    "petition.recheck_request",
    "petition.recheck_opinion",
    "people_mediation.handle",
    "judicial_confirmation.apply",
    "judicial_confirmation.accept",
    "judicial_confirmation.decide",
    "labour_mediation.handle",
    "labour_arbitration.accept",
    "labour_arbitration.award",
    "labour.limitation",
    "entrusted_mediation.pre_filing",
    "entrusted_mediation.after_filing",
    "entrusted_mediation.after_filing_simple",
    "legal_aid.decide",
    "legal_aid.assign",
    "legal_aid.objection",
    "consumer.accept",
    "consumer.mediate",
    "case.accept",
    "case.handle",
]


def test_seeded_years_are_2004_to_2026_with_their_notice():
    # given the migrated database

    # when
    years = list(CalendarYear.objects.values_list("year", "source"))

    # then
    assert [y for y, _ in years] == list(range(2004, 2027))
    assert years[-1][1].startswith("国务院办公厅关于2026年部分节假日安排的通知（据 chinesecalendar ")


def test_seeded_calendar_agrees_with_chinese_calendar_on_every_day():
    # given the calendar read from the database
    calendar = work_calendar()
    days = [
        date(2004, 1, 1) + timedelta(days=i) for i in range((date(2026, 12, 31) - date(2004, 1, 1)).days + 1)
    ]

    # when
    disagreements = [d for d in days if calendar.is_workday(d) != chinese_calendar.is_workday(d)]

    # then
    assert disagreements == []


def test_only_exceptions_to_the_ordinary_week_are_stored():
    # given the migrated database

    # when
    weekend_days_off = CalendarDay.objects.filter(is_workday=False, date__week_day__in=[1, 7]).count()
    weekday_workdays = CalendarDay.objects.filter(is_workday=True, date__week_day__in=[2, 3, 4, 5, 6]).count()

    # then
    assert (weekend_days_off, weekday_workdays) == (0, 0)


def test_make_up_days_carry_a_chinese_name():
    # given Saturday 2026-02-14, a make-up working day before 春节

    # when
    day = CalendarDay.objects.get(date=date(2026, 2, 14))

    # then
    assert (day.is_workday, day.name) == (True, "春节调休上班")


def test_seven_working_days_from_2026_02_10_on_the_seeded_calendar():
    # given the seeded calendar

    # when
    due = deadline_for(date(2026, 2, 10), 7, "working").day

    # then
    assert due == date(2026, 2, 26)


def test_national_day_on_the_seeded_calendar():
    # given the seeded calendar

    # when
    due = deadline_for(date(2026, 9, 20), 15, "calendar").day

    # then it is chinesecalendar's first working day on or after 2026-10-05
    assert due == chinese_calendar.find_workday(0, date(2026, 10, 5))
    assert due == date(2026, 10, 8)


def test_2027_is_provisional_on_the_seeded_calendar():
    # given a period crossing into 2027, whose notice is not seeded

    # when
    due = deadline_for(date(2026, 12, 31), 1, "working")

    # then 元旦 (Fri) is skipped and the date is marked provisional
    assert (due.day, due.provisional) == (date(2027, 1, 4), True)


def test_2100_is_unknown_on_the_seeded_calendar():
    # given a period reaching past the statutory layer

    # when / then
    with pytest.raises(CalendarYearUnknown) as caught:
        deadline_for(date(2100, 12, 31), 1, "working")
    assert caught.value.code == "calendar_year_unknown"


@pytest.mark.parametrize("code", NATIONAL_CODES)
def test_every_national_rule_is_seeded_with_a_source(code):
    # given the migrated database

    # when
    rule = time_limit_rule(code)

    # then
    assert (rule.province, rule.days > 0, bool(rule.source)) == ("", True, True)


@pytest.mark.parametrize(
    ("code", "days", "unit", "extension_days"),
    [
        ("petition.register", 15, "calendar", 0),
        ("petition.objection", 5, "working", 0),
        ("petition.handle", 60, "calendar", 30),
        ("judicial_confirmation.decide", 15, "calendar", 10),
        ("labour_arbitration.award", 45, "calendar", 15),
        ("consumer.mediate", 45, "working", 0),
        ("case.accept", 3, "working", 0),
        ("case.handle", 30, "calendar", 0),
    ],
)
def test_national_rules_carry_the_law_s_numbers(code, days, unit, extension_days):
    # given the migrated database

    # when
    rule = time_limit_rule(code)

    # then
    assert (rule.days, rule.unit, rule.extension_days) == (days, unit, extension_days)


@pytest.mark.parametrize(
    ("code", "days", "unit", "source"),
    [
        ("petition.register", 5, "working", "浙江省信访条例(2016)"),
        ("petition.handle", 30, "calendar", "浙江省信访条例(2016)"),
        ("labour_arbitration.award_simple", 30, "calendar", "浙江省劳动人事争议调解仲裁条例 第39条"),
    ],
)
def test_zhejiang_variant_is_picked_for_province_33(code, days, unit, source):
    # given the migrated database

    # when
    rule = time_limit_rule(code, province="33")

    # then
    assert (rule.province, rule.days, rule.unit, rule.source) == ("33", days, unit, source)


def test_another_province_falls_back_to_the_national_rule():
    # given Shanghai (31) has no variant

    # when
    rule = time_limit_rule("petition.handle", province="31")

    # then
    assert (rule.province, rule.days) == ("", 60)


def test_a_rule_without_national_or_provincial_row_is_not_found():
    # given the Zhejiang-only simple-procedure award

    # when / then
    with pytest.raises(NotFound) as caught:
        time_limit_rule("labour_arbitration.award_simple", province="31")
    assert caught.value.code == "time_limit_rule_not_found"


def test_rule_count():
    # given the migrated database

    # when
    national = TimeLimitRule.objects.filter(province="", code__in=NATIONAL_CODES).count()
    zhejiang = TimeLimitRule.objects.filter(province="33").count()

    # then 26 national rules from this app's migration and 3 Zhejiang variants
    assert national == len(NATIONAL_CODES)
    assert zhejiang == 3
