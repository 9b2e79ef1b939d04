"""The pure due-date function on a hand-built calendar and on chinesecalendar's data (no database)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from chinese_calendar import constants
from hypothesis import given
from hypothesis import strategies as st

from jiefen.core.errors import CalendarYearUnknown, ValidationFailed
from jiefen.deadlines.calendar import MAX_DAYS, WorkCalendar, due_date, working_days_between

# 2030-01-01 is a Tuesday: a holiday; Saturday 2030-01-05 is a make-up working day.
TINY = WorkCalendar(
    years=frozenset({2030}),
    holidays=frozenset({date(2030, 1, 1)}),
    workdays=frozenset({date(2030, 1, 5)}),
)

REAL = WorkCalendar(
    years=frozenset(range(2004, 2027)),
    holidays=frozenset(d for d in constants.holidays if d.weekday() < 5),
    workdays=frozenset(constants.workdays),
)


def test_start_day_is_not_counted():
    # given a Monday 2030-01-07
    start = date(2030, 1, 7)

    # when one calendar day is counted
    due = due_date(start, 1, "calendar", TINY)

    # then the period ends the day after
    assert due == date(2030, 1, 8)


def test_working_days_counted_from_a_holiday():
    # given the holiday Tuesday 2030-01-01 (the only year known is 2030)
    start = date(2030, 1, 1)

    # when three working days are counted
    due = due_date(start, 3, "working", TINY)

    # then Wed 2, Thu 3, Fri 4 are working days
    assert due == date(2030, 1, 4)


def test_make_up_saturday_counts_as_a_working_day():
    # given Friday 2030-01-04, followed by the make-up Saturday
    start = date(2030, 1, 4)

    # when one working day is counted
    due = due_date(start, 1, "working", TINY)

    # then it is the Saturday
    assert due == date(2030, 1, 5)


def test_calendar_period_ending_on_a_rest_day_moves_to_the_next_working_day():
    # given Wednesday 2030-01-02; 4 days later is Sunday 2030-01-06
    start = date(2030, 1, 2)

    # when four calendar days are counted
    due = due_date(start, 4, "calendar", TINY)

    # then the period ends on Monday
    assert due == date(2030, 1, 7)


def test_calendar_period_ending_on_the_make_up_saturday_ends_there():
    # given Wednesday 2030-01-02
    start = date(2030, 1, 2)

    # when three calendar days are counted
    due = due_date(start, 3, "calendar", TINY)

    # then the period ends on the make-up Saturday
    assert due == date(2030, 1, 5)


def test_paused_days_push_a_calendar_period():
    # given Monday 2030-03-04 with the clock stopped Thu 7 to Sat 9 March
    start, paused = date(2030, 3, 4), [(date(2030, 3, 7), date(2030, 3, 9))]

    # when ten calendar days are counted
    due = due_date(start, 10, "calendar", TINY, paused=paused)

    # then the 14th becomes the 17th, a Sunday, so Monday the 18th
    assert due == date(2030, 3, 18)


def test_paused_working_days_push_a_working_day_period():
    # given Monday 2030-03-04 with the clock stopped Wed 6 and Thu 7 March
    start, paused = date(2030, 3, 4), [(date(2030, 3, 6), date(2030, 3, 7))]

    # when five working days are counted
    due = due_date(start, 5, "working", TINY, paused=paused)

    # then Monday the 11th becomes Wednesday the 13th
    assert due == date(2030, 3, 13)


def test_a_year_outside_the_calendar_is_refused_with_a_stable_code():
    # given a period running from 2030 into 2031, which the calendar does not know
    start = date(2030, 12, 20)

    # when it is computed
    with pytest.raises(CalendarYearUnknown) as caught:
        due_date(start, 30, "calendar", TINY)

    # then the error names the missing year
    assert caught.value.code == "calendar_year_unknown"
    assert "2031" in str(caught.value)


def test_a_start_outside_the_calendar_is_refused():
    # given a start in 2029
    start = date(2029, 6, 1)

    # when / then
    with pytest.raises(CalendarYearUnknown):
        due_date(start, 1, "calendar", TINY)


@pytest.mark.parametrize("days", [-1, MAX_DAYS + 1])
def test_days_out_of_range_are_refused(days):
    # given a valid start
    start = date(2030, 1, 7)

    # when / then
    with pytest.raises(ValidationFailed) as caught:
        due_date(start, days, "calendar", TINY)
    assert "days" in caught.value.fields


def test_an_unknown_unit_is_refused():
    # given a valid start
    start = date(2030, 1, 7)

    # when / then
    with pytest.raises(ValidationFailed) as caught:
        due_date(start, 3, "fortnights", TINY)
    assert "unit" in caught.value.fields


@pytest.mark.parametrize(
    ("start", "days", "unit", "expected"),
    [
        # Checked by hand against the State Council's notice on the 2026 holidays:
        # Feb 11–13 are 3, make-up Sat Feb 14 is 4, Feb 15–23 off, Feb 24–26 are 5–7.
        (date(2026, 2, 10), 7, "working", date(2026, 2, 26)),
        # Sep 20 + 15 = Mon Oct 5, inside 国庆 (Oct 1–7): next working day Thu Oct 8.
        (date(2026, 9, 20), 15, "calendar", date(2026, 10, 8)),
        # Feb 4 + 10 = Sat Feb 14, a make-up working day: the period ends there.
        (date(2026, 2, 4), 10, "calendar", date(2026, 2, 14)),
        # Jan 2 (Fri) and Jan 3 (Sat) are off, Sun Jan 4 is a make-up working day.
        (date(2026, 1, 1), 3, "working", date(2026, 1, 6)),
        # Apr 30 + 5 = Tue May 5, the last day of 劳动节: ends Wed May 6.
        (date(2026, 4, 30), 5, "calendar", date(2026, 5, 6)),
    ],
)
def test_hand_checked_2026_examples(start, days, unit, expected):
    # given chinesecalendar's data as the calendar
    calendar = REAL

    # when
    due = due_date(start, days, unit, calendar)

    # then
    assert due == expected


def test_national_day_example_agrees_with_chinese_calendar():
    # given the first working day on or after 2026-10-05 according to chinesecalendar itself
    expected = chinese_calendar.find_workday(0, date(2026, 10, 5))

    # when fifteen calendar days are counted from 2026-09-20
    due = due_date(date(2026, 9, 20), 15, "calendar", REAL)

    # then both agree
    assert due == expected


starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2025, 12, 31))


@given(start=starts, n=st.integers(min_value=1, max_value=200))
def test_working_day_period_ends_on_a_working_day_n_working_days_later(start, n):
    # given a start between 2004 and 2025 and n working days

    # when
    due = due_date(start, n, "working", REAL)

    # then
    assert chinese_calendar.is_workday(due)
    assert working_days_between(start, due, REAL) == n


@given(start=starts, n=st.integers(min_value=1, max_value=300))
def test_calendar_period_ends_on_a_working_day_no_earlier_than_n_days_later(start, n):
    # given a start between 2004 and 2025 and n calendar days

    # when
    due = due_date(start, n, "calendar", REAL)

    # then the end is a working day, at or after the nominal end, with only days off between
    nominal = start + timedelta(days=n)
    assert chinese_calendar.is_workday(due)
    assert due >= nominal
    assert chinese_calendar.is_workday(nominal) == (due == nominal)
    assert working_days_between(nominal, due - timedelta(days=1), REAL) == 0


@pytest.mark.parametrize(
    "paused",
    [
        [(date(2030, 3, 9), date(2030, 3, 7))],
        [(date(2030, 3, 7), date.max)],
    ],
)
def test_inverted_or_open_ended_pauses_are_refused(paused):
    # given a start and a malformed pause
    start = date(2030, 3, 4)

    # when / then
    with pytest.raises(ValidationFailed) as caught:
        due_date(start, 10, "calendar", TINY, paused=paused)
    assert "paused" in caught.value.fields


def test_the_two_packages_agree_on_the_official_years_of_the_amended_law():
    # The statutory layer comes from `holidays`, the seeded official years from `chinesecalendar`:
    # where both transcribe a published notice (2025, 2026) they must say the same thing, or one
    # of them is wrong and the choice between them would matter.
    import chinese_calendar
    from holidays.countries.china import China

    for year in (2025, 2026):
        pkg = China(years=year, categories=("public",))
        off_holidays = {d for d in pkg if d.year == year and d.weekday() < 5}
        work_holidays = {d for d in pkg.weekend_workdays if d.year == year}
        off_cc = {d for d in chinese_calendar.constants.holidays if d.year == year and d.weekday() < 5}
        work_cc = {d for d in chinese_calendar.constants.workdays if d.year == year and d.weekday() >= 5}
        assert (off_holidays, work_holidays) == (off_cc, work_cc), year
