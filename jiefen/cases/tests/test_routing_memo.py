"""route() memoises its decisions per rule set: the same RoutingDecision as evaluating every rule
afresh, in every language, dropped as soon as a rule, a region or an organisation is written,
bounded, and safe to share between threads."""

from __future__ import annotations

import random
import re
import threading
from types import SimpleNamespace

import pytest
from django.db import connections
from django.utils import translation

from conftest import make_county
from jiefen.cases import routing
from jiefen.cases.choices import Category, Channel, Level
from jiefen.cases.models import RoutingRule
from jiefen.cases.routing import RegionChain, RoutingDecision, active_routing_rules, route
from jiefen.core import refcache
from jiefen.directory.models import Organization, OrganizationKind
from jiefen.regions.models import Region

pytestmark = pytest.mark.django_db

RISKS = ["", "blue", "yellow", "orange", "red"]
TEXTS = [
    "",
    "邻居家空调外机噪音很大",
    "养猪场臭味",  # the plain keywords of the environment rule
    "包工头欠薪三个月",  # the `re:` rule (欠.{0,2}薪), with nothing between
    "老板欠了薪水",  # the `re:` rule, one character between
    "欠了工资和薪水",  # too far apart for it
    "扬言要去进京上访",  # the default rule for 进京
    "越级集体上访，欠薪",
    "HOTLINE 噪音 wages",
]


def route_afresh(*, category, chain, risk="", channel="", text="") -> RoutingDecision:
    """The routing algorithm without any memo, as it was written before the memo: every rule
    checked and matched, every message translated, for this one case."""
    trace: list[dict] = []
    skipped: list[dict] = []
    for rule in RoutingRule.objects.filter(is_active=True).select_related("region").order_by("order", "id"):
        try:
            routing._check_rule(rule)
            ok, why = routing._matches(
                rule, category=category, chain=chain, risk=risk, channel=channel, text=text
            )
        except (routing.RuleNotEvaluable, re.error, ValueError, Region.DoesNotExist) as exc:
            skipped.append({"rule": rule.pk, "order": rule.order, "error": str(exc)[:300]})
            trace.append({"rule": rule.pk, "order": rule.order, "outcome": "skipped", "why": str(exc)[:300]})
            continue
        if not ok:
            trace.append({"rule": rule.pk, "order": rule.order, "outcome": "no_match", "why": why})
            continue
        org = _org(rule.lead_kind, chain.at(rule.level))
        if org is None:
            why = routing._("no %(kind)s at the %(level)s level of this region") % {
                "kind": OrganizationKind(rule.lead_kind).label,
                "level": Level(rule.level).label,
            }
            trace.append({"rule": rule.pk, "order": rule.order, "outcome": "no_organization", "why": why})
            continue
        assist: list[Organization] = []
        levels = [Level.VILLAGE, Level.TOWN, Level.COUNTY]
        start = levels.index(rule.level)
        for kind in rule.assist_kinds or []:
            for level in levels[start:] + list(reversed(levels[:start])):
                found = _org(kind, chain.at(level))
                if found is not None and found.pk != org.pk and found not in assist:
                    assist.append(found)
                    break
        trace.append({"rule": rule.pk, "order": rule.order, "outcome": "taken", "why": why})
        return RoutingDecision(
            organization=org,
            level=rule.level,
            rule=rule,
            explanation=routing._("Rule %(order)s (%(why)s) → %(org)s")
            % {"order": rule.order, "why": why, "org": org.name},
            assist=tuple(assist),
            trace=tuple(trace),
            skipped=tuple(skipped),
        )
    return RoutingDecision(
        organization=_org(OrganizationKind.COUNTY_CENTRE, chain.county),
        level=Level.COUNTY,
        rule=None,
        explanation=routing._("No routing rule owns this case: the county centre's dispatchers take it."),
        trace=tuple(trace),
        skipped=tuple(skipped),
    )


def _org(kind: str, region: Region | None) -> Organization | None:
    if region is None:
        return None
    return Organization.objects.filter(kind=kind, region=region, is_active=True).first()


def same(a: RoutingDecision, b: RoutingDecision) -> bool:
    """Equal field by field, names and explanations included (models compare by pk only)."""
    return (
        a == b
        and a.organization.name == b.organization.name
        and [o.name for o in a.assist] == [o.name for o in b.assist]
    )


def memo() -> routing._RouteMemo:
    m = routing._route_memo()
    assert m is not None
    return m


@pytest.fixture
def table(anji):
    """The default rules plus rules of every condition: region, channel, risk, plain keywords, a
    `re:` pattern, a kind missing at its level, and one that cannot be evaluated (written around
    the validator), which every case reports as skipped."""
    huzhou = make_county("330522", "长兴县")
    RoutingRule.objects.create(
        order=4,
        category="environment",
        level="county",
        lead_kind="natural_resources",
        keywords="养猪场, 臭味\n噪音",
    )
    RoutingRule.objects.create(
        order=5,
        level="town",
        lead_kind="justice_office",
        keywords="re:欠.{0,2}薪",
        channel="hotline_12345",
        assist_kinds=["human_resources"],
    )
    RoutingRule.objects.create(
        order=6, level="town", lead_kind="town_centre", region=anji.town2, min_risk="yellow"
    )
    RoutingRule.objects.create(order=7, level="village", lead_kind="police_station", category="public_order")
    RoutingRule.objects.create(order=0, level="county", lead_kind="court", keywords="re:(unclosed")
    RoutingRule.objects.create(order=9, level="county", lead_kind="nobody_kind", category="debt_contract")
    RoutingRule.objects.create(order=11, level="county", lead_kind="petition_bureau", channel="petition")
    RoutingRule.objects.create(
        order=12,
        level="town",
        lead_kind="town_committee",
        region=huzhou.county,
        keywords="噪音",
        min_risk="orange",
        channel="online",
    )
    regions = [anji.county, anji.town, anji.town2, anji.village, anji.village2, anji.other_village]
    regions += [huzhou.county, huzhou.town, huzhou.village]
    return SimpleNamespace(anji=anji, huzhou=huzhou, chains=[RegionChain.of(r) for r in regions])


def random_case(rng: random.Random, table) -> dict:
    return {
        "category": rng.choice(Category.values),
        "chain": rng.choice(table.chains),
        "risk": rng.choice(RISKS),
        "channel": rng.choice(Channel.values + [""]),
        "text": rng.choice(TEXTS),
    }


def test_memoised_route_equals_every_rule_evaluated_afresh(table):
    # given: random cases over every condition, each asked twice (the second from the memo), in
    # both languages interleaved
    rng = random.Random(20260615)
    cases = [(random_case(rng, table), rng.choice(["zh-hans", "en"])) for _ in range(400)]
    cases += cases[:150]
    seen = {"skipped": 0, "re": 0, "keyword": 0, "no_organization": 0, "fallback": 0}
    for kw, lang in cases:
        with translation.override(lang):
            # when
            got = route(**kw)
            expected = route_afresh(**kw)
        # then
        assert same(got, expected), (kw, lang, got, expected)
        seen["skipped"] += bool(got.skipped)
        seen["re"] += "欠.{0,2}薪" in got.explanation
        seen["keyword"] += got.rule is not None and got.rule.order == 4
        seen["no_organization"] += any(t["outcome"] == "no_organization" for t in got.trace)
        seen["fallback"] += got.rule is None
    # and: every kind of outcome was exercised, and the memo answered the repeated cases
    assert all(seen.values()), seen
    assert seen["skipped"] == len(cases)  # the invalid rule in front, in each case
    assert len(memo().decisions) < len(cases)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_each_language_gets_its_own_words(table, lang):
    # given: the same case decided in the other language first
    kw = {
        "category": "environment",
        "chain": table.chains[3],
        "risk": "blue",
        "channel": "walk_in",
        "text": "养猪场",
    }
    with translation.override("en" if lang == "zh-hans" else "zh-hans"):
        other = route(**kw)
    # when
    with translation.override(lang):
        got, expected = route(**kw), route_afresh(**kw)
    # then
    assert same(got, expected)
    assert got.explanation != other.explanation
    assert ("keyword" in got.explanation) is (lang == "en")


def test_explicit_rules_are_used_as_given_and_not_memoised(table):
    # given: a caller's own rule list (a dry-run of an edited table)
    mine = RoutingRule(order=0, level="town", lead_kind="justice_office")
    kw = {"category": "family", "chain": table.chains[3], "risk": "blue", "channel": "walk_in", "text": ""}
    # when
    d = route(rules=[mine], **kw)
    # then
    assert (d.organization.kind, d.rule) == ("justice_office", mine)
    assert route(**kw).organization.kind == "village_committee"
    assert len(memo().decisions) == 1


def test_a_rule_saved_through_the_orm_changes_the_next_decision_at_once(table):
    # given: a decision in the memo
    kw = {
        "category": "family",
        "chain": table.chains[3],
        "risk": "blue",
        "channel": "walk_in",
        "text": "吵架",
    }
    assert route(**kw).organization.kind == "village_committee"
    # when: a rule is edited
    rule = RoutingRule.objects.get(order=10, category="family")
    rule.level, rule.lead_kind = "town", "justice_office"
    rule.save()
    # then
    d = route(**kw)
    assert (d.rule.pk, d.organization.kind) == (rule.pk, "justice_office")
    assert same(d, route_afresh(**kw))
    # when: a rule is added in front, then deactivated, then deleted
    new = RoutingRule.objects.create(order=0, level="county", lead_kind="county_centre", keywords="吵架")
    assert route(**kw).rule.pk == new.pk
    new.is_active = False
    new.save()
    assert route(**kw).rule.pk == rule.pk
    new.is_active = True
    new.save()
    assert route(**kw).rule.pk == new.pk
    new.delete()
    assert route(**kw).rule.pk == rule.pk
    assert same(route(**kw), route_afresh(**kw))


def test_an_organisation_or_region_saved_through_the_orm_changes_the_next_decision_at_once(table):
    # given
    anji = table.anji
    kw = {"category": "family", "chain": table.chains[3], "risk": "blue", "channel": "walk_in", "text": ""}
    committee = Organization.objects.get(kind="village_committee", region=anji.village)
    assert route(**kw).organization == committee
    # when: renamed
    committee.name = "横溪坞村新调委会"
    committee.save()
    # then
    assert "横溪坞村新调委会" in route(**kw).explanation
    # when: deactivated, the rule's fallback (the town committee) takes the case
    committee.is_active = False
    committee.save()
    d = route(**kw)
    assert (d.organization.kind, d.level) == ("town_committee", "town")
    assert same(d, route_afresh(**kw))
    # when: a region named by a rule is renamed, the trace names it anew
    kw = {"category": "other", "chain": table.chains[4], "risk": "blue", "channel": "walk_in", "text": ""}
    assert any("报福镇" in t["why"] for t in route(**kw).trace)
    anji.town2.name = "报福新镇"
    anji.town2.save()
    assert any("报福新镇" in t["why"] for t in route(**kw).trace)
    assert same(route(**kw), route_afresh(**kw))


def test_a_change_from_another_process_is_seen_within_the_ttl(table, settings, monkeypatch):
    # given: a clock for the reference caches, and the village committee read at t=0 (by anything)
    settings.JIEFEN_REFERENCE_TTL = 30.0
    now = [1000.0]
    monkeypatch.setattr(refcache, "time", SimpleNamespace(monotonic=lambda: now[0]))
    anji = table.anji
    kw = {"category": "family", "chain": table.chains[3], "risk": "blue", "channel": "walk_in", "text": ""}
    routing.organization_at(kinds=["village_committee"], region=anji.village)
    # when: another process deactivates it at t=5 (no signal here), and the case is routed at t=20
    now[0] += 5
    Organization.objects.filter(kind="village_committee", region=anji.village).update(is_active=False)
    now[0] += 15
    route(**kw)
    # then: by t=36 (the TTL after the change) the memo does not answer from what was read before
    now[0] += 16
    d = route(**kw)
    assert d.organization.kind == "town_committee"
    assert same(d, route_afresh(**kw))


def test_the_memo_is_a_bounded_lru(table, monkeypatch):
    # given: room for 8 decisions
    monkeypatch.setattr(routing, "ROUTE_MEMO_SIZE", 8)
    rng = random.Random(7)
    cases = [random_case(rng, table) for _ in range(60)]
    kept = cases[0]
    route(**kept)
    for kw in cases:
        # when
        got = route(**kw)
        keys = set(memo().decisions)
        route(**kept)  # used all along: never the least recently used, so never evicted
        # then
        assert set(memo().decisions) == keys  # answered from the memo, nothing added or evicted
        assert same(got, route_afresh(**kw))
        assert len(memo().decisions) <= 8
    assert len(memo().decisions) == 8


def test_decisions_are_not_shared_mutable_state(table):
    # given
    kw = {
        "category": "labour",
        "chain": table.chains[3],
        "risk": "blue",
        "channel": "hotline_12345",
        "text": "欠了薪",
    }
    first = route(**kw)
    # when: a caller scribbles on what it got
    first.trace[0]["why"] = "scribbled"
    if first.skipped:
        first.skipped[0]["error"] = "scribbled"
    # then: the next caller does not see it
    again = route(**kw)
    assert again.trace[0]["why"] != "scribbled"
    assert same(again, route_afresh(**kw))


def test_threads_share_one_memo_safely(table, monkeypatch):
    # given: every decision known (so the threads read no database), and a memo small enough to
    # evict all the time
    rng = random.Random(11)
    cases = [random_case(rng, table) for _ in range(40)]
    with translation.override("zh-hans"):
        expected = [route_afresh(**kw) for kw in cases]
        for kw in cases:
            route(**kw)
    monkeypatch.setattr(routing, "ROUTE_MEMO_SIZE", 5)
    m = memo()
    m.decisions.clear()
    failures: list = []

    def work(seed: int) -> None:
        r = random.Random(seed)
        try:
            with translation.override("zh-hans"):
                for _ in range(300):
                    i = r.randrange(len(cases))
                    if not same(route(**cases[i]), expected[i]):
                        failures.append(i)
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    # when
    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    assert failures == []
    assert memo() is m and len(m.decisions) <= 5
    assert active_routing_rules() is m.rules
