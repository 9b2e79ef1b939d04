"""A grid worker reports a dispute from the mobile page."""

import os

import pytest

from jiefen.cases.models import Case
from jiefen.channels.models import GridMember, GridReport
from jiefen.channels.tests.dbfix import tolerant_serialized_rollback  # noqa: F401
from jiefen.regions.models import Grid

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def phone_page(new_browser_page):
    return new_browser_page(viewport={"width": 390, "height": 844}, is_mobile=True)


def test_grid_worker_reports_from_the_mobile_page(phone_page, live_server, anji, staff_factory, tmp_path):
    page = phone_page
    # given
    grid = Grid.objects.create(village=anji.village, code="330523101201-01", name="横溪坞第一网格")
    worker = staff_factory(
        anji.org("village_committee", anji.village), ["grid_worker"], username="gridworker"
    )
    GridMember.objects.create(grid=grid, staff=worker)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "gridworker")
    page.fill("#id_password", "pw-123456789")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/cases/")
    # when
    page.goto(f"{live_server.url}/grid/")
    page.click(f"#report-{grid.pk}")
    page.wait_for_selector("#grid-report-form")
    assert "横溪坞第一网格" in page.inner_text("#grid-name")
    page.fill("#id_description", "两户因排水沟堵塞发生争吵")
    page.fill("#id_applicant_name", "赵六")
    page.fill("#id_applicant_phone", "13812345678")
    page.select_option("#id_category", "neighbour")
    page.check("#id_on_behalf")
    page.click("#grid-report-submit")
    try:
        page.wait_for_selector("#query-code", timeout=8000)
    except Exception:
        print("PAGE>>", page.url, page.inner_text("main"))
        raise
    page.screenshot(path=str(tmp_path / "grid.png"), full_page=True)
    # then
    case = Case.objects.get()
    assert page.inner_text("#case-number") == case.number
    assert case.channel == "grid" and case.village == anji.village
    assert GridReport.objects.get(case=case).on_behalf is True
