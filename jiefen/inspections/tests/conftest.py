from datetime import date

import pytest

from jiefen.channels.models import GridMember
from jiefen.inspections.models import Schedule
from jiefen.inspections.services import rounds_ensure
from jiefen.regions.models import Grid

CHECKLIST = ["邻里纠纷", "土地山林", "劳资欠薪"]


@pytest.fixture
def grids(anji):
    g1 = Grid.objects.create(village=anji.village, code="330523101201-01", name="横溪坞第一网格")
    g2 = Grid.objects.create(village=anji.village2, code="330523101202-01", name="夏阳第一网格")
    g3 = Grid.objects.create(village=anji.other_village, code="330523102201-01", name="深溪第一网格")
    return g1, g2, g3


@pytest.fixture
def schedules(anji):
    """The schedules and rounds of June 2026. These tests describe what is owed at a given day,
    so they run at that day even when the suite runs on today's date (JIEFEN_TEST_CLOCK=real):
    rounds half a year old are not offered any more, by design."""
    import time_machine

    from conftest import TEST_NOW

    with time_machine.travel(TEST_NOW, tick=True):
        yield _schedules(anji)


def _schedules(anji):
    weekly = Schedule.objects.create(
        county=anji.county,
        code="grid-weekly",
        name="网格周排查",
        unit="grid",
        frequency="weekly",
        starts_on=date(2026, 6, 1),
        grace_days=1,
        checklist=CHECKLIST,
    )
    monthly = Schedule.objects.create(
        county=anji.county,
        code="village-monthly",
        name="村社月排查",
        unit="village",
        frequency="monthly",
        starts_on=date(2026, 5, 1),
        grace_days=3,
        checklist=CHECKLIST,
    )
    rounds_ensure(until=date(2026, 6, 15))
    return weekly, monthly


@pytest.fixture
def worker(anji, staff_factory, grids):
    w = staff_factory(anji.org("village_committee", anji.village), ["grid_worker"], username="gridworker")
    GridMember.objects.create(grid=grids[0], staff=w)
    return w


@pytest.fixture
def town_staff(anji, staff_factory):
    return staff_factory(anji.org("town_centre", anji.town), ["dispatcher", "analyst"], username="towndesk")
