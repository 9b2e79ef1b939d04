"""`jiefen demo`: the 安吉县 demo is prepared once, coherent, and kept on a second run."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import date

import pytest
import time_machine
from django.core.management import call_command

from jiefen.cases.choices import ResolvedLevel, Status
from jiefen.cases.models import Case, CaseSequence
from jiefen.directory.models import Organization, Staff
from jiefen.regions.models import Region

pytestmark = pytest.mark.django_db

# A fixed clock makes the generated demo (seeded) the same on every run of the suite.
NOW = "2026-06-15 10:00:00+08:00"
ROLES_ACCOUNTS = {
    "admin",
    "clerk",
    "dispatcher",
    "handler",
    "mediator",
    "grid_worker",
    "agent",
    "leader",
    "analyst",
}


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def _demo(*extra: str) -> str:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("demo", "--no-serve", "--cases", "60", *extra, stdout=out, verbosity=0)
    return out.getvalue()


def test_demo_loads_the_county_organisations_and_accounts(data_dir):
    # given an empty database and data folder
    # when
    output = _demo()
    # then
    county = Region.objects.get(code="330523000000")
    assert Region.objects.filter(county=county, level="village").count() == 218
    assert Organization.objects.filter(region=county, kind="county_centre").count() == 1
    assert Organization.objects.filter(region__county=county, kind="village_committee").count() == 218
    assert set(Staff.objects.values_list("username", flat=True)) >= ROLES_ACCOUNTS
    assert Staff.objects.get(username="admin").is_superuser
    assert Staff.objects.get(username="handler").organization.kind == "justice_office"
    assert Staff.objects.get(username="mediator").organization.kind == "village_committee"
    password = json.loads((data_dir / "demo-accounts.json").read_text())["password"]
    assert Staff.objects.get(username="dispatcher").check_password(password)
    assert password in output and "http://127.0.0.1:8000/" in output


def test_demo_cases_have_coherent_statuses_events_and_clocks(data_dir):
    # given
    _demo()
    # when
    cases = list(Case.objects.prefetch_related("events", "assignments", "steps", "parties"))
    # then
    assert len(cases) == 60
    for case in cases:
        timeline = list(case.events.all())
        assert [e.at for e in timeline] == sorted(e.at for e in timeline), case.number
        # the moves; a case found in 排查 also has an entry that moves nothing ("inspection_found")
        events = [e for e in timeline if e.kind != "inspection_found"]
        assert [e.kind for e in events[:2]] == ["registered", "routed"], case.number
        assert events[-1].to_status == case.status, case.number
        assert all(a.to_status == b.from_status for a, b in zip(events[1:], events[2:], strict=False)), (
            case.number
        )
        assert case.version == 1 + len(events) - 2, case.number
        leads = [a for a in case.assignments.all() if a.is_active and a.role == "lead"]
        assert [(a.organization_id, a.level) for a in leads] == [(case.lead_organization_id, case.level)]
        open_steps = [s for s in case.steps.all() if s.ended_at is None]
        assert case.due_at is None or [s.due_at for s in open_steps] == [case.due_at], case.number
        assert case.received_at <= case.registered_at
        assert any(p.role == "applicant" for p in case.parties.all())


def test_demo_resolves_most_cases_at_village_or_town_and_mixes_outcomes(data_dir):
    # given
    _demo()
    # when
    levels = Counter(Case.objects.exclude(resolved_level="").values_list("resolved_level", flat=True))
    statuses = Counter(Case.objects.values_list("status", flat=True))
    # then
    low = levels[ResolvedLevel.VILLAGE] + levels[ResolvedLevel.TOWN]
    assert low / sum(levels.values()) >= 0.8
    assert statuses[Status.CLOSED] > 30
    assert len(statuses) >= 3


def test_demo_run_twice_keeps_data_and_password(data_dir):
    # given
    _demo()
    numbers = set(Case.objects.values_list("number", flat=True))
    hashes = dict(Staff.objects.values_list("username", "password"))
    accounts_file = (data_dir / "demo-accounts.json").read_text()
    # when
    output = _demo()
    # then
    assert set(Case.objects.values_list("number", flat=True)) == numbers
    assert dict(Staff.objects.values_list("username", "password")) == hashes
    assert (data_dir / "demo-accounts.json").read_text() == accounts_file
    assert json.loads(accounts_file)["password"] in output
    assert sum(CaseSequence.objects.values_list("last_value", flat=True)) == 60


def test_a_demo_generated_in_december_tells_the_truth_about_its_deadlines(data_dir):
    # given the demo prepared on 5 December 2026, before the 2027 holiday notice
    from django.utils import timezone

    from jiefen.deadlines import statutory
    from jiefen.deadlines.selectors import work_calendar

    out = io.StringIO()
    with time_machine.travel("2026-12-05 10:00:00+08:00", tick=False):
        call_command("demo", "--no-serve", "--cases", "500", stdout=out, verbosity=0)

    # then no open deadline falls on a day off, and every one in 2027 is marked provisional
    cal = work_calendar()
    due = [
        (c.number, timezone.localtime(c.due_at).date(), c.due_provisional)
        for c in Case.objects.exclude(due_at=None)
    ]
    assert len(due) >= 5
    assert all(cal.is_workday(day) for _n, day, _p in due)
    assert all(
        day != date(2027, 1, 1) and day not in statutory.days_off(2027)
        for _n, day, _p in due
        if day.year == 2027
    )
    assert all(provisional == (day.year == 2027) for _n, day, provisional in due)
    assert any(provisional for *_x, provisional in due)
    # and the start-up output says why
    assert "Calendar WARNING" in out.getvalue() and "2027" in out.getvalue()


def test_demo_has_every_role_of_the_four_stories(data_dir):
    """The window's group wage case, the village's water leak confirmed by the court, the land
    petition through 复查 and 复核, the hotline threat a leader takes in charge: every body those
    stories reach has a demo account, and the village has grids with their members."""
    from jiefen.channels.models import GridMember

    # when
    output = _demo()
    # then
    kinds = {s.username: s.organization.kind for s in Staff.objects.select_related("organization")}
    assert kinds["town_clerk"] == kinds["town_handler"] == kinds["town_leader"] == "town_centre"
    assert kinds["petition"] == kinds["petition_leader"] == "petition_bureau"
    assert kinds["court"] == "court"
    assert kinds["labour"] == "labour_arbitration"
    assert kinds["justice_bureau"] == "justice_bureau"
    assert Staff.objects.get(username="town_leader").has_role("leader")
    assert Staff.objects.get(username="petition_leader").has_role("leader")
    members = GridMember.objects.filter(
        grid__village=Staff.objects.get(username="mediator").organization.region
    )
    assert {(m.staff.username, m.is_leader) for m in members} >= {
        ("grid_leader", True),
        ("grid_worker", False),
    }
    assert members.values("grid").distinct().count() == 2
    for username in ("town_clerk", "petition", "court", "labour", "grid_leader"):
        assert f"  {username} " in output  # printed with the others
    # a second run adds no grid and no member
    count = GridMember.objects.count()
    _demo()
    assert GridMember.objects.count() == count


def test_dev_start_help_lists_its_options():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, str(root / "dev.py"), "start", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for option in ("--port", "--cases", "--no-serve", "--host", "--workers"):
        assert option in out


def test_grid_members_are_picked_by_search_in_the_admin(client, data_dir):
    """Grid members and a grid's staff are chosen with searchable pickers, not typed ids."""
    _demo()
    client.force_login(Staff.objects.get(username="admin"))
    from jiefen.regions.models import Grid

    grid = Grid.objects.order_by("code").first()
    page = client.get(f"/admin/regions/grid/{grid.pk}/change/").content.decode()
    assert "admin-autocomplete" in page and "vForeignKeyRawIdAdminField" not in page
    page = client.get("/admin/intake_channels/gridmember/add/").content.decode()
    assert page.count("admin-autocomplete") >= 2 and "vForeignKeyRawIdAdminField" not in page
    # the picker's search answers by a staff member's name
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "intake_channels", "model_name": "gridmember", "field_name": "staff", "term": "网格长"},
    ).json()
    assert [r["text"] for r in found["results"]] == ["网格长 李根生"]
