import pytest

from jiefen.cases.models import Case
from jiefen.channels.models import GridCheck, GridMember, GridReport
from jiefen.core.errors import NotFound, ValidationFailed
from jiefen.regions.models import Grid

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid(anji):
    return Grid.objects.create(village=anji.village, code="330523101201-01", name="横溪坞第一网格")


@pytest.fixture
def worker(anji, staff_factory, grid):
    w = staff_factory(anji.org("village_committee", anji.village), ["grid_worker"], username="gridworker")
    GridMember.objects.create(grid=grid, staff=w)
    return w


@pytest.fixture
def leader(anji, staff_factory, grid):
    w = staff_factory(
        anji.org("village_committee", anji.village), ["grid_worker", "agent"], username="gridleader"
    )
    GridMember.objects.create(grid=grid, staff=w, is_leader=True)
    return w


def test_report_page_preselects_the_grid_and_registers_a_grid_case(client, worker, grid, frozen_now):
    # given
    client.force_login(worker)
    page = client.get("/grid/report/")
    # when
    resp = client.post(
        "/grid/report/",
        {
            "grid": grid.pk,
            "description": "两户因宅基地边界争吵<b>x</b>",
            "applicant_name": "赵六",
            "applicant_phone": "13812345678",
            "category": "neighbour",
            "on_behalf": "on",
        },
    )
    # then
    assert f'name="grid" value="{grid.pk}"' in page.content.decode()
    case = Case.objects.get()
    assert resp.status_code == 200 and case.number in resp.content.decode()
    assert case.channel == "grid" and case.village == grid.village
    report = GridReport.objects.get(case=case)
    assert report.grid == grid and report.worker == worker and report.on_behalf
    assert case.registered_by == worker


def test_a_worker_cannot_report_in_someone_elses_grid(client, anji, worker, frozen_now):
    # given
    other = Grid.objects.create(village=anji.other_village, code="330523102201-01", name="深溪第一网格")
    client.force_login(worker)
    # when
    resp = client.post("/grid/report/", {"grid": other.pk, "description": "x", "applicant_name": "赵六"})
    # then
    assert not Case.objects.exists()
    assert resp.status_code == 200 and "msg-error" in resp.content.decode()


def test_routine_checks_including_nothing_found(client, worker, grid):
    # given
    client.force_login(worker)
    # when
    client.post("/grid/check/", {"grid": grid.pk, "found": "0", "note": ""})
    missing_note = client.post("/grid/check/", {"grid": grid.pk, "found": "1", "note": ""})
    client.post("/grid/check/", {"grid": grid.pk, "found": "1", "note": "两户因排水沟有矛盾"})
    # then
    assert list(GridCheck.objects.order_by("id").values_list("found", flat=True)) == [False, True]
    assert missing_note.status_code == 200 and GridCheck.objects.count() == 2


def test_worker_handles_a_simple_case_at_village_level(client, worker, grid, frozen_now):
    # given
    from jiefen.channels.grid import grid_report

    done = grid_report(
        worker=worker, grid=grid, description="邻居噪音", applicant_name="赵六", category="neighbour"
    )
    assert done.case.lead_organization == worker.organization
    client.force_login(worker)
    # when
    for action, extra in (("accept", {}), ("start", {}), ("resolve", {"reason": "当场调解，双方和好"})):
        case = Case.objects.get()
        client.post(f"/grid/cases/{case.number}/act/", {"action": action, "version": case.version, **extra})
    # then
    case = Case.objects.get()
    assert case.status == "resolved" and case.resolved_level == "village"
    assert "当场调解" in case.events.get(kind="resolve").reason


def test_grid_page_refuses_other_actions(client, worker, grid, frozen_now):
    # given
    from jiefen.channels.grid import grid_report

    case = grid_report(worker=worker, grid=grid, description="邻居噪音", applicant_name="赵六").case
    client.force_login(worker)
    # when
    client.post(f"/grid/cases/{case.number}/act/", {"action": "escalate", "reason": "x"})
    # then
    case.refresh_from_db()
    assert case.status == "triaged"


def test_leader_sees_the_grid_cases_and_checks_workers_do_not(client, worker, leader, grid, frozen_now):
    # given
    from jiefen.channels.grid import grid_check_log, grid_report

    case = grid_report(worker=worker, grid=grid, description="邻居噪音", applicant_name="赵六").case
    grid_check_log(worker=worker, grid=grid, found=False)
    # when
    client.force_login(leader)
    page = client.get(f"/grid/{grid.pk}/leader/")
    client.force_login(worker)
    refused = client.get(f"/grid/{grid.pk}/leader/")
    # then
    assert page.status_code == 200 and case.number in page.content.decode()
    assert "gridworker" in page.content.decode()
    assert refused.status_code == 404


def test_check_with_found_needs_a_note(worker, grid):
    from jiefen.channels.grid import grid_check_log

    with pytest.raises(ValidationFailed):
        grid_check_log(worker=worker, grid=grid, found=True, note="")


def test_grid_for_refuses_strangers(dispatcher, grid):
    from jiefen.channels.grid import grid_for

    with pytest.raises(NotFound):
        grid_for(dispatcher, grid.pk)
