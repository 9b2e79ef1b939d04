"""Notices for tests: an illustrative 2027 notice and a minimal notice for any year.

TEST_NOTICE_2027 is shaped like the State Council's notices (ranges with the weekends inside,
make-up Saturdays and Sundays) and satisfies the law's checks; it is not the published 2027
notice. `law_notice(year)` is the smallest valid notice: the statutory days off, no 调休.
"""

from __future__ import annotations

from datetime import date, timedelta

from jiefen.deadlines import statutory


def _range(first: date, last: date, name: str) -> list[tuple[date, str]]:
    return [(first + timedelta(days=i), name) for i in range((last - first).days + 1)]


HOLIDAYS_2027 = [
    *_range(date(2027, 1, 1), date(2027, 1, 3), "元旦"),
    *_range(date(2027, 2, 5), date(2027, 2, 11), "春节"),
    *_range(date(2027, 4, 3), date(2027, 4, 5), "清明节"),
    *_range(date(2027, 5, 1), date(2027, 5, 5), "劳动节"),
    (date(2027, 6, 9), "端午节"),
    (date(2027, 9, 15), "中秋节"),
    *_range(date(2027, 10, 1), date(2027, 10, 7), "国庆节"),
]
WORKDAYS_2027 = [
    (date(2027, 2, 20), "春节调休上班"),
    (date(2027, 5, 8), "劳动节调休上班"),
    (date(2027, 9, 26), "国庆节调休上班"),
    (date(2027, 10, 9), "国庆节调休上班"),
]
SOURCE_2027 = "国务院办公厅关于2027年部分节假日安排的通知（测试用）"


def law_notice(year: int) -> tuple[list[tuple[date, str]], list[tuple[date, str]]]:
    """(holidays, workdays) of a notice that gives exactly the statutory days off."""
    return sorted(statutory.days_off(year).items()), []


def load_2027(**kw):
    from jiefen.deadlines.services import calendar_year_add

    return calendar_year_add(
        year=2027, source=SOURCE_2027, holidays=HOLIDAYS_2027, workdays=WORKDAYS_2027, **kw
    )


def load_law_year(year: int):
    from jiefen.deadlines.services import calendar_year_add

    holidays, workdays = law_notice(year)
    return calendar_year_add(year=year, source=f"test notice {year}", holidays=holidays, workdays=workdays)
