"""Reads of the calendar and time-limit rules.

The calendar is a few hundred rows that change once a year; each process keeps it for a
minute (or until this process changes it) instead of reading it per deadline.
"""

from __future__ import annotations

import time
from datetime import date

from jiefen.deadlines.calendar import WorkCalendar, due_date
from jiefen.deadlines.models import CalendarDay, CalendarYear, TimeLimitRule

_TTL_SECONDS = 60.0
_cached: list[tuple[float, WorkCalendar]] = []


def calendar_invalidate() -> None:
    _cached.clear()


def work_calendar() -> WorkCalendar:
    if _cached and time.monotonic() - _cached[0][0] < _TTL_SECONDS:
        return _cached[0][1]
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    holidays, workdays = set(), set()
    for d, is_work in CalendarDay.objects.values_list("date", "is_workday"):
        (workdays if is_work else holidays).add(d)
    cal = WorkCalendar(years=years, holidays=frozenset(holidays), workdays=frozenset(workdays))
    _cached[:] = [(time.monotonic(), cal)]
    return cal


def time_limit_rule(code: str, province: str = "") -> TimeLimitRule:
    """The province's variant of a rule when it has one, else the national rule."""
    rules = {r.province: r for r in TimeLimitRule.objects.filter(code=code, province__in=[province, ""])}
    return rules.get(province) or rules[""]


def due_date_for(start: date, days: int, unit: str) -> date:
    return due_date(start, days, unit, work_calendar())
