"""The dashboard pages, the big screen, the monthly report and the CSV export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from conftest import make_county

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, dispatcher):
    client.force_login(dispatcher)
    return client


def test_dashboard_shows_the_figures_with_links(logged_in, register, anji):
    # given
    register()
    # when
    res = logged_in.get("/dashboard/")
    # then
    assert res.status_code == 200
    html = res.content.decode()
    assert 'id="overview-data"' in html and "echarts.min.js" in html
    assert f"/cases/?region={anji.county.code}" in html


def test_dashboard_page_reads_a_bounded_number_of_queries(logged_in, register, django_assert_max_num_queries):
    # given
    for _i in range(5):
        register()
    logged_in.get("/dashboard/")
    # when / then: session, user, organisation, region + the overview's own queries + the
    # resource platforms' 7 (dashboard.platforms) + the red watch's 2 (red cases, red alerts)
    with django_assert_max_num_queries(25):
        assert logged_in.get("/dashboard/").status_code == 200


def test_big_screen_and_its_htmx_refresh(logged_in, register):
    # given
    register()
    # when
    full = logged_in.get("/dashboard/screen/")
    part = logged_in.get("/dashboard/screen/", HTTP_HX_REQUEST="true")
    # then
    assert full.status_code == 200 and 'hx-trigger="every 60s"' in full.content.decode()
    assert part.status_code == 200 and "<html" not in part.content.decode()
    assert 'id="overview-data"' in part.content.decode()


def test_region_outside_the_jurisdiction_is_404_on_pages(logged_in, anji):
    other = make_county("330211", "镇海区")
    assert logged_in.get("/dashboard/", {"region": other.county.code}).status_code == 404


def test_a_bad_period_is_400_on_pages(logged_in):
    assert logged_in.get("/dashboard/", {"from": "2026-02-30"}).status_code == 400
    assert logged_in.get("/dashboard/", {"from": "2026-02-03", "to": "2026-02-01"}).status_code == 400


def test_monthly_report_page_and_xlsx(logged_in, register, anji):
    # given
    case = register()
    month = case.received_at.strftime("%Y-%m")
    # when
    page = logged_in.get("/dashboard/report/", {"region": anji.county.code, "month": month})
    xlsx = logged_in.get("/dashboard/report.xlsx", {"region": anji.county.code, "month": month})
    # then
    assert page.status_code == 200
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    summary = wb.worksheets[0]
    assert summary.cell(row=4, column=2).value == 1  # received this month
    assert len(wb.worksheets) == 7  # … and the resource platforms


def test_report_refuses_a_bad_month(logged_in):
    assert logged_in.get("/dashboard/report/", {"month": "2026-13"}).status_code == 400
    assert logged_in.get("/dashboard/report.xlsx", {"month": "x"}).status_code == 400


def test_case_list_exports_as_csv_with_the_same_filters(logged_in, register, anji):
    # given
    a = register(category="labour")
    register(category="neighbour")
    # when
    res = logged_in.get("/dashboard/cases.csv", {"category": "labour"})
    # then
    body = b"".join(res.streaming_content).decode("utf-8")
    assert res.status_code == 200 and body.startswith("\ufeff")
    lines = body.strip().splitlines()
    assert len(lines) == 2 and a.number in lines[1]


def test_pages_need_login(client):
    assert client.get("/dashboard/").status_code == 302
    assert client.get("/dashboard/screen/").status_code == 302


def test_report_xlsx_keeps_a_formula_like_name_as_text(logged_in, register, anji):
    # given: a town whose name a spreadsheet would run as a formula
    import zipfile

    name = '=HYPERLINK("http://example.invalid/x","点击")'
    anji.town.name = name
    anji.town.save()
    case = register()
    month = case.received_at.strftime("%Y-%m")
    # when
    xlsx = logged_in.get("/dashboard/report.xlsx", {"region": anji.county.code, "month": month})
    # then: no cell of any sheet is a formula; the name is there as text
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in s or "<f " in s for s in sheets)
    wb = load_workbook(io.BytesIO(xlsx.content))
    texts = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert name in texts
