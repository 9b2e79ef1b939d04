"""排查 completion on the scorecards comes from jiefen.inspections: villages and towns that owe
rounds show reported/due; units that run no 排查 show "—"."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from jiefen.inspections.models import Entry, Round, Schedule
from jiefen.scorecards import selectors

pytestmark = pytest.mark.django_db


def test_inspection_completion_per_village_committee_and_town(anji, dispatcher):
    # given a monthly village round in May, reported by one of the three villages
    schedule = Schedule.objects.create(
        county=anji.county,
        code="monthly-test",
        name="每月排查",
        unit="village",
        frequency="monthly",
        starts_on=date(2026, 5, 1),
    )
    rnd = Round.objects.create(
        schedule=schedule,
        period_start=date(2026, 5, 1),
        period_end=date(2026, 5, 31),
        due_on=date(2026, 5, 31),
    )
    Entry.objects.create(
        round=rnd,
        unit="village",
        village=anji.village,
        town=anji.town,
        county=anji.county,
        reporter=dispatcher,
        reported_at=timezone.make_aware(datetime(2026, 5, 20, 9)),
        zero_report=True,
    )

    # when May is scored
    data = selectors.scorecards(viewer=dispatcher, month="2026-05")
    org = {u.organization_id: u for u in data["organizations"]}
    town = {u.region.pk: u for u in data["towns"]}

    # then the village committees and towns carry reported/due, the others nothing
    def of(unit):
        f = unit.figures
        return f["inspections_done"], f["inspections_due"], unit.terms["inspections"]

    assert of(org[anji.org("village_committee", anji.village).pk]) == (1, 1, 1.0)
    assert of(org[anji.org("village_committee", anji.village2).pk]) == (0, 1, 0.0)
    assert of(town[anji.town.pk]) == (1, 2, 0.5)
    assert of(town[anji.town2.pk]) == (0, 1, 0.0)
    assert of(org[anji.org("county_centre").pk]) == (None, None, None)

    # and in a month without rounds nobody has the figure
    later = selectors.scorecards(viewer=dispatcher, month="2026-04")
    assert all(u.figures["inspections_due"] is None for u in later["organizations"] + later["towns"])
