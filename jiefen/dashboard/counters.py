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
    out: dict[Key, list[int]] = {}
    add_contributions(out, f)
    return out


def add_contributions(total: dict[Key, list[int]], f: Facts, n: int = 1) -> None:
    """`add_into(total, scaled(contributions(f), n))` without the intermediate dicts: the rows
    of `total` are changed in place (they must be its own lists, as add_into makes them).
    A region or theme named twice counts once, as in a dict of contributions."""
    dims = (("", ""), ("category", f.category), ("channel", f.channel))
    regions, themes = f.regions, f.themes
    if len(regions) > 1 and len(set(regions)) != len(regions):
        regions = tuple(dict.fromkeys(regions))
    if len(themes) > 1 and len(set(themes)) != len(themes):
        themes = tuple(dict.fromkeys(themes))
    opened = n if f.is_open else 0
    get = total.get
    for region in regions:
        for dim, value in dims:
            key = (region, dim, value, f.received_on)
            row = get(key)
            if row is None:
                total[key] = [n, opened, 0, 0, 0, 0, 0]
            else:
                row[0] += n
                row[1] += opened
    column = _RESOLVED_COLUMN.get(f.resolved_level)
    if column is not None and f.resolved_on is not None:
        workdays = f.resolve_workdays * n
        for region in regions:
            for dim, value in dims:
                key = (region, dim, value, f.resolved_on)
                row = get(key)
                if row is None:
                    row = total[key] = [0, 0, 0, 0, 0, 0, 0]
                row[column] += n
                row[6] += workdays
    for region in regions:
        for theme in themes:
            key = (region, "theme", theme, f.received_on)
            row = get(key)
            if row is None:
                total[key] = [n, 0, 0, 0, 0, 0, 0]
            else:
                row[0] += n


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

    Years with their notice follow it (调休 included), years known from the law only follow
    the statutory holidays; a year the calendar does not know at all counts Monday–Friday. That
    approximation is only used for statistics ("average working days to resolve"), never for a
    deadline (deadlines refuse unknown years).
    """

    EPOCH = 2000

    def __init__(self, calendar: WorkCalendar):
        self.calendar = calendar
        self._prefix: dict[int, list[int]] = {}
        self._before: dict[int, int] = {}

    def _is_workday(self, day: date) -> bool:
        if self.calendar.knows(day.year):
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
