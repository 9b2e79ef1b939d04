from datetime import date

import pytest

from jiefen.cases.models import Case, CaseEvent
from jiefen.core.errors import NotFound, ValidationFailed
from jiefen.inspections import selectors
from jiefen.inspections.models import Entry, Finding, Round
from jiefen.inspections.services import DuplicateEntry, EntryInput, FindingInput, inspection_report, periods

from .conftest import CHECKLIST

pytestmark = pytest.mark.django_db


def _week_round(weekly, start=date(2026, 6, 8)):
    return Round.objects.get(schedule=weekly, period_start=start)


def test_rounds_follow_the_schedule_weeks_and_months(schedules):
    weekly, monthly = schedules
    # weeks Monday–Sunday from 1 June, due a day after; months due three days after
    assert [
        (r.period_start, r.due_on) for r in Round.objects.filter(schedule=weekly).order_by("period_start")
    ] == [
        (date(2026, 6, 1), date(2026, 6, 8)),
        (date(2026, 6, 8), date(2026, 6, 15)),
        (date(2026, 6, 15), date(2026, 6, 22)),
    ]
    assert [
        (r.period_start, r.period_end)
        for r in Round.objects.filter(schedule=monthly).order_by("period_start")
    ] == [
        (date(2026, 5, 1), date(2026, 5, 31)),
        (date(2026, 6, 1), date(2026, 6, 30)),
    ]
    assert len(periods(weekly, date(2026, 6, 15))) == 3


def test_zero_report_counts_as_done_and_completion_counts_per_grid(
    anji, schedules, grids, worker, town_staff
):
    weekly, _m = schedules
    rnd = _week_round(weekly, date(2026, 6, 1))
    entry = inspection_report(
        reporter=worker,
        data=EntryInput(round_id=rnd.pk, grid_id=grids[0].pk, zero_report=True, checked=CHECKLIST[:2]),
    )
    assert entry.zero_report and entry.town == anji.town and entry.village == anji.village
    rows = selectors.completion(anji.town, date(2026, 6, 1), date(2026, 6, 14))
    by_code = {r.code: r for r in rows if r.unit == "grid"}
    # only the week of 1 June is due in the period (due 8 June); the town has two grids
    assert set(by_code) == {grids[0].code, grids[1].code}
    # and May's village round (due 3 June) for its two villages
    assert {(r.code, r.due, r.done) for r in rows if r.unit == "village"} == {
        (anji.village.code, 1, 0),
        (anji.village2.code, 1, 0),
    }
    assert (by_code[grids[0].code].due, by_code[grids[0].code].done, by_code[grids[0].code].zero_reports) == (
        1,
        1,
        1,
    )
    assert (by_code[grids[1].code].due, by_code[grids[1].code].done, by_code[grids[1].code].missing) == (
        1,
        0,
        1,
    )
    # the county sees the third grid too; an organisation means its region's area
    county_rows = selectors.completion(anji.org("county_centre"), date(2026, 6, 1), date(2026, 6, 14))
    assert len([r for r in county_rows if r.unit == "grid"]) == 3
    assert selectors.completion_total(anji.town, date(2026, 6, 1), date(2026, 6, 14))["rate"] == 0.25


def test_a_finding_registers_a_case_with_its_timeline_entry(anji, schedules, grids, worker):
    weekly, _m = schedules
    rnd = _week_round(weekly)
    entry = inspection_report(
        reporter=worker,
        data=EntryInput(
            round_id=rnd.pk,
            grid_id=grids[0].pk,
            checked=CHECKLIST,
            findings=[
                FindingInput(description="两户因排水沟争吵", applicant_name="赵六", category="neighbour")
            ],
        ),
    )
    case = Case.objects.get()
    assert case.channel == "grid" and case.village == anji.village
    assert Finding.objects.get(entry=entry).case == case
    assert CaseEvent.objects.filter(case=case, kind="inspection_found").count() == 1
    assert case.grid_report.grid == grids[0]


def test_bad_input_outside_area_duplicate_and_incomplete(anji, schedules, grids, worker):
    weekly, monthly = schedules
    rnd = _week_round(weekly)
    with pytest.raises(NotFound):  # a grid of another village
        inspection_report(
            reporter=worker,
            data=EntryInput(round_id=rnd.pk, grid_id=grids[2].pk, zero_report=True, checked=CHECKLIST),
        )
    with pytest.raises(ValidationFailed) as exc:  # neither findings nor a zero report
        inspection_report(
            reporter=worker, data=EntryInput(round_id=rnd.pk, grid_id=grids[0].pk, checked=CHECKLIST)
        )
    assert "findings" in exc.value.fields
    with pytest.raises(ValidationFailed):  # an item not on the checklist
        inspection_report(
            reporter=worker,
            data=EntryInput(round_id=rnd.pk, grid_id=grids[0].pk, zero_report=True, checked=["别的"]),
        )
    with pytest.raises(ValidationFailed):  # a village round reported for a grid
        m = Round.objects.filter(schedule=monthly).first()
        inspection_report(
            reporter=worker,
            data=EntryInput(round_id=m.pk, grid_id=grids[0].pk, zero_report=True, checked=CHECKLIST),
        )
    inspection_report(
        reporter=worker,
        data=EntryInput(round_id=rnd.pk, grid_id=grids[0].pk, zero_report=True, checked=CHECKLIST),
    )
    with pytest.raises(DuplicateEntry):
        inspection_report(
            reporter=worker,
            data=EntryInput(round_id=rnd.pk, grid_id=grids[0].pk, zero_report=True, checked=CHECKLIST),
        )
    assert Entry.objects.count() == 1 and not Case.objects.exists()
