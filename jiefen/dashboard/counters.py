"""What one case contributes to the dashboard's counters. Pure: no database access.

The incremental path (services.on_case_written) adds `delta(old, new)`; the rebuild sums
`contributions(facts)` over every case. Because both go through `contributions`, an
incremental history and a rebuild agree whenever `old` is what was counted before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from jiefen.cases.choices import OPEN_STATUSES, ResolvedLevel
from jiefen.deadlines.calendar import WorkCalendar

COLUMNS = (
    "received",
    "open",
    "resolved_village",
    "resolved_town",
    "resolved_county",
    "resolved_statutory",
    "resolve_workdays",
)
_RESOLVED_COLUMN = {
    ResolvedLevel.VILLAGE: 2,
    ResolvedLevel.TOWN: 3,
    ResolvedLevel.COUNTY: 4,
    ResolvedLevel.STATUTORY: 5,
}

Key = tuple[int, str, str, date]  # (region_id, dim, value, day)


@dataclass(frozen=True)
class Facts:
    """The figures-relevant summary of one case."""

    regions: tuple[int, ...]
    received_on: date
    category: str
    channel: str
    is_open: bool
    resolved_level: str = ""
    resolved_on: date | None = None
    resolve_workdays: int = 0
    themes: tuple[str, ...] = ()


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def contributions(f: Facts) -> dict[Key, list[int]]:
    dims = (("", ""), ("category", f.category), ("channel", f.channel))
    received = [1, int(f.is_open), 0, 0, 0, 0, 0]
    out: dict[Key, list[int]] = {
        (region, dim, value, f.received_on): list(received) for region in f.regions for dim, value in dims
    }
    if f.resolved_level in _RESOLVED_COLUMN and f.resolved_on is not None:
        resolved = [0] * len(COLUMNS)
        resolved[_RESOLVED_COLUMN[f.resolved_level]] = 1
        resolved[6] = f.resolve_workdays
        add_into(
            out,
            {(region, dim, value, f.resolved_on): resolved for region in f.regions for dim, value in dims},
        )
    if f.themes:
        add_into(out, theme_contributions(f.regions, f.received_on, f.themes))
    return out


def theme_contributions(
    regions: tuple[int, ...], received_on: date, themes: tuple[str, ...]
) -> dict[Key, list[int]]:
    """The theme rows of a case (a part of `contributions`, computed apart by the rebuild)."""
    return {
        (region, "theme", theme, received_on): [1, 0, 0, 0, 0, 0, 0] for region in regions for theme in themes
    }


def scaled(part: dict[Key, list[int]], n: int) -> dict[Key, list[int]]:
    return {k: [v * n for v in vec] for k, vec in part.items()} if n != 1 else part


def delta(old: Facts | None, new: Facts | None) -> dict[Key, list[int]]:
    """new − old, without the rows that do not change."""
    out = contributions(new) if new is not None else {}
    if old is not None:
        for key, vec in contributions(old).items():
            row = out.setdefault(key, [0] * len(COLUMNS))
            for i, v in enumerate(vec):
                row[i] -= v
    return {k: v for k, v in out.items() if any(v)}


def add_into(total: dict[Key, list[int]], part: dict[Key, list[int]]) -> None:
    get = total.get
    for key, vec in part.items():
        row = get(key)
        total[key] = list(vec) if row is None else [a + b for a, b in zip(row, vec, strict=True)]


def themes_of(text: str, themes: Iterable[tuple[str, list[str]]]) -> tuple[str, ...]:
    return tuple(sorted(code for code, words in themes if any(w and w in text for w in words)))


class WorkdayIndex:
    """Working days between two dates in O(1) after a per-year prefix table.

    Known years follow the official calendar (调休 included); a year the calendar does not know
    counts Monday–Friday. That approximation is only used for the statistic "average working
    days to resolve", never for a deadline (deadlines refuse unknown years).
    """

    EPOCH = 2000

    def __init__(self, calendar: WorkCalendar):
        self.calendar = calendar
        self._prefix: dict[int, list[int]] = {}
        self._before: dict[int, int] = {}

    def _is_workday(self, day: date) -> bool:
        if day.year in self.calendar.years:
            return self.calendar.is_workday(day)
        return day.weekday() < 5

    def _year(self, year: int) -> list[int]:
        prefix = self._prefix.get(year)
        if prefix is None:
            day, n, prefix = date(year, 1, 1), 0, []
            while day.year == year:
                n += self._is_workday(day)
                prefix.append(n)
                day += timedelta(days=1)
            self._prefix[year] = prefix
        return prefix

    def ordinal(self, day: date) -> int:
        """Working days from 1 Jan 2000 up to and including `day`."""
        year = max(day.year, self.EPOCH)
        before = self._before.get(year)
        if before is None:
            before = sum(self._year(y)[-1] for y in range(self.EPOCH, year))
            self._before[year] = before
        if day.year < self.EPOCH:
            return 0
        return before + self._year(year)[day.timetuple().tm_yday - 1]

    def between(self, first: date, last: date) -> int:
        """Working days after `first` up to and including `last` (deadlines.calendar semantics)."""
        if last <= first:
            return 0
        return self.ordinal(last) - self.ordinal(first)
