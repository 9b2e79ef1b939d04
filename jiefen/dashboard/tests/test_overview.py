"""The overview selector: figures, periods with year-on-year, drill-down, query count."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiefen.cases import selectors as case_selectors
from jiefen.cases.services import case_transition
from jiefen.dashboard.selectors import overview_links, stats_overview
from jiefen.web.forms import CaseFilterForm

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=TZ)


@pytest.fixture
def history(anji, dispatcher, register):
    with time_machine.travel(NOW, tick=False):
        a = register(channel="walk_in", category="neighbour", region=anji.village)
        b = register(
            channel="online", category="labour", region=anji.village2, description="工厂欠薪，农民工讨薪"
        )
        c = register(region=anji.village, received_at=datetime(2025, 6, 15, 9, 0, tzinfo=TZ))
        d = register(
            channel="hotline_12345",
            category="traffic",
            region=anji.other_village,
            received_at=NOW - timedelta(days=10),
        )
        for action in ("accept", "start", "resolve"):
            case_transition(
                case=a.number,
                actor=dispatcher,
                action=action,
                reason="双方和解" if action == "resolve" else "",
            )
        case_transition(case=b.number, actor=dispatcher, action="return", reason="不属本单位")
    return {"a": a, "b": b, "c": c, "d": d}


def _count(viewer, url: str) -> int:
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    form = CaseFilterForm(query)
    assert form.is_valid(), form.errors
    return case_selectors.case_list(viewer=viewer, **form.selector_kwargs()).count()


def test_overview_counts_the_period(history, dispatcher, anji):
    # given
    with time_machine.travel(NOW, tick=False):
        # when
        ov = stats_overview(viewer=dispatcher, date_from=date(2026, 1, 1), date_to=date(2026, 6, 15))
    # then
    assert ov["region"]["code"] == anji.county.code
    assert (ov["received"], ov["resolved"], ov["in_progress"], ov["overdue"]) == (3, 1, 2, 1)
    level = history["a"].level
    assert ov["by_level"][level] == 1 and sum(ov["by_level"].values()) == 1
    assert ov["village_town_share"] == (100.0 if level in ("village", "town") else 0.0)
    assert {r["code"]: r["received"] for r in ov["by_town"]} == {anji.town.code: 2, anji.town2.code: 1}
    assert {r["code"]: r["received"] for r in ov["by_channel"]} == {
        "walk_in": 1,
        "online": 1,
        "hotline_12345": 1,
    }
    assert {r["code"]: r["received"] for r in ov["by_theme"]} == {"wage_arrears": 1}
    assert ov["avg_workdays_to_resolve"] == 0.0
    assert [r["returns"] for r in ov["returns_by_organization"]] == [1]


def test_periods_compare_with_the_same_period_last_year(history, dispatcher):
    # when
    with time_machine.travel(NOW, tick=False):
        ov = stats_overview(viewer=dispatcher)
    # then
    today = ov["periods"]["today"]
    assert (today["received"], today["received_last_year"], today["received_yoy"]) == (2, 1, 100.0)
    assert ov["periods"]["year"]["received"] == 3
    assert ov["periods"]["month"]["resolved"] == 1
    assert ov["from"] == "2026-01-01" and ov["to"] == "2026-06-15"


def test_every_figure_drills_down_to_exactly_its_cases(history, dispatcher):
    # given
    with time_machine.travel(NOW, tick=False):
        ov = stats_overview(viewer=dispatcher, date_from=date(2026, 1, 1), date_to=date(2026, 6, 15))
        links = overview_links(ov)
        # when / then
        for key in ("received", "resolved", "in_progress", "overdue"):
            assert _count(dispatcher, links[key]) == ov[key], key
        for level, n in ov["by_level"].items():
            assert _count(dispatcher, links["by_level"][level]) == n
        for dim in ("by_category", "by_channel", "by_town"):
            for row in ov[dim]:
                assert _count(dispatcher, links[dim][row["code"]]) == row["received"], (dim, row)


def test_overview_reads_a_fixed_number_of_queries(history, dispatcher, django_assert_max_num_queries):
    # given: more history does not mean more queries
    with time_machine.travel(NOW, tick=False):
        stats_overview(viewer=dispatcher)  # warm the calendar cache
        # when / then
        # 10 for the cases' figures, 7 for the resource platforms' (dashboard.platforms)
        with django_assert_max_num_queries(17):
            stats_overview(viewer=dispatcher)


def test_a_town_user_sees_the_town_and_its_villages(history, anji, staff_factory):
    # given
    town_user = staff_factory(anji.org("town_centre", anji.town), ["analyst"])
    # when
    with time_machine.travel(NOW, tick=False):
        ov = stats_overview(viewer=town_user)
    # then
    assert ov["region"]["code"] == anji.town.code
    assert ov["received"] == 2
    assert {r["code"] for r in ov["by_town"]} == {anji.village.code, anji.village2.code}


def test_satisfaction_is_the_share_of_satisfied_return_visits(history, dispatcher, anji):
    # given
    from jiefen.procedures.models import ReturnVisit

    org = anji.org("county_centre")
    for satisfied in (True, True, False, None):
        ReturnVisit.objects.create(
            case=history["a"], organization=org, due_at=NOW, satisfied=satisfied, done_at=NOW, status="done"
        )
    # when
    with time_machine.travel(NOW, tick=False):
        ov = stats_overview(viewer=dispatcher)
    # then
    assert (ov["satisfaction"], ov["return_visits"]) == (66.7, 3)
