import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiefen.cases.models import Case, CaseEvent, Party
from jiefen.cases.services import case_transition
from jiefen.channels.hotline import hotline_orders_import, read_orders
from jiefen.channels.matching import AddressResolver, similarity
from jiefen.channels.models import HotlineCategory, HotlineOrder
from jiefen.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def order(n=1, **kw):
    row = {
        "order_id": f"ZJ12345-{n:06d}",
        "received_at": "2026-03-01 08:30:00",
        "caller": "张三",
        "phone": f"1381234{n:04d}",
        "address": "安吉县孝丰镇横溪坞村3组",
        "category": "邻里纠纷",
        "content": f"邻居家{n}号楼装修噪音，晚上十点后还在施工",
        "urgency": "普通",
    }
    row.update(kw)
    return row


def test_orders_become_cases_with_real_receipt_time_mapped_category_and_region(anji, dispatcher, frozen_now):
    # given
    rows = [
        order(1),
        order(2, address="孝丰镇某路5号", category="劳动保障"),
        order(3, address="杭州市西湖区"),
    ]
    # when
    report = hotline_orders_import(rows=rows, county=anji.county, actor=dispatcher)
    # then
    assert (report["created"], report["linked"], report["skipped"], report["refused"]) == (3, 0, 0, 0)
    first = Case.objects.get(number=report["rows"][0]["case"])
    assert first.channel == "hotline_12345"
    assert timezone.localtime(first.received_at).isoformat() == "2026-03-01T08:30:00+08:00"
    assert first.category == "neighbour" and first.village == anji.village
    assert [r["region_resolution"] for r in report["rows"]] == ["village", "town", "unresolved"]
    second = Case.objects.get(number=report["rows"][1]["case"])
    assert second.category == "labour" and second.region == anji.town and second.village is None
    third = Case.objects.get(number=report["rows"][2]["case"])
    assert third.region == anji.county and third.lead_organization.kind == "county_centre"
    assert Party.objects.get(case=first).phone_masked == "138****0001"


def test_importing_twice_creates_nothing_new(anji, dispatcher, frozen_now):
    # given
    rows = [order(n) for n in range(1, 6)]
    hotline_orders_import(rows=rows, county=anji.county, actor=dispatcher)
    counts = (Case.objects.count(), CaseEvent.objects.count(), HotlineOrder.objects.count())
    # when
    again = hotline_orders_import(rows=rows, county=anji.county, actor=dispatcher)
    # then
    assert (again["created"], again["skipped"]) == (0, 5)
    assert (Case.objects.count(), CaseEvent.objects.count(), HotlineOrder.objects.count()) == counts
    assert all(r["case"] for r in again["rows"])


def test_malformed_rows_are_reported_and_skipped_the_rest_go_in(anji, dispatcher, frozen_now):
    # given
    rows = [
        order(1),
        order(2, order_id=""),
        order(3, received_at="yesterday"),
        order(4, content="  "),
        order(5, phone="12345"),
        "not an object",
        order(6, caller={"nested": 1}),
        order(7, received_at="2019-01-01 00:00:00"),
        order(1),
        order(8),
    ]
    # when
    report = hotline_orders_import(rows=rows, county=anji.county, actor=dispatcher)
    # then
    outcomes = [r["outcome"] for r in report["rows"]]
    assert outcomes == [
        "created",
        "refused",
        "refused",
        "refused",
        "refused",
        "refused",
        "refused",
        "refused",
        "skipped",
        "created",
    ]
    assert report["rows"][1]["fields"] == {"order_id": ["required"]}
    assert "received_at" in report["rows"][2]["fields"]
    assert "content" in report["rows"][3]["fields"]
    assert "phone" in report["rows"][4]["fields"]
    assert report["rows"][7]["error"] == "validation_failed" and "received_at" in report["rows"][7]["fields"]
    assert Case.objects.count() == 2 and HotlineOrder.objects.count() == 2
    assert (report["created"], report["refused"], report["skipped"]) == (2, 7, 1)


def test_a_failure_inside_one_order_leaves_no_half_case(anji, dispatcher, frozen_now, monkeypatch):
    # given: the chunk's single INSERT of orders fails (something no check foresaw), so the chunk
    # rolls back and is taken again order by order, where order 2 fails in turn
    from django.db import IntegrityError

    from jiefen.channels import hotline

    real_insert = hotline.bulkwrite.insert_new

    def insert_failing(*batches):
        if any(model is HotlineOrder for model, _objs in batches):
            raise IntegrityError("simulated failure of the chunk")
        return real_insert(*batches)

    monkeypatch.setattr(hotline.bulkwrite, "insert_new", insert_failing)
    real = HotlineOrder.objects.create

    def failing(**kw):
        if kw["order_id"].endswith("2"):
            from jiefen.core.errors import ValidationFailed

            raise ValidationFailed("storage refused", code="storage")
        return real(**kw)

    monkeypatch.setattr(hotline.HotlineOrder.objects, "create", failing)
    # when
    report = hotline_orders_import(rows=[order(1), order(2), order(3)], county=anji.county, actor=dispatcher)
    # then
    assert [r["outcome"] for r in report["rows"]] == ["created", "refused", "created"]
    assert Case.objects.count() == 2
    assert not Party.objects.filter(phone_masked="138****0002").exists()


def test_a_repeat_call_about_the_same_matter_is_linked(anji, dispatcher, frozen_now):
    # given
    hotline_orders_import(rows=[order(1)], county=anji.county, actor=dispatcher)
    repeat = order(9, phone="13812340001", content="邻居家1号楼装修噪音，晚上十一点还在施工！")
    # when
    report = hotline_orders_import(rows=[repeat], county=anji.county, actor=dispatcher)
    # then
    row = report["rows"][0]
    assert row["outcome"] == "linked" and "similarity" in row["reason"]
    assert Case.objects.count() == 1
    assert HotlineOrder.objects.get(order_id="ZJ12345-000009").case.number == row["case"]


def test_unknown_categories_are_added_to_the_mapping_table(anji, dispatcher, frozen_now):
    # given / when
    hotline_orders_import(rows=[order(1, category="城市管理")], county=anji.county, actor=dispatcher)
    # then
    row = HotlineCategory.objects.get(hotline_category="城市管理")
    assert row.category == "other"
    row.category = "environment"
    row.save()
    report = hotline_orders_import(rows=[order(2, category="城市管理")], county=anji.county, actor=dispatcher)
    assert Case.objects.get(number=report["rows"][0]["case"]).category == "environment"


def test_only_county_dispatch_staff_import(anji, staff_factory):
    # given
    handler = staff_factory(anji.org("village_committee", anji.village), ["handler"])
    # when / then
    with pytest.raises(PermissionDenied):
        hotline_orders_import(rows=[order(1)], county=anji.county, actor=handler)


def test_address_resolution_needs_the_town_to_agree(anji):
    # given
    resolver = AddressResolver(anji.county)
    # when / then
    assert resolver.resolve("横溪坞村").region == anji.village
    assert resolver.resolve("报福镇横溪坞村").region == anji.town2  # not a village of 报福镇
    assert resolver.resolve("夏阳村委会旁").region == anji.village2
    assert resolver.resolve("").how == "unresolved"


def test_similarity_is_the_bigram_jaccard_of_staff_intake():
    assert similarity("装修噪音", "装修噪音") == 1.0  # Jaccard of bigrams, as triage.related
    assert similarity("装修噪音", "工资拖欠") == 0.0


def test_command_reads_csv_and_json_and_prints_the_report(anji, dispatcher, frozen_now, tmp_path, capsys):
    # given
    import csv

    path = tmp_path / "orders.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(order(1)))
        w.writeheader()
        w.writerows([order(1), order(2)])
    jpath = tmp_path / "orders.json"
    jpath.write_text(json.dumps({"orders": [order(3)]}, ensure_ascii=False))
    # when
    call_command("import_12345", str(path), "--json", "--as", "dispatcher")
    first = json.loads(capsys.readouterr().out)
    call_command("import_12345", str(jpath), "--county", "330523")
    second = capsys.readouterr().out
    call_command("import_12345", str(path), "--json")
    third = json.loads(capsys.readouterr().out)
    # then
    assert set(first) == {"created", "linked", "skipped", "refused", "rows"}
    assert first["created"] == 2
    assert "created 1, linked 0, skipped 0, refused 0" in second
    assert third["skipped"] == 2 and third["created"] == 0


def test_command_reads_a_real_xlsx_export_with_chinese_titles(anji, dispatcher, frozen_now, tmp_path, capsys):
    # given: a workbook as the hotline platform exports it (a date-time cell, a numeric phone)
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["工单编号", "受理时间", "来电人", "联系电话", "地址", "诉求分类", "诉求内容", "紧急程度"])
    ws.append(
        [
            "ZJ12345-900001",
            datetime(2026, 3, 1, 8, 30),
            "张三",
            13812349001,
            "安吉县孝丰镇横溪坞村3组",
            "邻里纠纷",
            "邻居家装修噪音，晚上十点后还在施工",
            "普通",
        ]
    )
    ws.append([None] * 8)
    path = tmp_path / "orders.xlsx"
    wb.save(path)
    # when
    call_command("import_12345", str(path), "--json", "--as", "dispatcher")
    report = json.loads(capsys.readouterr().out)
    # then
    assert report["created"] == 1 and report["refused"] == 0
    order_row = HotlineOrder.objects.get(order_id="ZJ12345-900001")
    case = order_row.case
    assert timezone.localtime(case.received_at).strftime("%Y-%m-%d %H:%M") == "2026-03-01 08:30"
    assert case.parties.get(role="applicant").phone_masked == "138****9001"


def test_read_orders_refuses_a_broken_workbook():
    # given
    raw = b"PK\x03\x04" + b"not a zip at all"
    # when / then
    from jiefen.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        read_orders(raw)


def test_read_orders_accepts_gb18030_csv():
    # given
    raw = "order_id,content\nA1,噪音\n".encode("gb18030")
    # when / then
    assert read_orders(raw) == [{"order_id": "A1", "content": "噪音"}]


def test_api_single_and_batch_and_replies_feed(client, anji, dispatcher, token, frozen_now, staff_factory):
    # given
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    # when
    one = client.post(
        "/api/v1/channels/12345/orders", json.dumps(order(1)), content_type="application/json", **auth
    )
    batch = client.post(
        "/api/v1/channels/12345/orders",
        json.dumps({"orders": [order(1), order(2), {"order_id": "x"}]}),
        content_type="application/json",
        **auth,
    )
    # then
    assert one.status_code == 200 and one.json()["created"] == 1
    body = batch.json()
    assert (body["created"], body["skipped"], body["refused"]) == (1, 1, 1)
    handler = staff_factory(anji.org("village_committee", anji.village), ["handler"])
    case = Case.objects.get(number=one.json()["rows"][0]["case"])
    case = case_transition(case=case, actor=handler, action="accept")
    case = case_transition(case=case, actor=handler, action="start")
    case_transition(case=case, actor=handler, action="resolve", reason="已协调施工时间")
    replies = client.get("/api/v1/channels/12345/replies", **auth).json()
    by_id = {r["order_id"]: r for r in replies["replies"]}
    assert by_id["ZJ12345-000001"]["status"] == "resolved"
    assert by_id["ZJ12345-000001"]["answer"] == "已协调施工时间"
    assert by_id["ZJ12345-000002"]["open"] is True
    later = client.get("/api/v1/channels/12345/replies", {"since": replies["next_since"]}, **auth).json()
    assert [r["order_id"] for r in later["replies"]] == [replies["replies"][-1]["order_id"]]


def test_api_needs_a_token_and_json(client, anji, token):
    # given / when
    no_auth = client.post("/api/v1/channels/12345/orders", "[]", content_type="application/json")
    bad = client.post(
        "/api/v1/channels/12345/orders",
        "{oops",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    # then
    assert no_auth.status_code == 401
    assert bad.status_code == 422 and bad.json()["error"] == "validation_failed"


def test_openapi_document_lists_the_channel_endpoints(client):
    # given / when
    doc = client.get("/api/v1/openapi.json").json()
    # then
    assert "/api/v1/channels/12345/orders" in doc["paths"]
    assert "/api/v1/channels/12345/replies" in doc["paths"]
