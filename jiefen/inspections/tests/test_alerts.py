from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from jiefen.alerts.models import Alert, AlertStatus
from jiefen.alerts.rules import reason_text
from jiefen.alerts.services import alerts_sweep
from jiefen.inspections.models import Round
from jiefen.inspections.services import EntryInput, inspection_report

from .conftest import CHECKLIST

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_missing_reports_raise_one_alert_per_town_and_round_and_clear_when_reported(
    anji, schedules, grids, worker, staff_factory
):
    weekly, monthly = schedules
    first_week = Round.objects.get(schedule=weekly, period_start=date(2026, 6, 1))
    inspection_report(
        reporter=worker,
        data=EntryInput(round_id=first_week.pk, grid_id=grids[0].pk, zero_report=True, checked=CHECKLIST),
    )
    # when: the sweep runs on 15 June (the week of 1 June was due on 8 June; May's villages on 3 June)
    alerts_sweep(now=datetime(2026, 6, 15, 10, tzinfo=TZ))
    # then
    alerts = {a.subject_key: a for a in Alert.objects.filter(rule__code="inspection_missing")}
    week_t1 = alerts[f"insp:{first_week.pk}:{anji.town.code}"]
    week_t2 = alerts[f"insp:{first_week.pk}:{anji.town2.code}"]
    assert week_t1.town == anji.town and week_t1.reasons[0]["units"] == [grids[1].name]
    assert week_t1.reasons[0]["count"] == 1 and week_t1.reasons[0]["owed"] == 2
    assert week_t2.town == anji.town2 and week_t2.reasons[0]["units"] == [grids[2].name]
    may = Round.objects.get(schedule=monthly, period_start=date(2026, 5, 1))
    assert sorted(alerts[f"insp:{may.pk}:{anji.town.code}"].reasons[0]["units"]) == sorted(
        [anji.village.name, anji.village2.name]
    )
    assert "网格周排查" in reason_text(week_t1.reasons[0])
    # the week of 8 June is due today: not yet missing
    second_week = Round.objects.get(schedule=weekly, period_start=date(2026, 6, 8))
    assert not any(k.startswith(f"insp:{second_week.pk}:") for k in alerts)
    # a second sweep raises nothing new
    alerts_sweep(now=datetime(2026, 6, 15, 11, tzinfo=TZ))
    assert Alert.objects.filter(rule__code="inspection_missing").count() == len(alerts)

    # when the late grid reports (its village committee's staff may report for it)
    village2_staff = staff_factory(anji.org("village_committee", anji.village2), ["clerk"])
    inspection_report(
        reporter=village2_staff,
        data=EntryInput(round_id=first_week.pk, grid_id=grids[1].pk, zero_report=True, checked=CHECKLIST),
    )
    alerts_sweep(now=datetime(2026, 6, 15, 12, tzinfo=TZ))
    week_t1.refresh_from_db()
    assert week_t1.status == AlertStatus.CLOSED and week_t1.resolution == "cleared"
    assert Alert.objects.get(pk=week_t2.pk).status == AlertStatus.OPEN


def test_the_sweep_creates_the_rounds_that_have_begun(anji, schedules):
    weekly, _m = schedules
    assert not Round.objects.filter(schedule=weekly, period_start=date(2026, 6, 22)).exists()
    alerts_sweep(now=datetime(2026, 6, 22, 8, tzinfo=TZ))
    assert Round.objects.get(schedule=weekly, period_start=date(2026, 6, 22)).due_on == date(2026, 6, 29)
