import io
from datetime import date

import pytest
from openpyxl import load_workbook

from jiefen.inspections.models import Entry, Round
from jiefen.inspections.services import EntryInput, inspection_report

from .conftest import CHECKLIST

pytestmark = pytest.mark.django_db


def test_the_phone_report_page_records_a_zero_report(client, anji, schedules, grids, worker):
    weekly, _m = schedules
    client.force_login(worker)
    page = client.get(f"/inspections/report/?unit=g{grids[0].pk}")
    html = page.content.decode()
    assert page.status_code == 200 and "网格周排查" in html and CHECKLIST[0] in html
    first = Round.objects.get(schedule=weekly, period_start=date(2026, 6, 1))
    resp = client.post(
        "/inspections/report/",
        {"round": first.pk, "unit": f"g{grids[0].pk}", "checked": CHECKLIST[:2], "result": "zero"},
    )
    assert resp.status_code == 302
    e = Entry.objects.get()
    assert e.zero_report and e.grid == grids[0] and e.checked == CHECKLIST[:2] and e.reporter == worker
    # a grid not the worker's: not found; the same round again: back to the page with a message
    other = client.post(
        "/inspections/report/",
        {"round": first.pk, "unit": f"g{grids[2].pk}", "checked": CHECKLIST, "result": "zero"},
    )
    assert other.status_code == 404 and Entry.objects.count() == 1
    again = client.post(
        "/inspections/report/",
        {"round": first.pk, "unit": f"g{grids[0].pk}", "checked": CHECKLIST, "result": "zero"},
    )
    assert again.status_code == 303 and Entry.objects.count() == 1
    # found, without saying what: an error, nothing written
    second = Round.objects.get(schedule=weekly, period_start=date(2026, 6, 8))
    resp = client.post(
        "/inspections/report/",
        {"round": second.pk, "unit": f"g{grids[0].pk}", "checked": CHECKLIST, "result": "found"},
    )
    assert resp.status_code == 200 and "msg-error" in resp.content.decode() and Entry.objects.count() == 1


def test_the_village_committee_reports_its_village_round(client, anji, schedules, staff_factory):
    _w, monthly = schedules
    clerk = staff_factory(anji.org("village_committee", anji.village), ["clerk"])
    client.force_login(clerk)
    page = client.get("/inspections/report/")
    assert "村社月排查" in page.content.decode()
    may = Round.objects.get(schedule=monthly, period_start=date(2026, 5, 1))
    resp = client.post(
        "/inspections/report/",
        {"round": may.pk, "unit": f"v{anji.village.code}", "checked": CHECKLIST, "result": "zero"},
    )
    assert resp.status_code == 302
    assert Entry.objects.get().village == anji.village and Entry.objects.get().grid is None


def test_the_town_sees_completion_and_exports_the_ledger(client, anji, schedules, grids, worker, town_staff):
    weekly, _m = schedules
    first = Round.objects.get(schedule=weekly, period_start=date(2026, 6, 1))
    inspection_report(
        reporter=worker,
        data=EntryInput(round_id=first.pk, grid_id=grids[0].pk, zero_report=True, checked=CHECKLIST),
    )
    client.force_login(town_staff)
    page = client.get("/inspections/?from=2026-06-01&to=2026-06-14")
    html = page.content.decode()
    assert page.status_code == 200
    assert grids[0].name in html and grids[1].name in html and grids[2].name not in html
    assert 'id="insp-missing">3<' in html  # one grid and two villages did not report
    xlsx = client.get("/inspections/ledger.xlsx?from=2026-06-01&to=2026-06-14")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    ledger = wb.worksheets[0]
    assert "排查" in ledger["A1"].value
    assert ledger.cell(row=4, column=1).value == 1 and ledger.cell(row=4, column=7).value == grids[0].name
    missing = wb.worksheets[2]
    assert {missing.cell(row=i, column=3).value for i in range(2, missing.max_row + 1)} == {
        grids[1].name,
        anji.village.name,
        anji.village2.name,
    }
    # another town's area is not found; a bad date is refused
    assert client.get(f"/inspections/?region={anji.town2.code}").status_code == 404
    assert client.get("/inspections/?from=2026-02-30").status_code == 400
    assert client.get("/inspections/ledger.xlsx?from=x").status_code == 400


def test_checks_logged_between_rounds_are_read_by_the_town_and_entries_by_the_grid_leader(
    client, anji, schedules, grids, worker, town_staff
):
    from jiefen.channels.grid import grid_check_log
    from jiefen.channels.models import GridMember

    grid_check_log(worker=worker, grid=grids[0], found=True, note="两户因排水沟有矛盾，已劝解")
    weekly, _m = schedules
    first = Round.objects.get(schedule=weekly, period_start=date(2026, 6, 1))
    inspection_report(
        reporter=worker,
        data=EntryInput(round_id=first.pk, grid_id=grids[0].pk, zero_report=True, checked=CHECKLIST),
    )
    client.force_login(town_staff)
    html = client.get("/inspections/").content.decode()
    assert "两户因排水沟有矛盾" in html
    GridMember.objects.filter(staff=worker).update(is_leader=True)
    client.force_login(worker)
    leader = client.get(f"/grid/{grids[0].pk}/leader/").content.decode()
    assert 'id="grid-inspections"' in leader and "网格周排查" in leader
