"""calendar_year_add and calendar_day_set."""

from __future__ import annotations

from datetime import date

import pytest

from jiefen.core.errors import Conflict, ValidationFailed
from jiefen.deadlines.models import CalendarDay, CalendarYear
from jiefen.deadlines.selectors import deadline_for, work_calendar
from jiefen.deadlines.services import calendar_day_set, calendar_year_add
from jiefen.deadlines.tests.notices import HOLIDAYS_2027, SOURCE_2027, WORKDAYS_2027, load_2027

pytestmark = pytest.mark.django_db


def test_adding_2027_makes_2027_dates_official(django_capture_on_commit_callbacks):
    # given 2027 is known from the law only: one working day after Thu 2026-12-31 skips 元旦
    before = deadline_for(date(2026, 12, 31), 1, "working")
    assert (before.day, before.provisional) == (date(2027, 1, 4), True)

    # when the notice is loaded
    with django_capture_on_commit_callbacks(execute=True):
        load = load_2027()

    # then dates in 2027 are official and follow the notice
    assert load.changed
    after = deadline_for(date(2026, 12, 31), 1, "working")
    assert (after.day, after.provisional) == (date(2027, 1, 4), False)
    # Thu Feb 4 + 1 working day skips Feb 5–11 (the notice's 春节) and lands on Fri Feb 12
    assert deadline_for(date(2027, 2, 4), 1, "working").day == date(2027, 2, 12)
    # and the make-up Saturday counts
    assert deadline_for(date(2027, 2, 19), 1, "working").day == date(2027, 2, 20)


def test_weekend_holidays_are_accepted_but_not_stored():
    # given the 2027 notice

    # when
    load_2027()

    # then only weekday days off and weekend working days are stored
    stored = dict(CalendarDay.objects.filter(date__year=2027).values_list("date", "is_workday"))
    assert all(day.weekday() < 5 for day, work in stored.items() if not work)
    assert all(day.weekday() >= 5 for day, work in stored.items() if work)
    assert date(2027, 2, 6) not in stored and stored[date(2027, 2, 20)] is True
    assert sum(1 for w in stored.values() if not w) == 17


def test_the_same_notice_twice_changes_nothing():
    # given 2027 loaded
    load_2027()
    rows = list(CalendarDay.objects.filter(date__year=2027).values_list("pk", "date"))

    # when the same notice is loaded again
    again = load_2027()

    # then
    assert (again.changed, again.recomputed) == (False, 0)
    assert list(CalendarDay.objects.filter(date__year=2027).values_list("pk", "date")) == rows


def test_another_notice_for_a_year_already_present_is_refused():
    # given 2027 loaded
    load_2027()

    # when / then a different notice without replace
    with pytest.raises(Conflict) as caught:
        calendar_year_add(
            year=2027,
            source=SOURCE_2027,
            holidays=HOLIDAYS_2027 + [(date(2027, 10, 8), "国庆节")],
            workdays=WORKDAYS_2027,
        )
    assert caught.value.code == "calendar_year_exists"


def test_replace_reloads_a_year(django_capture_on_commit_callbacks):
    # given 2027 added once
    load_2027()

    # when it is replaced by a corrected notice (Fri Oct 8 off too, Sat Oct 9 no longer worked)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_add(
            year=2027,
            source=SOURCE_2027 + "（更正）",
            holidays=HOLIDAYS_2027 + [(date(2027, 10, 8), "国庆节")],
            workdays=WORKDAYS_2027[:3],
            replace=True,
        )

    # then
    assert CalendarYear.objects.get(year=2027).source.endswith("（更正）")
    assert not work_calendar().is_workday(date(2027, 10, 8))
    assert not work_calendar().is_workday(date(2027, 10, 9))


def test_an_empty_or_partial_notice_is_refused_with_the_reason():
    # given a 2027 notice with New Year only

    # when / then
    with pytest.raises(ValidationFailed) as caught:
        calendar_year_add(year=2027, source=SOURCE_2027, holidays=[(date(2027, 1, 1), "元旦")], workdays=[])
    assert caught.value.code == "calendar_notice_invalid"
    assert "2027-02-05" in str(caught.value) and "13" in str(caught.value)
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_notice_with_far_too_many_days_off_is_refused():
    # given an entry mistake: the whole of February off
    holidays = HOLIDAYS_2027 + [
        (date(2027, m, d), "春节")
        for m, d in [(2, 12), *((2, d) for d in range(15, 20)), *((3, d) for d in range(1, 6))]
    ]

    # when / then
    with pytest.raises(ValidationFailed) as caught:
        calendar_year_add(year=2027, source=SOURCE_2027, holidays=holidays, workdays=WORKDAYS_2027)
    assert "between 13 and 16" in str(caught.value)


def test_a_statutory_holiday_as_make_up_day_is_refused():
    # given Sat 2027-02-06 (正月初一) declared worked

    # when / then
    with pytest.raises(ValidationFailed) as caught:
        calendar_year_add(
            year=2027,
            source=SOURCE_2027,
            holidays=[h for h in HOLIDAYS_2027 if h[0] != date(2027, 2, 6)],
            workdays=[(date(2027, 2, 6), "x")],
        )
    assert "statutory holiday" in str(caught.value)


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
    # given Saturday 2027-02-20 listed as a day off and as a make-up working day

    # when / then
    with pytest.raises(ValidationFailed) as caught:
        calendar_year_add(
            year=2027,
            source=SOURCE_2027,
            holidays=HOLIDAYS_2027 + [(date(2027, 2, 20), "春节")],
            workdays=WORKDAYS_2027,
        )
    assert "listed twice" in str(caught.value)


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


def test_calendar_day_set_refuses_a_year_without_its_notice():
    # given 2027 has no notice loaded

    # when / then
    with pytest.raises(ValidationFailed):
        calendar_day_set(day=date(2027, 3, 3), is_workday=False)


def test_calendar_day_set_refuses_to_make_a_statutory_holiday_a_working_day():
    # given 2026 is loaded and Thu 2026-10-01 is 国庆节

    # when / then
    with pytest.raises(ValidationFailed) as caught:
        calendar_day_set(day=date(2026, 10, 1), is_workday=True)
    assert caught.value.code == "statutory_holiday"
    assert not work_calendar().is_workday(date(2026, 10, 1))
