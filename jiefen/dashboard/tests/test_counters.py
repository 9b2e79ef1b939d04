"""Counters kept in the case's transaction equal counters rebuilt from the cases."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiefen.cases.services import PartyInput, case_register, case_transition
from jiefen.core.errors import DomainError
from jiefen.dashboard.counters import COLUMNS
from jiefen.dashboard.models import DailyCount, OrgDailyCount
from jiefen.dashboard.services import counters_compute, counters_rebuild

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
ACTIONS = [
    "accept",
    "return",
    "start",
    "suspend",
    "resume",
    "resolve",
    "escalate",
    "delegate",
    "transfer",
    "close",
    "reopen",
    "withdraw",
    "not_accept",
    "route",
]


def stored() -> tuple[dict, dict]:
    rows = {
        (r[0], r[1], r[2], r[3]): list(r[4:])
        for r in DailyCount.objects.values_list("region_id", "dim", "value", "day", *COLUMNS)
        if any(r[4:])
    }
    orgs = {
        (o, d): n for o, d, n in OrgDailyCount.objects.values_list("organization_id", "day", "returns") if n
    }
    return rows, orgs


def computed() -> tuple[dict, dict]:
    total, returns = counters_compute()
    return {k: v for k, v in total.items() if any(v)}, {k: n for k, n in returns.items() if n}


step = st.tuples(
    st.integers(min_value=0, max_value=5),  # which case
    st.sampled_from(ACTIONS),
    st.integers(min_value=0, max_value=50),  # hours to move the clock
)
registration = st.tuples(
    st.sampled_from(["walk_in", "online", "grid", "hotline_12345"]),
    st.sampled_from(["neighbour", "labour", "family", "traffic"]),
    st.integers(min_value=0, max_value=3),  # region
    st.integers(min_value=0, max_value=72),  # hours received before registration
    st.booleans(),  # epidemic-related words
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(regs=st.lists(registration, min_size=1, max_size=6), steps=st.lists(step, max_size=40))
def test_incremental_counters_equal_a_rebuild_after_random_histories(anji, dispatcher, regs, steps):
    # given
    regions = [anji.village, anji.village2, anji.other_village, anji.town]
    with transaction.atomic(), time_machine.travel(START, tick=False) as clock:
        cases = []
        for channel, category, region, hours_before, epidemic in regs:
            text = "隔离期间房东断水断电" if epidemic else "邻居装修噪音"
            cases.append(
                case_register(
                    channel=channel,
                    category=category,
                    region=regions[region],
                    description=text,
                    received_at=START - timedelta(hours=hours_before),
                    parties=[PartyInput(role="applicant", name="王小明")],
                    actor=dispatcher,
                ).case
            )
        # when
        for which, action, hours in steps:
            clock.shift(timedelta(hours=hours))
            case = cases[which % len(cases)]
            try:
                case_transition(
                    case=case.number,
                    actor=dispatcher,
                    action=action,
                    reason="理由",
                    statutory_route="arbitration",
                    legal_route="向法院起诉",
                    organization=case.lead_organization if action == "route" else None,
                )
            except DomainError:
                pass
        # then
        assert stored() == computed()
        transaction.set_rollback(True)


def test_rebuild_reproduces_incremental_counters(register, dispatcher):
    # given
    a = register()
    returned_by = a.lead_organization_id
    b = register(category="labour", channel="online", description="工厂拖欠工资，农民工讨薪")
    case_transition(case=a.number, actor=dispatcher, action="return", reason="不属本单位")
    case_transition(case=b.number, actor=dispatcher, action="accept")
    case_transition(case=b.number, actor=dispatcher, action="start")
    case_transition(case=b.number, actor=dispatcher, action="resolve", reason="工资已结清")
    before = stored()
    # when
    counters_rebuild()
    # then
    assert stored() == before
    assert list(before[1].values()) == [1]
    assert next(iter(before[1]))[0] == returned_by
