"""Every scorecard figure equals a recount from the case rows, on a generated month.

The month comes from the demo's case generator (returns, escalations, slow acceptance,
transfers, withdrawals…) plus feedback, portal ratings, return visits and supervision orders;
the recount below walks each case on its own, reading its timeline (CaseEvent) rather than the
clocks the selector reads where it can, and compares every figure of every unit."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from jiefen.cases.models import Case, CaseEvent, CaseStep
from jiefen.demo.services import cases_seed
from jiefen.directory.models import Organization
from jiefen.procedures.models import PartyFeedback, ReturnVisit, SupervisionOrder
from jiefen.scorecards import selectors

MONTH = "2026-05"
STOP = ("resolve", "transfer", "not_accept", "withdraw", "close")


def _month_bounds():
    m = selectors.month_parse(MONTH)
    return m.start, m.end


def _follow_up_rows(county, leader):
    """Feedback, portal ratings, return visits and supervision orders on a sample of cases."""
    rng = random.Random(7)
    start, end = _month_bounds()
    cases = list(Case.objects.filter(county=county).order_by("pk")[:400])
    for case in rng.sample(cases, 60):
        at = start + timedelta(days=rng.uniform(-3, 33))
        party = case.parties.first()
        kind = rng.randrange(4)
        if kind == 0 and party is not None:
            PartyFeedback.objects.create(case=case, party=party, score=rng.randint(1, 5), at=at)
        elif kind == 1 and party is not None:
            source = rng.choice(["portal", "hotline"])
            PartyFeedback.objects.create(
                case=case, party=party, score=rng.randint(1, 5), at=at, source=source
            )
        elif kind == 2:
            done = at + timedelta(days=rng.uniform(-2, 4)) if rng.random() < 0.7 else None
            ReturnVisit.objects.create(
                case=case,
                organization=case.lead_organization,
                due_at=at,
                status="done" if done else "scheduled",
                done_at=done,
                satisfied=rng.choice([True, False, None]) if done else None,
            )
        else:
            replied = at + timedelta(days=rng.uniform(-3, 3)) if rng.random() < 0.8 else None
            SupervisionOrder.objects.create(
                case=case,
                organization=case.lead_organization,
                issued_by=leader,
                issued_at=at - timedelta(days=7),
                instructions="请加快办理",
                due_at=at,
                replied_at=replied,
            )


def _recount(org: Organization, start: datetime, end: datetime) -> dict:
    """One organisation's figures, case by case, from the timeline."""
    inm = lambda t: t is not None and start <= t < end  # noqa: E731
    f: dict[str, Any] = dict.fromkeys(
        (
            "received",
            "accepted_in_time",
            "ended",
            "ended_in_time",
            "resolved",
            "returns",
            "escalations",
            "rated",
            "satisfied",
            "return_visits_due",
            "return_visits_in_time",
            "supervisions",
            "supervisions_in_time",
        ),
        0,
    )
    reasons: dict[str, int] = {}
    for case in Case.objects.filter(lead_organization=org).exclude(status="merged"):
        if not inm(case.received_at):
            continue
        f["received"] += 1
        events = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
        steps = list(CaseStep.objects.filter(case=case).order_by("started_at", "id"))
        accept = next((e for e in events if e.kind == "accept"), None)
        if accept is not None:
            running = [s for s in steps if s.code == "acceptance" and s.started_at <= accept.at]
            due = running[-1].due_at if running else None
            if running and (due is None or accept.at <= due):
                f["accepted_in_time"] += 1
        if case.status in ("resolved", "closed", "transferred", "not_accepted", "withdrawn"):
            f["ended"] += 1
            last = steps[-1] if steps else None
            stop = next((e for e in events if e.kind in STOP and last and e.at >= last.started_at), None)
            if last is not None and stop is not None and (last.due_at is None or stop.at <= last.due_at):
                f["ended_in_time"] += 1
        if case.resolved_level:
            f["resolved"] += 1
    for e in CaseEvent.objects.filter(kind="return").select_related("case"):
        if not inm(e.at):
            continue
        lead = e.case.assignments.filter(role="lead", ended_at=e.at).first()
        if lead is not None and lead.organization_id == org.pk:
            f["returns"] += 1
            key = (e.reason or "").strip()[:80] or "(no reason)"
            reasons[key] = reasons.get(key, 0) + 1
    for e in CaseEvent.objects.filter(kind="escalate").select_related("case"):
        if not inm(e.at):
            continue
        c = e.case
        region = {"village": c.village, "town": c.town, "county": c.county}[e.data["from_level"]]
        if region is not None and org.region_id == region.pk and org.name == e.data["from"]:
            f["escalations"] += 1
    for v in ReturnVisit.objects.filter(case__lead_organization=org):
        if inm(v.done_at) and v.satisfied is not None:
            f["rated"] += 1
            f["satisfied"] += bool(v.satisfied)
    for fb in PartyFeedback.objects.filter(case__lead_organization=org):
        if inm(fb.at):
            f["rated"] += 1
            f["satisfied"] += fb.score >= 4
    for v in ReturnVisit.objects.filter(organization=org):
        if inm(v.due_at):
            f["return_visits_due"] += 1
            f["return_visits_in_time"] += v.done_at is not None and v.done_at <= v.due_at
    for s in SupervisionOrder.objects.filter(organization=org):
        if inm(s.due_at):
            f["supervisions"] += 1
            f["supervisions_in_time"] += s.replied_at is not None and s.replied_at <= s.due_at
    f["return_reasons"] = reasons
    return f


def _shown(unit) -> dict:
    out = {k: v for k, v in unit.figures.items() if k in selectors.DRILLABLE}
    out["return_reasons"] = {r["reason"]: r["count"] for r in unit.figures["return_reasons"]}
    return out


@pytest.mark.django_db
def test_every_figure_equals_a_recount_from_the_cases(anji, staff_factory):
    # given a generated county: two months of cases around May, and follow-up records
    leader = staff_factory(anji.org("county_centre"), ["leader"], username="leader")
    now = timezone.make_aware(datetime(2026, 6, 10, 12))
    cases_seed(county=anji.county, count=900, seed=11, now=now, days=75, copy=False, counters=False)
    _follow_up_rows(anji.county, leader)
    start, end = _month_bounds()

    # when the month's scorecards are computed
    data = selectors.scorecards(viewer=leader, month=MONTH)

    # then every organisation's figures equal the recount, and each town sums its organisations
    orgs = {o.pk: o for o in Organization.objects.all()}
    checked = 0
    for unit in data["organizations"]:
        expected = _recount(orgs[unit.organization_id], start, end)
        assert _shown(unit) == expected, unit.name
        checked += expected["received"]
    for unit in data["towns"]:
        members = [o for o in orgs.values() if o.region.town_id == unit.region.pk]
        total: dict = {}
        for o in members:
            for k, v in _recount(o, start, end).items():
                if k == "return_reasons":
                    for r, n in v.items():
                        total.setdefault(k, {})[r] = total.get(k, {}).get(r, 0) + n
                else:
                    total[k] = total.get(k, 0) + v
        total.setdefault("return_reasons", {})
        assert _shown(unit) == total, unit.name
    # the month was not empty: the comparison compared something of every kind
    sums = {k: sum(_shown(u)[k] for u in data["organizations"]) for k in selectors.DRILLABLE}
    assert checked == sums["received"] > 100
    assert all(sums[k] > 0 for k in selectors.DRILLABLE), sums


@pytest.mark.django_db
def test_drill_down_lists_exactly_the_cases_behind_a_figure(anji, staff_factory):
    # given a generated month
    leader = staff_factory(anji.org("county_centre"), ["leader"], username="leader")
    now = timezone.make_aware(datetime(2026, 6, 10, 12))
    cases_seed(county=anji.county, count=300, seed=5, now=now, days=75, copy=False, counters=False)
    data = selectors.scorecards(viewer=leader, month=MONTH)
    unit = max(data["organizations"], key=lambda u: u.figures["received"])

    # when the cases behind "received" and "resolved" are listed
    received = selectors.figure_cases(viewer=leader, unit=unit, figure="received")
    resolved = selectors.figure_cases(viewer=leader, unit=unit, figure="resolved")

    # then they are the unit's cases of the month, as many as the figures say
    start, end = _month_bounds()
    assert received.count() == unit.figures["received"] > 0
    assert all(
        c.lead_organization_id == unit.organization_id and start <= c.received_at < end for c in received
    )
    assert resolved.count() == unit.figures["resolved"]
    assert all(c.resolved_level for c in resolved)
