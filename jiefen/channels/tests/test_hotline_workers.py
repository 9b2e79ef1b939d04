"""The 12345 import shared between processes decides what one process decides."""

from __future__ import annotations

import random

import pytest
from django.db import connection

from jiefen.cases.models import Case
from jiefen.channels import hotline

from .test_hotline import order


def _rows(n: int, seed: int = 3) -> list:
    """Orders with repeat callers (linked), repeated order ids (skipped), bad rows (refused)."""
    rng = random.Random(seed)
    rows: list = []
    for i in range(1, n + 1):
        roll = rng.random()
        if rows and roll < 0.15:
            earlier = rng.choice([r for r in rows if isinstance(r, dict)])
            rows.append(order(10_000 + i, phone=earlier["phone"], content=earlier["content"]))  # same matter
        elif rows and roll < 0.2:
            rows.append(dict(rng.choice([r for r in rows if isinstance(r, dict)])))  # same order again
        elif roll < 0.25:
            rows.append(order(i, received_at="not a time"))
        elif roll < 0.27:
            rows.append("not an object")
        else:
            rows.append(order(i))
    return rows


def test_shares_keep_orders_of_one_caller_or_id_together_in_file_order():
    # given: rows chained through a phone and an order id
    rows = [
        order(1),
        order(2, phone=order(1)["phone"]),
        order(3, order_id=order(2)["order_id"], phone="13900000003"),
        order(4, phone="13900000003"),
        order(5),
        "not an object",
        order(6, phone=""),
        order(7, phone=""),
    ]
    # when
    shares = hotline.import_shares(rows, 2)
    # then: 0-1-2-3 are one group; every row once; each share sorted; balanced
    assert sorted(i for s in shares for i in s) == list(range(len(rows)))
    assert any({0, 1, 2, 3} <= set(s) for s in shares)
    assert all(s == sorted(s) for s in shares)
    assert sorted(len(s) for s in shares) == [4, 4]


def _renamed(rows: list) -> list:
    """The same orders under other order ids and phones (same structure of repeats)."""
    return [
        {**r, "order_id": "B-" + r["order_id"], "phone": "150" + r["phone"][3:]} if isinstance(r, dict) else r
        for r in rows
    ]


def _outcomes(report) -> list[tuple]:
    """Each row's outcome, with what it links to named by the row whose order created it."""
    created_by = {line["case"]: line["row"] for line in report["rows"] if line["outcome"] == "created"}
    return [
        (line["row"], line["outcome"], created_by.get(line.get("case")), line.get("error"))
        for line in report["rows"]
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="several processes import on PostgreSQL")
def test_two_processes_report_what_one_process_reports(anji, dispatcher, frozen_now, monkeypatch):
    # given: small chunks, so that both processes take several; the same file twice
    monkeypatch.setattr(hotline, "CHUNK", 15)
    rows = _rows(120)
    # when: imported by one process, then the same file under other order ids and phones by two
    one = hotline.hotline_orders_import(rows=rows, county=anji.county, actor=dispatcher)
    first_cases = set(Case.objects.values_list("pk", flat=True))
    two = hotline.hotline_orders_import(rows=_renamed(rows), county=anji.county, actor=dispatcher, workers=2)
    # then: row by row the same outcome and the same link, in file order; each created case
    # is in the database once, numbers gap-free across both processes
    assert [line["row"] for line in two["rows"]] == list(range(1, len(rows) + 1))
    assert _outcomes(two) == _outcomes(one)
    assert {k: two[k] for k in ("created", "linked", "skipped", "refused")} == {
        k: one[k] for k in ("created", "linked", "skipped", "refused")
    }
    assert one["linked"] and one["skipped"] and one["refused"]
    seqs = sorted(Case.objects.exclude(pk__in=first_cases).values_list("seq", flat=True))
    assert len(seqs) == two["created"] and seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    # and a second import of the file by two processes creates nothing
    again = hotline.hotline_orders_import(
        rows=_renamed(rows), county=anji.county, actor=dispatcher, workers=2
    )
    assert again["created"] == 0 and again["skipped"] == one["created"] + one["linked"] + one["skipped"]


@pytest.mark.django_db
def test_inside_a_transaction_the_import_stays_in_one_process(anji, dispatcher, frozen_now, monkeypatch):
    # given: the test's own transaction (nothing committed for another process to see)
    monkeypatch.setattr(hotline, "CHUNK", 5)
    rows = [order(i) for i in range(1, 21)]
    # when
    report = hotline.hotline_orders_import(rows=rows, county=anji.county, actor=dispatcher, workers=2)
    # then
    assert report["created"] == 20 and not hotline.parallel_import_possible()


@pytest.mark.django_db
def test_the_import_refreshes_statistics_each_time_it_doubles_the_tables(monkeypatch):
    # given: analyses recorded instead of run
    from jiefen.core import bulkwrite

    runs: list[tuple] = []
    monkeypatch.setattr(bulkwrite, "analyze", lambda *models: runs.append(models))
    stats = hotline._Statistics(processes=2)
    # when: the two processes' cases (this one counts for both) pass the base, then double it
    if connection.vendor != "postgresql":
        stats.registered(10_000)
        assert runs == []  # SQLite plans without them
        return
    base = stats.base
    assert base >= 1000
    stats.registered(base // 2 - 1)
    assert runs == []
    stats.registered(1)
    assert len(runs) == 1 and Case in runs[0]
    stats.registered(base)  # 2 × base more: the tables doubled again
    assert len(runs) == 2


def test_analyze_and_estimates_run_on_either_database(db):
    from jiefen.core import bulkwrite

    bulkwrite.analyze(Case)
    if connection.vendor == "postgresql":
        assert isinstance(bulkwrite.estimated_rows(Case), int)
