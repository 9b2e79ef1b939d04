from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from jiefen.alerts.models import Alert
from jiefen.demo.inspections import inspections_seed
from jiefen.geo.models import RegionPoint
from jiefen.inspections import selectors
from jiefen.inspections.models import Entry, Round, Schedule
from jiefen.regions.models import Grid

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_the_demo_inspections_have_a_month_of_rounds_some_missing_and_their_alerts(
    anji, dispatcher, staff_factory
):
    from jiefen.alerts.services import inspection_alerts_sync

    worker = staff_factory(
        anji.org("village_committee", anji.village), ["grid_worker"], username="grid_worker"
    )
    today = date(2026, 6, 15)
    made = inspections_seed(county=anji.county, village=anji.village, grid_worker=worker, today=today, seed=7)
    assert Schedule.objects.count() == 3 and Grid.objects.count() == 4
    assert Round.objects.filter(schedule__code="demo-grid-weekly").count() >= 5
    assert made["entries"] == Entry.objects.count() > 0
    assert RegionPoint.objects.count() == 5
    rows = selectors.completion(anji.county, date(2026, 5, 15), date(2026, 6, 14))
    assert sum(r.due for r in rows) > sum(r.done for r in rows) > 0
    inspection_alerts_sync(now=datetime(2026, 6, 15, 10, tzinfo=TZ))
    assert Alert.objects.filter(rule__code="inspection_missing").exists()
    # the worker's grids are theirs, and a second run adds nothing
    assert Grid.objects.filter(members__staff=worker).count() == 2
    assert (
        inspections_seed(county=anji.county, village=anji.village, grid_worker=worker, today=today)["entries"]
        == 0
    )
