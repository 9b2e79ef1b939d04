"""Reads of the calendar and time-limit rules.

The calendar is a few hundred rows that change once a year; each process keeps it for a
minute (or until this process changes it) instead of reading it per deadline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from jiefen.core import clock
from jiefen.core.errors import NotFound
from jiefen.core.refcache import reference
from jiefen.deadlines import statutory
from jiefen.deadlines.calendar import Deadline, WorkCalendar, deadline
from jiefen.deadlines.models import CalendarDay, CalendarYear, TimeLimitRule

_TTL_SECONDS = 60.0
_cached: list[tuple[float, WorkCalendar]] = []


def calendar_invalidate() -> None:
    """Forget this process's copy of the calendar (after a change, or between tests)."""
    _cached.clear()
    _outlooks.clear()


def work_calendar() -> WorkCalendar:
    """The calendar as the pure functions take it, cached per process for a minute."""
    if _cached and time.monotonic() - _cached[0][0] < _TTL_SECONDS:
        return _cached[0][1]
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    holidays: set[date] = set()
    workdays: set[date] = set()
    for d, is_work in CalendarDay.objects.values_list("date", "is_workday"):
        (workdays if is_work else holidays).add(d)
    law_years = frozenset(range(statutory.STATUTORY_FIRST_YEAR, statutory.STATUTORY_LAST_YEAR + 1)) - years
    cal = WorkCalendar(
        years=years,
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        statutory_years=law_years,
    )
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


def deadline_for(start: date, days: int, unit: str) -> Deadline:
    """`calendar.deadline` on the database's calendar: the due day and its provisional mark."""
    return deadline(start, days, unit, work_calendar())


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


# From this day of the year on, next year's notice is expected (the State Council publishes it
# in October–November); before it, its absence is normal.
NOTICE_EXPECTED_FROM = (11, 1)


@dataclass(frozen=True)
class CalendarOutlook:
    """What the calendar knows of this and next year, for the warnings people see.

    level: "ok"; "warning" (from 1 November, next year's notice missing or implausible);
    "urgent" (this year's notice missing: deadlines running now are provisional). `years`: the
    years concerned; `problems`: what is wrong with a loaded notice. The message is worded when
    read, in the reader's language.
    """

    level: str
    year: int
    years: tuple[int, ...] = ()
    problems: tuple[str, ...] = ()
    next_loaded: bool = True

    @property
    def ok(self) -> bool:
        return self.level == "ok"

    @property
    def message(self) -> str:
        if self.level == "urgent":
            return _(
                "The State Council's holiday notice for %(year)s is not loaded: deadlines in %(year)s are "
                "provisional, counted on the statutory holidays only, and may move. An administrator "
                "must load the notice now (jiefen calendar-add-year %(year)s, or Admin → calendar years)."
            ) % {"year": self.year}
        if self.level == "warning":
            return _(
                "The State Council's holiday notice for %(year)s is not loaded yet: deadlines reaching "
                "into %(year)s are provisional, counted on the statutory holidays only. Load the notice "
                "as soon as it is published (jiefen calendar-add-year %(year)s, or Admin → calendar years)."
            ) % {"year": self.year + 1}
        if not self.next_loaded:
            return _(
                "The calendar has the official notice for %(year)s; the notice for %(next)s is expected "
                "from November."
            ) % {"year": self.year, "next": self.year + 1}
        return _("The calendar has the official notices for %(year)s and %(next)s.") % {
            "year": self.year,
            "next": self.year + 1,
        }


def calendar_year_errors(year: int) -> list[str]:
    """`statutory.notice_errors` for a year as stored ([] for a year not loaded)."""
    holidays: set[date] = set()
    workdays: set[date] = set()
    for d, is_work in CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"):
        (workdays if is_work else holidays).add(d)
    return statutory.notice_errors(year, holidays, workdays)


_outlooks: dict[date, tuple[float, CalendarOutlook]] = {}


def calendar_outlook(today: date | None = None) -> CalendarOutlook:
    """Whether the official notices that matter today are loaded (and plausible); kept per
    process for a minute like the calendar (staff pages ask on every request)."""
    today = today or clock.today()
    hit = _outlooks.get(today)
    if hit is not None and time.monotonic() - hit[0] < _TTL_SECONDS:
        return hit[1]
    outlook = _calendar_outlook(today)
    _outlooks.clear()
    _outlooks[today] = (time.monotonic(), outlook)
    return outlook


def _calendar_outlook(today: date) -> CalendarOutlook:
    official = set(CalendarYear.objects.values_list("year", flat=True))
    errors = {y: calendar_year_errors(y) for y in (today.year, today.year + 1) if y in official}
    problems = tuple(e for year_errors in errors.values() for e in year_errors)
    loaded = {y for y in official if not errors.get(y)}
    missing_now = today.year not in loaded
    missing_next = (today.month, today.day) >= NOTICE_EXPECTED_FROM and today.year + 1 not in loaded
    if missing_now:
        years = (today.year, today.year + 1) if missing_next else (today.year,)
        return CalendarOutlook(level="urgent", year=today.year, years=years, problems=problems)
    if missing_next:
        return CalendarOutlook(level="warning", year=today.year, years=(today.year + 1,), problems=problems)
    return CalendarOutlook(
        level="ok", year=today.year, problems=problems, next_loaded=today.year + 1 in loaded
    )
