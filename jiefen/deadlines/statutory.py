"""The statutory holidays that the law itself fixes, for years without the State Council's notice.

《全国年节及纪念日放假办法》 (as amended by 国务院令第795号, in force from 1 January 2025) gives
every citizen 13 days off a year: 元旦 1 day (1 January), 春节 4 days (农历除夕 to 正月初三),
清明节 1 day, 劳动节 2 days (1–2 May), 端午节 1 day, 中秋节 1 day and 国庆节 3 days
(1–3 October); its article 6 says that a holiday falling on a Saturday or Sunday is made up on a
working day. The lunar dates and the make-up rule are computed by the `holidays` package
(pinned in constraints.txt): its China calendar encodes the 2024 amendment, the
Saturday/Sunday rule ("observed") and the lunar dates to 2100. The `chinesecalendar` package,
which seeded the official years, only transcribes published notices and cannot say anything
about a year before its notice, so it cannot serve here.

What the law does not fix — the bridging days and weekend make-up working days (调休上班) that
each year's notice arranges — is not guessed: a deadline computed from this layer is
**provisional** and is recomputed when the year's notice is loaded (deadlines.services).

Pure: no database access. Years outside STATUTORY_FIRST_YEAR..STATUTORY_LAST_YEAR are unknown.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

# The amended rules are in force from 2025; earlier years are known only from their notices.
STATUTORY_FIRST_YEAR = 2025
# The package's lunar tables end with 2100; a period starting in 2099 may run into 2100, whose
# own days we still know, but a year after that we do not.
STATUTORY_LAST_YEAR = 2099

# The law's holidays of a year, by name, with the number of days each gives (13 in all).
STATUTORY_DAYS = {"元旦": 1, "春节": 4, "清明节": 1, "劳动节": 2, "端午节": 1, "中秋节": 1, "国庆节": 3}
_OBSERVED_MARK = "补假"
# A notice moves days (调休) without changing their number, except by a special decision (one
# extra day in 2015 for the 70th anniversary, two in 2020 when the Spring Festival was extended):
# more than this many extra days is an entry mistake, not a notice.
MAX_EXTRA_DAYS = 3


def covers(year: int) -> bool:
    """Whether the statutory layer knows `year`."""
    return STATUTORY_FIRST_YEAR <= year <= STATUTORY_LAST_YEAR


@lru_cache(maxsize=128)
def _package_days(year: int) -> tuple[tuple[date, str], ...]:
    from holidays.countries.china import China

    class _LawOnly(China):
        """The package's China calendar without the notices it transcribes (its "special"
        holidays): what remains is the law's holidays and the Saturday/Sunday make-up rule."""

        def _populate(self, year: int) -> None:
            self.has_special_holidays = False
            super()._populate(year)

    days = _LawOnly(years=year, language="zh_CN", categories=("public",))
    return tuple(sorted((d, str(name)) for d, name in days.items() if d.year == year))


def days_off(year: int) -> dict[date, str]:
    """The days off of `year` under the law: its holidays (weekend ones included) and the
    working days that make up for a holiday falling on a Saturday or Sunday (named "…（补假）").

    Raises ValueError outside the years the layer knows."""
    if not covers(year):
        raise ValueError(f"no statutory calendar for {year}")
    return dict(_package_days(year))


@lru_cache(maxsize=128)
def day_off_set(year: int) -> frozenset[date]:
    """`days_off(year)` as a set, kept per process (the due-date loop asks day by day)."""
    return frozenset(days_off(year))


def holidays_of_law(year: int) -> dict[date, str]:
    """The law's own holidays of `year` (13 days from 2025; weekend ones included), without the
    make-up days: what every notice must give as days off."""
    return {d: name for d, name in days_off(year).items() if _OBSERVED_MARK not in name}


def weekday_days_off(year: int) -> int:
    """How many Monday–Friday days off the law gives in `year`: its holidays on weekdays plus a
    make-up day for each one on a weekend. A notice moves days around (调休) but gives neither
    fewer nor, except by a special decision, more."""
    return sum(1 for d in days_off(year) if d.weekday() < 5)


def notice_errors(year: int, days_off_given: set[date], workdays_given: set[date]) -> list[str]:
    """What is wrong with a year's notice as entered, in the user's language (empty: plausible).

    `days_off_given`: every day off the notice lists (weekend days inside its ranges may be
    included or not); `workdays_given`: its make-up working days. Shared by
    `jiefen calendar-add-year`, the admin pages and `jiefen calendar-status`.
    """
    from django.utils.translation import gettext as _

    errors: list[str] = []
    if not any(d.weekday() < 5 for d in days_off_given):
        errors.append(_("The notice for %(year)s gives no day off on a weekday.") % {"year": year})
    for day in sorted(workdays_given):
        if day.weekday() < 5:
            errors.append(
                _("%(date)s is a weekday, so it cannot be a make-up working day.") % {"date": day.isoformat()}
            )
    if not covers(year):
        return errors
    for day, name in sorted(holidays_of_law(year).items()):
        if day in workdays_given:
            errors.append(
                _("%(date)s is a statutory holiday (%(name)s) and cannot be a working day.")
                % {"date": day.isoformat(), "name": name}
            )
        elif day.weekday() < 5 and day not in days_off_given:
            errors.append(
                _("%(date)s (%(name)s) is a statutory holiday but the notice does not give it off.")
                % {"date": day.isoformat(), "name": name}
            )
    net = sum(1 for d in days_off_given if d.weekday() < 5) - sum(
        1 for d in workdays_given if d.weekday() >= 5
    )
    law = weekday_days_off(year)
    if not law <= net <= law + MAX_EXTRA_DAYS:
        errors.append(
            _(
                "The notice gives %(net)s weekday days off net of make-up working days; the law gives "
                "%(law)s in %(year)s (its holidays, and a working day for each that falls on a weekend), "
                "so a notice gives between %(law)s and %(max)s."
            )
            % {"net": net, "law": law, "year": year, "max": law + MAX_EXTRA_DAYS}
        )
    return errors
