"""Due dates on the Chinese working-day calendar. Pure: no database access.

The calendar knows a year in one of two ways, in this order of trust: from the State Council's
notice (放假调休, with its make-up working days), or — for a later year whose notice is not
loaded yet — from the holidays the law itself fixes (deadlines.statutory). A due date whose
counting touched a year of the second kind is *provisional*. Beyond both there is no guess: a
year neither knows raises CalendarYearUnknown.

Counting follows 民法典 第200–203条 and 民事诉讼法 第85条: the start day is not counted; a
period in calendar days whose last day is a day off (statutory holiday or rest day) ends on
the next working day; a period in working days counts only working days, where weekends that
are make-up working days (调休) count and weekday holidays do not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from jiefen.core.errors import CalendarYearUnknown, ValidationFailed
from jiefen.deadlines import statutory

MAX_DAYS = 3660


@dataclass(frozen=True)
class WorkCalendar:
    """The years known from their notice (`years`, with their exceptions to the Monday–Friday
    week) and the years known only from the law (`statutory_years`)."""

    years: frozenset[int]
    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    statutory_years: frozenset[int] = field(default_factory=frozenset)

    def knows(self, year: int) -> bool:
        return year in self.years or year in self.statutory_years

    def is_provisional(self, year: int) -> bool:
        """Whether `year` is known from the law only (its notice not loaded)."""
        return year not in self.years and year in self.statutory_years

    def check(self, day: date) -> None:
        if not self.knows(day.year):
            raise CalendarYearUnknown(
                _(
                    "The working-day calendar knows nothing of %(year)s: neither the State Council's "
                    "holiday notice nor the statutory holidays (known for %(first)s–%(last)s) cover it."
                )
                % {
                    "year": day.year,
                    "first": statutory.STATUTORY_FIRST_YEAR,
                    "last": statutory.STATUTORY_LAST_YEAR,
                }
            )

    def is_workday(self, day: date) -> bool:
        if day.year in self.years:
            if day in self.workdays:
                return True
            if day in self.holidays:
                return False
            return day.weekday() < 5
        self.check(day)
        return day.weekday() < 5 and day not in statutory.day_off_set(day.year)

    def next_workday_on_or_after(self, day: date) -> date:
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day


@dataclass(frozen=True)
class Deadline:
    """A due day, and whether it rests on a year known from the law only (provisional)."""

    day: date
    provisional: bool


def deadline(
    start: date, days: int, unit: str, calendar: WorkCalendar, paused: Iterable[tuple[date, date]] = ()
) -> Deadline:
    """`due_date` with its provisional mark."""
    day = due_date(start, days, unit, calendar, paused)
    first = start + timedelta(days=1) if day > start else start
    provisional = any(calendar.is_provisional(y) for y in range(first.year, day.year + 1))
    return Deadline(day=day, provisional=provisional)


def due_date(
    start: date, days: int, unit: str, calendar: WorkCalendar, paused: Iterable[tuple[date, date]] = ()
) -> date:
    """The last day of a period of `days` starting after `start`.

    `paused` are (first, last) inclusive day ranges during which the clock stands still
    (中止: appraisal, testing, hearings); each paused day pushes the end one day later (one
    working day later for a working-day period, if the paused day is a working day).
    """
    if days < 0 or days > MAX_DAYS:
        raise ValidationFailed(
            _("The number of days must be between 0 and %(max)s.") % {"max": MAX_DAYS},
            fields={"days": [_("out of range")]},
        )
    if unit not in ("calendar", "working"):
        raise ValidationFailed(
            _("The unit must be 'calendar' or 'working'."), fields={"unit": [_("invalid")]}
        )
    paused_days: set[date] = set()
    for first, last in paused:
        # An inverted or open-ended range (e.g. date.max for "until further notice") would be
        # ignored silently or loop until OverflowError; refuse it instead.
        if last < first or (last - first).days >= MAX_DAYS or len(paused_days) > MAX_DAYS:
            raise ValidationFailed(
                _("A paused interval must end on or after its start and be shorter than %(max)s days.")
                % {"max": MAX_DAYS},
                fields={"paused": [_("invalid")]},
            )
        d = first
        while d <= last:
            paused_days.add(d)
            d += timedelta(days=1)
    calendar.check(start)
    day = start
    remaining = days
    if unit == "calendar":
        while remaining > 0:
            day += timedelta(days=1)
            if day not in paused_days:
                remaining -= 1
        if days == 0:
            return day
        return calendar.next_workday_on_or_after(day)
    while remaining > 0:
        day += timedelta(days=1)
        if calendar.is_workday(day) and day not in paused_days:
            remaining -= 1
    return day


def working_days_between(first: date, last: date, calendar: WorkCalendar) -> int:
    """Working days after `first` up to and including `last` (0 when last <= first)."""
    n = 0
    day = first
    while day < last:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            n += 1
    return n
