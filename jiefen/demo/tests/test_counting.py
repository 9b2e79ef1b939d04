"""The seed adds the dashboard counters of its cases: what a full rebuild would give."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import call_command

from jiefen.cases.models import CaseEvent
from jiefen.dashboard.models import DailyCount, OrgDailyCount, Theme
from jiefen.dashboard.services import counters_rebuild

NOW = "2026-06-15 10:00:00+08:00"


def _counters() -> tuple[list[tuple], list[tuple]]:
    daily = sorted(
        (r, d, v, str(day), rec, op, rv, rt, rc, rs, w)
        for r, d, v, day, rec, op, rv, rt, rc, rs, w in DailyCount.objects.values_list(
            "region_id",
            "dim",
            "value",
            "day",
            "received",
            "open",
            "resolved_village",
            "resolved_town",
            "resolved_county",
            "resolved_statutory",
            "resolve_workdays",
        )
    )
    org = sorted(
        (o, str(day), n)
        for o, day, n in OrgDailyCount.objects.values_list("organization_id", "day", "returns")
    )
    return daily, org


@pytest.mark.parametrize(
    "committed",
    [
        pytest.param(False, marks=pytest.mark.django_db),
        # outside a transaction PostgreSQL seeds with the forked producer, which sums the counters
        pytest.param(True, marks=pytest.mark.django_db(transaction=True)),
    ],
)
def test_seeded_counters_equal_a_full_rebuild(settings, tmp_path, committed):
    # given the demo county, its counters right (none yet), and a theme that some cases match
    settings.DATA_DIR = tmp_path
    with time_machine.travel(NOW, tick=False):
        call_command("demo", "--no-serve", "--cases", "0", stdout=io.StringIO(), verbosity=0)
        Theme.objects.update_or_create(
            code="h1-wage", defaults={"keywords": ["工资", "拖欠"], "enabled": True}
        )
        # when two seeds, the second adding to rows the first wrote
        for seed in ("11", "12"):
            call_command(
                "seed", "--cases", "200", "--batch", "45", "--seed", seed, stdout=io.StringIO(), verbosity=0
            )
        added = _counters()
        counters_rebuild()
        rebuilt = _counters()
    # then
    assert CaseEvent.objects.filter(kind="return").exists()  # returns are counted too
    assert any(row[1] == "theme" for row in added[0])
    assert added[0] and added[1]
    assert added == rebuilt
