"""The dashboard counters of seeded cases, added as the services would have added them.

`jiefen seed` writes cases without the services, so `dashboard.services.on_case_written`
never sees them. Rather than recomputing every counter afterwards (`counters_rebuild`: minutes
at a million cases, single-threaded, after the load), the seed sums what each generated case
contributes — the same `facts_of` and `counters.contributions` the incremental path and the
rebuild use, themes and returns included — while it generates, and adds the sums with the
same upsert as `counters_apply`, from a temporary table loaded in bulk. On counters that were
right before, the result is what a rebuild gives (tests/test_counting.py checks it).
"""

from __future__ import annotations

import operator
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from jiefen.dashboard import counters
from jiefen.dashboard import services as dashboard
from jiefen.dashboard.models import DailyCount, OrgDailyCount
from jiefen.demo.generator import GeneratedCase


class SeedCounters:
    """Sums of counter contributions of generated cases (built where the database is at hand,
    then fed in the producer: `add` reads nothing from the database)."""

    def __init__(self) -> None:
        self.index = dashboard.workday_index()
        self.themes = dashboard.themes_enabled()
        self.tz = timezone.get_default_timezone()
        self.total: dict[counters.Key, list[int]] = {}
        self.returns: Counter = Counter()
        self.cases = 0

    def add(self, g: GeneratedCase) -> None:
        case = g.case
        facts = dashboard.facts_of(
            regions=tuple(r for r in (case.county_id, case.town_id, case.village_id) if r),
            received_at=self._day(case.received_at),
            # Plain strings: the generator's values are choices (enum) members, which the
            # database adapter would not send as their values.
            category=str(case.category),
            channel=str(case.channel),
            status=str(case.status),
            resolved_level=str(case.resolved_level),
            resolved_at=self._day(case.resolved_at) if case.resolved_at else None,
            themes=counters.themes_of(case.description, self.themes) if self.themes else (),
            index=self.index,
        )
        # counters.add_into, in place: this runs for every case, in the producer.
        total = self.total
        for key, vec in counters.contributions(facts).items():
            row = total.get(key)
            if row is None:
                total[key] = list(vec)  # contributions may share one list between keys
            else:
                total[key] = list(map(operator.add, row, vec))
        for event in g.events:
            if event.kind == "return" and (event.data or {}).get("returned_by"):
                self.returns[(event.data["returned_by"], self._day(event.at))] += 1
        self.cases += 1

    def _day(self, moment) -> date:
        # facts_of takes local days (it passes dates through): the settings' zone, as
        # timezone.localtime would give, without its per-call lookup.
        return moment.astimezone(self.tz).date()

    def take(self, *, as_text: bool = False) -> CounterSums:
        """Hand over the sums so far and start again from zero (bounded memory). `as_text`:
        already as COPY text (PostgreSQL), formatted here, in the producer."""
        daily = [(*key, *vec) for key, vec in self.total.items()]
        org = [(org, day, n) for (org, day), n in self.returns.items()]
        out = CounterSums(cases=self.cases)
        if as_text:
            out.daily_text = "".join(_line(row) for row in daily)
            out.org_text = "".join(_line(row) for row in org)
        else:
            out.daily, out.org = daily, org
        self.total, self.returns, self.cases = {}, Counter(), 0
        return out


def _line(row: tuple) -> str:
    # Region and organisation ids, day and integers never need COPY escapes; dim and value are
    # choice codes and theme slugs.
    return "\t".join(v.isoformat() if isinstance(v, date) else str(v) for v in row) + "\n"


DAILY_KEY = ("region_id", "dim", "value", "day")  # DailyCount's unique key (dailycount_key)
ORG_KEY = ("organization_id", "day")  # OrgDailyCount's (orgdailycount_key)


@dataclass
class CounterSums:
    """Counter sums of some generated cases, ready to be added (sent between processes): rows
    of (region_id, dim, value, day, *counters.COLUMNS) and (organization_id, day, returns)."""

    cases: int
    daily: list[tuple] = field(default_factory=list)
    org: list[tuple] = field(default_factory=list)
    daily_text: str = ""
    org_text: str = ""

    def apply(self) -> int:
        """Add the sums to the counter tables in one transaction; returns the rows merged.

        The same addition as dashboard.services.counters_apply (INSERT … ON CONFLICT DO UPDATE
        adding the new values, keys in sorted order so concurrent writers lock rows alike), but
        from a temporary table loaded in bulk: hundreds of thousands of keys at a time."""
        with transaction.atomic():
            n = _merge(DailyCount, DAILY_KEY, counters.COLUMNS, self.daily, self.daily_text)
            n += _merge(OrgDailyCount, ORG_KEY, ("returns",), self.org, self.org_text)
        return n


def _merge(model, key: tuple[str, ...], sums: tuple[str, ...], rows: list[tuple], text: str) -> int:
    if not rows and not text:
        return 0
    q = connection.ops.quote_name
    fields = {f.attname: f for f in model._meta.concrete_fields}
    columns = [*key, *sums]
    table = q(model._meta.db_table)
    temp = q(f"seed_{model._meta.db_table}")
    names = ", ".join(q(fields[c].column) for c in columns)
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {temp}")
        cur.execute(
            f"CREATE TEMPORARY TABLE {temp} ("
            + ", ".join(f"{q(fields[c].column)} {fields[c].db_type(connection)}" for c in columns)
            + ")"
        )
        if text:
            with cur.cursor.copy(f"COPY {temp} ({names}) FROM STDIN") as out:
                out.write(text.encode())
        else:
            cur.executemany(
                f"INSERT INTO {temp} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",
                [tuple(v.isoformat() if isinstance(v, date) else v for v in row) for row in rows],
            )
        updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in sums)
        keys = ", ".join(q(fields[c].column) for c in key)
        # WHERE true: SQLite's parser needs it between a SELECT and ON CONFLICT.
        cur.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {temp} WHERE true ORDER BY {keys} "
            f"ON CONFLICT ({keys}) DO UPDATE SET {updates}"
        )
        n = cur.rowcount
        cur.execute(f"DROP TABLE {temp}")
    return n
