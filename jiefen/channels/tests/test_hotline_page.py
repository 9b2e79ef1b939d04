"""Issue 17, point 9: the 12345 staff page. A dispatcher uploads the hotline platform's export
and reads what happened to each row; what the hotline pushed through the API is listed too."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jiefen.cases.models import Case
from jiefen.channels.models import HotlineOrder
from jiefen.directory.services import api_token_create

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_dispatcher_uploads_the_days_export_and_reads_the_report_per_row(
    client, anji, dispatcher, frozen_now
):
    # given the platform's spreadsheet with its Chinese titles: two good orders and one without content
    raw = _xlsx(
        [
            ["工单编号", "受理时间", "来电人", "联系电话", "事发地址", "诉求分类", "诉求内容"],
            [
                "ZJ-0001",
                "2026-03-01 08:30:00",
                "张三",
                "13812340001",
                "安吉县孝丰镇横溪坞村3组",
                "邻里纠纷",
                "邻居装修噪音扰民",
            ],
            [
                "ZJ-0002",
                "2026-03-01 09:00:00",
                "李四",
                "13812340002",
                "孝丰镇某路5号",
                "劳动保障",
                "工地拖欠工资两个月",
            ],
            ["ZJ-0003", "2026-03-01 09:30:00", "王五", "13812340003", "孝丰镇", "其他", ""],
        ]
    )
    client.force_login(dispatcher)
    # when
    page = client.get("/hotline/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and 'id="hotline-upload"' in page.content.decode()
    resp = client.post(
        "/hotline/",
        {"file": SimpleUploadedFile("工单.xlsx", raw, content_type="application/octet-stream")},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    # then the report says what happened to each row, with the new cases linked
    html = resp.content.decode()
    assert resp.status_code == 200
    assert 'id="hotline-report"' in html
    created = list(HotlineOrder.objects.order_by("order_id").values_list("order_id", "case__number"))
    assert [o for o, _n in created] == ["ZJ-0001", "ZJ-0002"]
    for _order, number in created:
        assert f'href="/cases/{number}/"' in html
    report = html[
        html.index('id="hotline-report"') : html.index("</section>", html.index('id="hotline-report"'))
    ]
    assert report.count('class="outcome-created') == 2 and report.count('class="outcome-refused') == 1
    # when the same file comes again, nothing new is registered and the report says so
    again = client.post("/hotline/", {"file": SimpleUploadedFile("工单.xlsx", raw)}).content.decode()
    assert again.count('class="outcome-skipped') == 2 and Case.objects.count() == 2


def test_what_the_hotline_pushed_is_listed_for_the_staff(client, anji, dispatcher, frozen_now):
    # given the hotline platform pushing one order through the API
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=dispatcher)}"}
    body = {
        "order_id": "ZJ-PUSH-9",
        "received_at": "2026-03-01 10:00:00",
        "caller": "赵六",
        "phone": "13812349999",
        "address": "安吉县孝丰镇横溪坞村",
        "category": "邻里纠纷",
        "content": "邻居占用公共通道堆放杂物",
    }
    pushed = client.post(
        "/api/v1/channels/12345/orders", json.dumps(body), content_type="application/json", **auth
    )
    assert pushed.status_code == 200, pushed.content
    number = pushed.json()["rows"][0]["case"]
    # when a clerk opens the page
    client.force_login(dispatcher)
    html = client.get("/hotline/").content.decode()
    # then the pushed order is listed with its case and the case's status
    received = html[html.index('id="hotline-received"') :]
    assert "ZJ-PUSH-9" in received and number in received


def test_a_file_that_is_not_an_export_is_refused_and_a_handler_may_not_import(
    client, anji, dispatcher, staff_factory, frozen_now
):
    client.force_login(dispatcher)
    bad = client.post("/hotline/", {"file": SimpleUploadedFile("x.json", b"{not json")})
    assert bad.status_code == 422 and 'id="hotline-error"' in bad.content.decode()
    empty = io.StringIO()
    csv.writer(empty).writerow(["order_id", "received_at", "content"])
    handler = staff_factory(anji.org("county_centre"), ["handler"], username="h")
    client.force_login(handler)
    page = client.get("/hotline/").content.decode()
    assert 'id="hotline-upload"' not in page
    refused = client.post("/hotline/", {"file": SimpleUploadedFile("x.csv", empty.getvalue().encode())})
    assert refused.status_code == 403 and not HotlineOrder.objects.exists()
