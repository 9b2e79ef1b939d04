"""The COPY path of `jiefen seed` (demo.bulk) writes what the bulk_create path writes."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from jiefen.cases.models import Assignment, Case, CaseEvent, CaseStep, Party
from jiefen.demo import bulk
from jiefen.demo.generator import Row
from jiefen.demo.services import cases_seed
from jiefen.directory.models import Organization
from jiefen.regions.models import Region
from jiefen.triage import search
from jiefen.triage.models import CaseTriage

NOW = "2026-06-15 10:00:00+08:00"
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")


def _unescape(field: str) -> str | None:
    if field == "\\N":
        return None
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\":
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[field[i + 1]])
            i += 2
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def test_copy_line_escapes_text_and_marks_null():
    # given an event row with every awkward character, a null and JSON
    table = bulk.CopyTable.of(CaseEvent)
    row = Row(
        {f.attname: None for f in CaseEvent._meta.concrete_fields}
        | {
            "case_id": 7,
            "at": datetime(2026, 6, 15, 2, 0, tzinfo=UTC),
            "kind": "resolve",
            "from_status": "in_progress",
            "to_status": "resolved",
            "reason": "第一行\n第二行\t制表\\反斜杠\r",
            "data": {"note": 'a "quoted" \\ value'},
        }
    )
    # when
    fields = [_unescape(f) for f in table.line(row).split("\t")]
    # then
    by_name = dict(zip([a for a, _c in table.columns], fields, strict=True))
    assert by_name["reason"] == "第一行\n第二行\t制表\\反斜杠\r"
    assert by_name["actor_id"] is None
    assert by_name["case_id"] == "7"
    assert by_name["at"] == "2026-06-15T02:00:00+00:00"
    assert by_name["data"] == '{"note": "a \\"quoted\\" \\\\ value"}'


def test_copy_line_without_special_characters_is_plain():
    # given
    table = bulk.CopyTable.of(Assignment)
    row = Row({f.attname: None for f in Assignment._meta.concrete_fields} | {"case_id": 3, "is_active": True})
    # when
    line = table.line(row)
    # then
    assert line.split("\t")[:2] == ["3", "\\N"] and "t" in line.split("\t")


@pytest.mark.parametrize(
    "number, rest_names",
    [("330523-2026-000001", ["王丽"]), ("330523-2025-123456", []), ("330523-2026-999999", ["张三", "李四"])],
)
def test_number_tokens_complete_the_search_text(number, rest_names):
    # given a case's text without its number
    description, request = "来电人王某反映，其与邻居因排水沟 堵塞 发生纠纷ABC 12。", "要求协调"
    rest = search.search_text(
        number="", description=description, request=request, names=rest_names, external_ids=[]
    )
    prefix, year, seq = number.split("-")
    # when
    written = f"{bulk.number_tokens(prefix, int(year), int(seq))} {rest}"
    # then
    assert written == search.search_text(
        number=number, description=description, request=request, names=rest_names, external_ids=[]
    )


@pytest.fixture
def county(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with time_machine.travel(NOW, tick=False):
        call_command("demo", "--no-serve", "--cases", "0", stdout=io.StringIO(), verbosity=0)
    return Region.objects.get(code="330523000000")


def _snapshot() -> list[tuple]:
    """Every seeded row, by case number, without ids and ciphertexts (Fernet is randomised)."""

    def rows(model, *exclude):
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in {"id", *exclude}]
        return names, model.objects.order_by("pk").values_list(*names)

    out = []
    numbers = dict(Case.objects.values_list("id", "number"))
    names, cases = rows(Case, "updated_at")
    out += [("case", *c) for c in cases]
    for model in (Party, Assignment, CaseStep, CaseEvent, CaseTriage):
        names, values = rows(model, "id_number_enc", "phone_enc", "address_enc")
        i = names.index("case_id")
        out += sorted((model.__name__, numbers[v[i]], *v[:i], *v[i + 1 :]) for v in values)
    return out


class _Rollback(Exception):
    pass


@postgres_only
def test_copy_and_bulk_create_write_the_same_rows(county):
    # given the same seed and clock
    snapshots = {}
    for copy in (True, False):
        try:
            with transaction.atomic(), time_machine.travel(NOW, tick=False):
                # when
                cases_seed(county=county, count=120, batch=50, seed=9, copy=copy, counters=False)
                snapshots[copy] = _snapshot()
                raise _Rollback
        except _Rollback:
            pass
    # then
    assert len(snapshots[True]) > 120 * 10
    assert snapshots[True] == snapshots[False]


@postgres_only
def test_a_batch_referring_to_a_missing_row_is_refused(county):
    # given one formatted batch whose references name an organisation that does not exist
    from jiefen.demo.generator import CaseGenerator, World

    world = World.load(county)

    def factory():
        gen = CaseGenerator(world, seed=3, pool_size=100)
        return gen, gen.received_times(5)

    batch = next(iter(bulk.seed_batches(factory, 5)))
    batch.refs[Organization] = {*batch.refs.get(Organization, set()), 10**9}
    # when / then
    with pytest.raises(IntegrityError):
        bulk.write_batch(county, batch, {}, relaxed=True)
