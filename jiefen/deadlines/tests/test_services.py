"""calendar_year_add and calendar_day_set."""

from __future__ import annotations

from datetime import date

import pytest

from jiefen.core.errors import CalendarYearUnknown, Conflict, ValidationFailed
from jiefen.deadlines.models import CalendarDay, CalendarYear
from jiefen.deadlines.selectors import due_date_for, work_calendar
from jiefen.deadlines.services import calendar_day_set, calendar_year_add

pytestmark = pytest.mark.django_db

SOURCE_2027 = "国务院办公厅关于2027年部分节假日安排的通知"
# An illustrative 2027: Fri Jan 1 off; Feb 5–11 off (Fri–Thu, weekend included), Sun Feb 14 worked.
HOLIDAYS_2027 = [(date(2027, 1, 1), "元旦")] + [(date(2027, 2, d), "春节") for d in range(5, 12)]
WORKDAYS_2027 = [(date(2027, 2, 14), "春节调休上班")]


def test_adding_2027_makes_2027_dates_computable(django_capture_on_commit_callbacks):
    # given 2027 is unknown and the calendar is cached
    with pytest.raises(CalendarYearUnknown):
        due_date_for(date(2026, 12, 31), 1, "working")

    # when 2027 is added
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_add(year=2027, source=SOURCE_2027, holidays=HOLIDAYS_2027, workdays=WORKDAYS_2027)

    # then Fri Jan 1 is off, so one working day after Thu Dec 31 is Mon Jan 4
    assert due_date_for(date(2026, 12, 31), 1, "working") == date(2027, 1, 4)
    # and Thu Feb 4 + 1 working day skips Feb 5–11 and the weekend, landing on Fri Feb 12
    assert due_date_for(date(2027, 2, 4), 1, "working") == date(2027, 2, 12)
    # and the make-up Sunday counts
    assert due_date_for(date(2027, 2, 12), 1, "working") == date(2027, 2, 14)


def test_weekend_holidays_are_accepted_but_not_stored():
    # given the 2027 notice

    # when
    calendar_year_add(year=2027, source=SOURCE_2027, holidays=HOLIDAYS_2027, workdays=WORKDAYS_2027)

    # then Sat Feb 6 and Sun Feb 7 are not stored
    stored = set(CalendarDay.objects.filter(date__year=2027).values_list("date", flat=True))
    assert stored == {date(2027, 1, 1), *(date(2027, 2, d) for d in (5, 8, 9, 10, 11)), date(2027, 2, 14)}


def test_a_year_already_present_is_refused():
    # given 2026 is seeded

    # when / then
    with pytest.raises(Conflict) as caught:
        calendar_year_add(year=2026, source="x", holidays=[(date(2026, 1, 1), "元旦")], workdays=[])
    assert caught.value.code == "calendar_year_exists"


def test_replace_reloads_a_year(django_capture_on_commit_callbacks):
    # given 2027 added once
    calendar_year_add(year=2027, source=SOURCE_2027, holidays=HOLIDAYS_2027, workdays=WORKDAYS_2027)

    # when it is replaced with New Year only
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_add(
            year=2027,
            source=SOURCE_2027 + "（更正）",
            holidays=[(date(2027, 1, 1), "元旦")],
            workdays=[],
            replace=True,
        )

    # then
    assert list(CalendarDay.objects.filter(date__year=2027).values_list("date", flat=True)) == [
        date(2027, 1, 1)
    ]
    assert CalendarYear.objects.get(year=2027).source.endswith("（更正）")
    assert work_calendar().is_workday(date(2027, 2, 8))


def test_dates_outside_the_year_are_refused():
    # given a notice for 2027 with a 2028 date

    # when / then
    with pytest.raises(ValidationFailed):
        calendar_year_add(year=2027, source=SOURCE_2027, holidays=[(date(2028, 1, 1), "元旦")], workdays=[])
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_weekday_make_up_day_is_refused():
    # given Monday 2027-02-15 declared a make-up working day

    # when / then
    with pytest.raises(ValidationFailed):
        calendar_year_add(
            year=2027, source=SOURCE_2027, holidays=HOLIDAYS_2027, workdays=[(date(2027, 2, 15), "x")]
        )


def test_a_day_listed_as_holiday_and_workday_is_refused():
    # given Sunday 2027-02-14 listed twice

    # when / then
    with pytest.raises(ValidationFailed):
        calendar_year_add(
            year=2027, source=SOURCE_2027, holidays=[(date(2027, 2, 14), "春节")], workdays=WORKDAYS_2027
        )


def test_calendar_day_set_marks_a_day_off_and_back(django_capture_on_commit_callbacks):
    # given an ordinary Tuesday 2026-03-03
    day = date(2026, 3, 3)

    # when it is made a day off, then a working day again
    with django_capture_on_commit_callbacks(execute=True):
        row = calendar_day_set(day=day, is_workday=False, name="临时休假")
    off = work_calendar().is_workday(day)
    with django_capture_on_commit_callbacks(execute=True):
        back = calendar_day_set(day=day, is_workday=True)

    # then
    assert (row.name, off, back, work_calendar().is_workday(day)) == ("临时休假", False, None, True)
    assert not CalendarDay.objects.filter(date=day).exists()


def test_calendar_day_set_refuses_an_unknown_year():
    # given 2027 is unknown

    # when / then
    with pytest.raises(ValidationFailed):
        calendar_day_set(day=date(2027, 3, 3), is_workday=False)
