"""The fast paths of the counters (a batch's deltas added in place, one JSON parameter on
PostgreSQL) give exactly what the plain ones give."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from jiefen.cases.services import PartyInput, RegistrationRequest, case_register, case_register_many
from jiefen.dashboard import counters, services
from jiefen.dashboard.counters import COLUMNS, Facts
from jiefen.dashboard.models import DailyCount
from jiefen.dashboard.tests.test_counters import computed, stored

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=TZ)
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the JSON path is PostgreSQL's")


# ---------------------------------------------------------------- pure: contributions


def contributions_as_dicts(f: Facts) -> dict:
    """The contributions of a case written as dicts of rows (the definition before
    `add_contributions`): the reference the in-place version must equal."""
    dims = (("", ""), ("category", f.category), ("channel", f.channel))
    out = {(r, d, v, f.received_on): [1, int(f.is_open), 0, 0, 0, 0, 0] for r in f.regions for d, v in dims}
    if f.resolved_level in counters._RESOLVED_COLUMN and f.resolved_on is not None:
        resolved = [0] * len(COLUMNS)
        resolved[counters._RESOLVED_COLUMN[f.resolved_level]] = 1
        resolved[6] = f.resolve_workdays
        counters.add_into(out, {(r, d, v, f.resolved_on): resolved for r in f.regions for d, v in dims})
    if f.themes:
        counters.add_into(
            out, {(r, "theme", t, f.received_on): [1, 0, 0, 0, 0, 0, 0] for r in f.regions for t in f.themes}
        )
    return out


days = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 1, 4))
facts = st.builds(
    Facts,
    regions=st.lists(st.integers(1, 4), max_size=3).map(tuple),
    received_on=days,
    category=st.sampled_from(["neighbour", "labour", ""]),
    channel=st.sampled_from(["walk_in", "hotline_12345"]),
    is_open=st.booleans(),
    resolved_level=st.sampled_from(["", "village", "town", "county", "statutory", "other"]),
    resolved_on=st.none() | days,
    resolve_workdays=st.integers(0, 9),
    themes=st.lists(st.sampled_from(["epidemic", "flood", "疫情"]), max_size=3).map(tuple),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(facts, st.integers(1, 4)), max_size=8))
def test_adding_in_place_equals_adding_dicts(items):
    # given: cases (regions and themes may repeat, a case may resolve the day it came) with weights
    expected: dict = {}
    for f, n in items:
        counters.add_into(expected, counters.scaled(contributions_as_dicts(f), n))
    # when
    total: dict = {}
    for f, n in items:
        counters.add_contributions(total, f, n)
    # then
    assert total == expected
    assert [counters.contributions(f) for f, _n in items] == [contributions_as_dicts(f) for f, _n in items]


# ---------------------------------------------------------------- the statements


def random_deltas(regions: list[int], n: int, seed: int) -> dict:
    rng = random.Random(seed)
    values = {"": [""], "category": ["neighbour", "labour", "Zed", "apple"], "channel": ["walk_in", "online"]}
    values["theme"] = ["疫情", "flood", 'O\'Brien "quoted" \\ back', "Ä"]
    out: dict = {}
    while len(out) < n:
        dim = rng.choice(list(values))
        key = (
            rng.choice(regions),
            dim,
            rng.choice(values[dim]),
            date(2026, 1, 1) + timedelta(days=rng.randint(0, 40)),
        )
        out[key] = [rng.randint(-3, 5) for _ in COLUMNS]
    return out


def table() -> dict:
    return {
        (r[0], r[1], r[2], r[3]): list(r[4:])
        for r in DailyCount.objects.values_list("region_id", "dim", "value", "day", *COLUMNS)
    }


def applied(write, deltas: dict) -> tuple[dict, list]:
    """The table after `write` (rolled back), and its new rows' keys in the order of their ids."""
    with transaction.atomic():
        before = set(table())
        write(sorted(deltas), deltas)
        rows = table()
        inserted = [
            k
            for k in DailyCount.objects.order_by("id").values_list("region_id", "dim", "value", "day")
            if k not in before
        ]
        transaction.set_rollback(True)
    return rows, inserted


@postgres_only
def test_json_statement_writes_what_the_values_statement_writes(anji):
    # given: rows already there (the upsert adds to them) and 400 deltas, some on the same keys
    regions = [anji.county.pk, anji.town.pk, anji.village.pk, anji.village2.pk]
    base = random_deltas(regions, 150, seed=1)
    services._apply_values(sorted(base), base)
    deltas = {**random_deltas(regions, 300, seed=2), **dict(list(base.items())[:100])}
    expected = table()
    for k, v in deltas.items():
        expected[k] = [a + b for a, b in zip(expected.get(k, [0] * len(COLUMNS)), v, strict=True)]
    # when
    by_values, order_values = applied(services._apply_values, deltas)
    by_json, order_json = applied(services._apply_json, deltas)
    # then: same table, and new rows taken in the same key order by both, Python's (code point)
    # order whatever the database's collation ("Zed" before "apple"): the order that keeps
    # concurrent writers from deadlocking
    assert by_json == by_values == expected
    assert order_json == order_values == sorted(order_values)


def test_values_statement_splits_past_its_row_limit(anji, monkeypatch):
    # given
    monkeypatch.setattr(services, "VALUES_MAX_ROWS", 7)
    deltas = random_deltas([anji.county.pk, anji.village.pk], 50, seed=3)
    # when
    with CaptureQueriesContext(connection) as q:
        services._apply_values(sorted(deltas), deltas)
    # then
    assert len(q.captured_queries) == 8
    assert table() == deltas


@postgres_only
def test_counters_apply_sends_one_json_parameter_on_postgresql(anji):
    # given
    deltas = random_deltas([anji.county.pk, anji.town.pk, anji.village.pk], 200, seed=4)
    # when
    with CaptureQueriesContext(connection) as q:
        services.counters_apply(deltas)
    # then
    assert len(q.captured_queries) == 1 and "jsonb_array_elements" in q.captured_queries[0]["sql"]
    assert table() == deltas


# ---------------------------------------------------------------- the hook


def batch(anji, n: int) -> list[RegistrationRequest]:
    regions = [anji.village, anji.village2, anji.other_village, anji.town, anji.town2]
    texts = ["邻居装修噪音，协商未果", "隔离期间房东断水断电", "工厂拖欠工资三个月", "婚后财产分割争议"]
    return [
        RegistrationRequest(
            channel=["walk_in", "online", "hotline_12345"][i % 3],
            region=regions[i % len(regions)],
            description=texts[i % len(texts)] + f"（{i}）",
            received_at=NOW - timedelta(days=i % 9, hours=i % 7),
            parties=[PartyInput(role="applicant", name=f"来电人{i}", phone=f"1390000{i:04d}")],
        )
        for i in range(n)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("statement", ["as the database's", "plain"])
def test_a_batch_counts_what_one_by_one_counts(anji, dispatcher, monkeypatch, statement):
    # given: 40 cases over 9 days, 5 regions, 3 channels and themes (hundreds of counter rows)
    if statement == "plain":
        monkeypatch.setattr(services, "_apply_json", services._apply_values)
    with time_machine.travel(NOW, tick=False):
        with transaction.atomic():
            for r in batch(anji, 40):
                case_register(
                    channel=r.channel,
                    region=r.region,
                    description=r.description,
                    received_at=r.received_at,
                    parties=r.parties,
                    actor=dispatcher,
                )
            one_by_one = stored()
            transaction.set_rollback(True)
        # when
        case_register_many(batch(anji, 40), actor=dispatcher)
    # then
    assert len(one_by_one[0]) > 100
    assert stored() == one_by_one == computed()
