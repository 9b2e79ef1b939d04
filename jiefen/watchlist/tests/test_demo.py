"""The demo lists two people with plans on its cases, and scores every unit for its month."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import call_command

from jiefen.directory.models import Organization, Staff
from jiefen.regions.models import Region
from jiefen.scorecards import selectors as scorecards
from jiefen.watchlist import selectors
from jiefen.watchlist.models import WatchEntry

pytestmark = pytest.mark.django_db
NOW = "2026-06-15 10:00:00+08:00"


def test_demo_has_two_listed_people_and_scorecards_for_every_unit(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with time_machine.travel(NOW, tick=False):
        call_command("demo", "--no-serve", "--cases", "300", stdout=io.StringIO(), verbosity=0)
        call_command("demo", "--no-serve", "--cases", "300", stdout=io.StringIO(), verbosity=0)  # idempotent

        county = Region.objects.get(code="330523000000")
        entries = list(WatchEntry.objects.filter(county=county))
        assert len(entries) == 2
        for e in entries:
            assert e.status == "active" and e.plan and e.reason_note and e.cases.exists()
            assert e.events.filter(kind="contact").exists()
            assert all(c.parties.filter(id_number_hash=e.person_hash).exists() for c in e.cases.all())
        # the demo leader and the responsible officer see them; the clerk does not
        leader = Staff.objects.get(username="leader")
        assert len(selectors.entry_list(viewer=leader)) == 2
        assert len(selectors.entry_list(viewer=Staff.objects.get(username="handler"))) == 2
        assert selectors.entry_list(viewer=Staff.objects.get(username="clerk")) == []

        data = scorecards.scorecards(viewer=leader, month="2026-05")
    assert (
        len(data["organizations"])
        == Organization.objects.filter(region__county=county, is_active=True).count()
    )
    assert len(data["towns"]) == Region.objects.filter(county=county, level="town").count()
    assert sum(u.figures["received"] for u in data["towns"]) > 0
    assert any(u.score is not None for u in data["organizations"])
