"""Writes of the dashboard: counters kept in step with the cases, and their rebuild.

`on_case_written` runs inside the transaction that changes a case (cases.hooks.case_written):
it turns the case's summary before and after into counter deltas and adds them with one
upsert statement. `counters_rebuild` recomputes every counter from the cases and their
events; both use counters.contributions, so they agree (tests/test_counters.py checks it on
random histories).
"""

from __future__ import annotations

import json
import logging
import operator
import time
from collections import Counter
from datetime import date, datetime
from functools import reduce

from django.db import connection, transaction
from django.db.models import BooleanField, Count, Q, Value, When
from django.db.models import Case as DbCase
from django.db.models.functions import TruncDate
from django.utils import timezone

from jiefen.cases.choices import OPEN_STATUSES, Status
from jiefen.cases.models import Case, CaseEvent
from jiefen.core.refcache import reference
from jiefen.dashboard import counters
from jiefen.dashboard.counters import COLUMNS, Facts, Key
from jiefen.dashboard.models import DailyCount, OrgDailyCount, Theme
from jiefen.deadlines.selectors import work_calendar

logger = logging.getLogger(__name__)

_index_cache: list = []


def workday_index() -> counters.WorkdayIndex:
    """One index per calendar object (the calendar itself is cached per process)."""
    cal = work_calendar()
    if not _index_cache or _index_cache[0][0] is not cal:
        _index_cache[:] = [(cal, counters.WorkdayIndex(cal))]
    return _index_cache[0][1]


@reference("dashboard.Theme")
def themes_enabled() -> list[tuple[str, list[str]]]:
    """(code, keywords) of the enabled themes (cached per process; read-only)."""
    return [(t.code, list(t.keywords or [])) for t in Theme.objects.filter(enabled=True)]


def _local_day(dt: datetime | date | None, tz=None) -> date | None:
    """`tz`: the current time zone, when the caller has it at hand (a batch looks it up once)."""
    if dt is None or not isinstance(dt, datetime):
        return dt
    return timezone.localtime(dt, tz).date()


def facts_of(
    *,
    regions: tuple[int, ...],
    received_at: datetime | date,
    category: str,
    channel: str,
    status: str,
    resolved_level: str,
    resolved_at: datetime | date | None,
    themes: tuple[str, ...],
    index: counters.WorkdayIndex,
    tz=None,
) -> Facts:
    """The counted summary of a case; instants are taken as local days (dates pass through)."""
    received_on = _local_day(received_at, tz)
    resolved_on = _local_day(resolved_at, tz) if resolved_level else None
    workdays = index.between(received_on, resolved_on) if resolved_on else 0
    return Facts(
        regions=regions,
        received_on=received_on,  # type: ignore[arg-type]
        category=category,
        channel=channel,
        is_open=counters.is_open(status),
        resolved_level=resolved_level if resolved_on else "",
        resolved_on=resolved_on,
        resolve_workdays=workdays,
        themes=themes,
    )


def _regions(case: Case) -> tuple[int, ...]:
    return tuple(r for r in (case.county_id, case.town_id, case.village_id) if r)


# ---------------------------------------------------------------- incremental


def on_case_written(*, case: Case, event: CaseEvent, before: dict | None) -> None:
    """Add the counter deltas of this change, in the caller's transaction."""
    index = workday_index()
    regions = _regions(case)
    themes = counters.themes_of(case.description, themes_enabled()) if before is None else ()
    new = _facts_now(case, themes, index)
    old = None
    if before is not None:
        # Theme rows depend only on the received day, the regions and the description, which
        # no write changes: they are counted once, at registration, and left out here.
        old_resolved_at = None
        if before.get("resolved_level"):
            if before["resolved_level"] == case.resolved_level and case.resolved_at is not None:
                old_resolved_at = case.resolved_at
            else:
                last = (
                    CaseEvent.objects.filter(case_id=case.pk, kind="resolve", at__lte=event.at)
                    .exclude(pk=event.pk)
                    .order_by("-at", "-id")
                    .values_list("at", flat=True)
                    .first()
                )
                old_resolved_at = last
        old = facts_of(
            regions=regions,
            received_at=case.received_at,
            category=before.get("category", case.category),
            channel=case.channel,
            status=before["status"],
            resolved_level=before.get("resolved_level") or "",
            resolved_at=old_resolved_at,
            themes=(),
            index=index,
        )
    counters_apply(counters.delta(old, new))
    if event.kind == "return" and before and before.get("lead_organization_id"):
        org_returns_apply({(before["lead_organization_id"], _local_day(event.at)): 1})


def on_cases_registered(cases: list[Case]) -> None:
    """`on_case_written` for many new cases: their deltas summed, one upsert.

    A new case's delta is its contributions (nothing was counted before), added in place.
    """
    index = workday_index()
    themes = themes_enabled()
    tz = timezone.get_current_timezone()
    total: dict[Key, list[int]] = {}
    add, themes_of = counters.add_contributions, counters.themes_of
    for case in cases:
        add(total, _facts_now(case, themes_of(case.description, themes), index, tz))
    counters_apply({k: v for k, v in total.items() if any(v)})


def _facts_now(case: Case, themes: tuple[str, ...], index, tz=None) -> Facts:
    """The facts of a case as it stands (its counters' contribution)."""
    return facts_of(
        regions=_regions(case),
        received_at=case.received_at,
        category=case.category,
        channel=case.channel,
        status=case.status,
        resolved_level=case.resolved_level,
        resolved_at=case.resolved_at,
        themes=themes,
        index=index,
        tz=tz,
    )


def _day_param(day: date):
    return day.isoformat() if connection.vendor == "sqlite" else day


def counters_apply(deltas: dict[Key, list[int]]) -> None:
    """Add deltas with one INSERT … ON CONFLICT DO UPDATE (PostgreSQL and SQLite alike).

    Keys are sorted so that concurrent writers touch rows in the same order (no deadlock).
    PostgreSQL gets the rows as one JSON parameter (faster from one case's ten rows on to a
    batch's thousands), SQLite as plain parameters.
    """
    if not deltas:
        return
    keys = sorted(deltas)  # (region, dim, value, day): the order every writer takes
    if connection.vendor == "postgresql":
        _apply_json(keys, deltas)
    else:
        _apply_values(keys, deltas)


_KEY_COLUMNS = ("region_id", "dim", "value", "day")


def _upsert_tail(table: str) -> str:
    q = connection.ops.quote_name
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in COLUMNS)
    return f" ON CONFLICT ({', '.join(q(c) for c in _KEY_COLUMNS)}) DO UPDATE SET {updates}"


# SQLite allows 250,000 parameters per statement (32,766 before 3.32): rows past this many go
# in a further statement of the same transaction.
VALUES_MAX_ROWS = 2000


def _apply_values(keys: list[Key], deltas: dict[Key, list[int]]) -> None:
    """The plain statement: every value a parameter of `INSERT … VALUES (…), (…)`."""
    q = connection.ops.quote_name
    table = q(DailyCount._meta.db_table)
    cols = ", ".join(q(c) for c in (*_KEY_COLUMNS, *COLUMNS))
    row = "(" + ", ".join(["%s"] * (len(_KEY_COLUMNS) + len(COLUMNS))) + ")"
    tail = _upsert_tail(table)
    iso = connection.vendor == "sqlite"
    with connection.cursor() as cur:
        for start in range(0, len(keys), VALUES_MAX_ROWS):
            part = keys[start : start + VALUES_MAX_ROWS]
            params: list = []
            for key in part:
                region, dim, value, day = key
                params += (region, dim, value, day.isoformat() if iso else day, *deltas[key])
            cur.execute(f"INSERT INTO {table} ({cols}) VALUES " + ", ".join([row] * len(part)) + tail, params)


def _apply_json(keys: list[Key], deltas: dict[Key, list[int]]) -> None:
    """PostgreSQL: the rows as one JSON array of arrays, unpacked by the server in the order
    sent (WITH ORDINALITY … ORDER BY), so that rows are locked in key order as above.

    psycopg binds client-side under Django: every parameter of the plain statement is quoted
    in Python (and so is every element of an array parameter); one JSON string is one quote.
    """
    q = connection.ops.quote_name
    table = q(DailyCount._meta.db_table)
    days: dict[date, str] = {}
    rows = []
    for key in keys:
        region, dim, value, day = key
        iso = days.get(day)
        if iso is None:
            iso = days[day] = day.isoformat()
        rows.append((region, dim, value, iso, *deltas[key]))
    casts = ["(e->>0)::bigint", "e->>1", "e->>2", "(e->>3)::date"]
    casts += [f"(e->>{i})::integer" for i in range(len(_KEY_COLUMNS), len(_KEY_COLUMNS) + len(COLUMNS))]
    sql = (
        f"INSERT INTO {table} ({', '.join(q(c) for c in (*_KEY_COLUMNS, *COLUMNS))}) "
        f"SELECT {', '.join(casts)} FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS d(e, n) "
        "ORDER BY n" + _upsert_tail(table)
    )
    with connection.cursor() as cur:
        cur.execute(sql, [json.dumps(rows, ensure_ascii=False, separators=(",", ":"))])


def org_returns_apply(deltas: dict[tuple[int, date], int]) -> None:
    q = connection.ops.quote_name
    table = q(OrgDailyCount._meta.db_table)
    keys = sorted(deltas)
    params: list = []
    for org, day in keys:
        params.extend([org, _day_param(day), deltas[(org, day)]])
    sql = (
        f"INSERT INTO {table} ({q('organization_id')}, {q('day')}, {q('returns')}) VALUES "
        + ", ".join(["(%s, %s, %s)"] * len(keys))
        + f" ON CONFLICT ({q('organization_id')}, {q('day')}) DO UPDATE SET "
        f"{q('returns')} = {table}.{q('returns')} + excluded.{q('returns')}"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)


# ---------------------------------------------------------------- rebuild


def counters_compute() -> tuple[dict[Key, list[int]], Counter]:
    """Every counter, summed from the cases and their events (no writes).

    Cases that count alike are grouped by the database (same regions, days, category, channel,
    openness and resolution) and each group's contributions are scaled by its size; theme rows
    are added from the (few) cases whose text contains a keyword. Local days come from the
    database (TruncDate in the current time zone), the same days the incremental path takes.
    """
    index = workday_index()
    total: dict[Key, list[int]] = {}
    open_q = Q(status__in=list(OPEN_STATUSES))
    fields = [
        "county_id",
        "town_id",
        "village_id",
        "received_on",
        "category",
        "channel",
        "is_open",
        "resolved_level",
        "resolved_on",
    ]
    rows = (
        Case.objects.order_by()
        .annotate(
            is_open=DbCase(When(open_q, then=Value(True)), default=Value(False), output_field=BooleanField()),
            received_on=TruncDate("received_at"),
            resolved_on=TruncDate("resolved_at"),
        )
        .values(*fields)
        .annotate(n=Count("id"))
        .values_list(*fields, "n")
    )
    for row in rows.iterator(chunk_size=10000):
        facts = facts_of(
            regions=tuple(r for r in row[:3] if r),
            received_at=row[3],
            category=row[4],
            channel=row[5],
            status=Status.IN_PROGRESS if row[6] else Status.CLOSED,
            resolved_level=row[7],
            resolved_at=row[8],
            themes=(),
            index=index,
        )
        counters.add_contributions(total, facts, row[9])
    themes = themes_enabled()
    words = [w for _code, ws in themes for w in ws if w]
    if words:
        candidates = Case.objects.order_by().filter(
            reduce(operator.or_, [Q(description__contains=w) for w in words])
        )
        for c_id, t_id, v_id, received_at, description in candidates.values_list(
            "county_id", "town_id", "village_id", "received_at", "description"
        ).iterator(chunk_size=2000):
            found = counters.themes_of(description, themes)
            if found:
                regions = tuple(r for r in (c_id, t_id, v_id) if r)
                counters.add_into(
                    total, counters.theme_contributions(regions, _local_day(received_at), found)
                )
    returns: Counter = Counter()
    for at, data in CaseEvent.objects.filter(kind="return").order_by().values_list("at", "data"):
        org = (data or {}).get("returned_by")
        if org:
            returns[(org, _local_day(at))] += 1
    return total, returns


def _insert_counts(rows, batch_size: int) -> int:
    """Write counter rows fast: COPY on PostgreSQL, executemany elsewhere."""
    cols = ["region_id", "dim", "value", "day", *COLUMNS]
    q = connection.ops.quote_name
    table = q(DailyCount._meta.db_table)
    n = 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({', '.join(q(c) for c in cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            return n
        sql = (
            f"INSERT INTO {table} ({', '.join(q(c) for c in cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
        )
        batch: list = []
        for row in rows:
            batch.append((*row[:3], _day_param(row[3]), *row[4:]))
            if len(batch) >= batch_size:
                cur.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
            n += len(batch)
    return n


def counters_rebuild(*, batch_size: int = 5000) -> dict:
    """Recompute every counter from the cases, in one transaction (readers see old or new)."""
    started = time.monotonic()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Writers that change a case add their deltas after this commits, not in between.
            with connection.cursor() as cur:
                cur.execute(
                    f"LOCK TABLE {DailyCount._meta.db_table}, {OrgDailyCount._meta.db_table} IN EXCLUSIVE MODE"
                )
        total, returns = counters_compute()
        DailyCount.objects.all().delete()
        OrgDailyCount.objects.all().delete()
        # In key order, so that a region's rows sit together on disk (the overview reads ranges
        # of (region, dim, value, day); scattered rows cost one page read each).
        n = _insert_counts(((*k, *total[k]) for k in sorted(total) if any(total[k])), batch_size)
        OrgDailyCount.objects.bulk_create(
            [OrgDailyCount(organization_id=o, day=d, returns=c) for (o, d), c in returns.items() if c]
        )
    return {"rows": n, "org_rows": len(returns), "seconds": round(time.monotonic() - started, 2)}
