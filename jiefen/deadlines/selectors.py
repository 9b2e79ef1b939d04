"""Reads of the calendar and time-limit rules.

The calendar is a few hundred rows that change once a year; each process keeps it for a
minute (or until this process changes it) instead of reading it per deadline.
"""

from __future__ import annotations

import time
from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from jiefen.core.errors import NotFound
from jiefen.core.refcache import reference
from jiefen.deadlines.calendar import WorkCalendar, due_date
from jiefen.deadlines.models import CalendarDay, CalendarYear, TimeLimitRule

_TTL_SECONDS = 60.0
_cached: list[tuple[float, WorkCalendar]] = []


def calendar_invalidate() -> None:
    """Forget this process's copy of the calendar (after a change, or between tests)."""
    _cached.clear()


def work_calendar() -> WorkCalendar:
    """The calendar as the pure functions take it, cached per process for a minute."""
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
    rule = _time_limit_rule(code, province)
    if rule is None:
        raise NotFound(
            _("No time-limit rule %(code)s for this province.") % {"code": code},
            code="time_limit_rule_not_found",
        )
    return rule


@reference("deadlines.TimeLimitRule")
def _time_limit_rule(code: str, province: str) -> TimeLimitRule | None:
    rules = {r.province: r for r in TimeLimitRule.objects.filter(code=code, province__in=[province, ""])}
    return rules.get(province) or rules.get("")


def due_date_for(start: date, days: int, unit: str) -> date:
    """`calendar.due_date` on the database's calendar."""
    return due_date(start, days, unit, work_calendar())


def calendar_year_list() -> list[CalendarYear]:
    """The known years, each annotated with `holiday_count` and `workday_count` (stored exceptions)."""
    years = list(CalendarYear.objects.order_by("year"))
    counts = {
        row["date__year"]: row
        for row in CalendarDay.objects.order_by()
        .values("date__year")
        .annotate(
            holidays=Count("id", filter=Q(is_workday=False)), workdays=Count("id", filter=Q(is_workday=True))
        )
    }
    for y in years:
        row = counts.get(y.year, {})
        y.holiday_count = row.get("holidays", 0)  # type: ignore[attr-defined]
        y.workday_count = row.get("workdays", 0)  # type: ignore[attr-defined]
    return years
