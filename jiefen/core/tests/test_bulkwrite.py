"""core.bulkwrite: rows written by COPY (PostgreSQL) equal rows written by bulk_create."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiefen.cases.models import Case, CaseEvent, CaseStep, Party
from jiefen.cases.services import PartyInput, case_register
from jiefen.core import bulkwrite, clock
from jiefen.triage.models import CaseTriage

pytestmark = pytest.mark.django_db

# Values COPY's text format must escape, and values it must not mangle.
AWKWARD = ["tab\there", "line\nbreak\r\nend", "back\\slash \\N", "引号'\"和中文", "", "\\", "零\x7f"]


def _rows(model, pks):
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    return [tuple(r) for r in model.objects.filter(pk__in=pks).order_by("pk").values_list(*fields)]


def _events(case, n, now):
    return [
        CaseEvent(
            case=case,
            at=now + timedelta(microseconds=i),
            actor=None,
            kind="note",
            reason=AWKWARD[i % len(AWKWARD)],
            data={"text": AWKWARD[i % len(AWKWARD)], "n": i, "nested": [None, True, 1.5, "\t"]},
        )
        for i in range(n)
    ]


@pytest.fixture
def case(anji, dispatcher):
    return case_register(
        channel="walk_in",
        region=anji.village.code,
        description="邻居装修噪音扰民",
        parties=[PartyInput(role="applicant", name="张三", phone="13812345678")],
        actor=dispatcher,
    ).case


@pytest.mark.parametrize("path", ["copy", "json"])
def test_copy_json_and_insert_write_the_same_rows(case, monkeypatch, path):
    # given: the same objects, once below the COPY threshold (bulk_create), once above it (on
    # PostgreSQL: COPY, or one INSERT of JSON rows for a call of few rows)
    monkeypatch.setattr(bulkwrite, "COPY_MIN", 10_000)
    now = clock.now()
    inserted = _events(case, 9, now)
    bulkwrite.insert_new((CaseEvent, inserted))
    monkeypatch.setattr(bulkwrite, "COPY_MIN", 1)
    monkeypatch.setattr(bulkwrite, "JSON_MAX_ROWS", 0 if path == "copy" else 100)
    written = _events(case, 9, now)
    # when
    with CaptureQueriesContext(connection) as ctx:
        bulkwrite.insert_new((CaseEvent, written))
    # then: ids were given, the stored rows are identical, the statement is in the query log
    assert all(e.pk for e in written) and not any(e._state.adding for e in written)
    assert len({e.pk for e in inserted + written}) == 18
    assert _rows(CaseEvent, [e.pk for e in written]) == _rows(CaseEvent, [e.pk for e in inserted])
    if connection.vendor == "postgresql":
        sql = ctx.captured_queries[-1]["sql"]
        assert sql.startswith("COPY") if path == "copy" else "json_populate_recordset" in sql


@pytest.mark.parametrize("path", ["copy", "json"])
def test_children_take_the_ids_of_parents_written_in_the_same_call(case, monkeypatch, path):
    # given: a new case and its children, none with an id yet
    monkeypatch.setattr(bulkwrite, "COPY_MIN", 1)
    monkeypatch.setattr(bulkwrite, "JSON_MAX_ROWS", 0 if path == "copy" else 100)
    new = Case(
        number="330523-2026-999999",
        county=case.county,
        year=2026,
        seq=999999,
        query_code_hash="x",
        channel="walk_in",
        description="测试\t制表符",
        category=case.category,
        status=case.status,
        level=case.level,
        region=case.region,
        lead_organization=case.lead_organization,
        received_at=case.received_at,
        registered_at=case.registered_at,
    )
    party = Party(case=new, role="applicant", kind="person", name="李四")
    step = CaseStep(case=new, code="acceptance", started_at=case.received_at, due_at=case.due_at)
    triage = CaseTriage(case=new, risk_level="low", routing={"why": "规则\n1"}, search_text="x")
    # when
    bulkwrite.insert_new((Case, [new]), (Party, [party]), (CaseStep, [step]), (CaseTriage, [triage]))
    # then: auto_now filled, children point at the case, JSON read back as written
    stored = Case.objects.get(pk=new.pk)
    assert stored.updated_at is not None and stored.description == "测试\t制表符"
    assert Party.objects.get(pk=party.pk).case_id == new.pk
    assert CaseStep.objects.get(pk=step.pk).paused_intervals == step.paused_intervals
    assert CaseTriage.objects.get(case=new).routing == {"why": "规则\n1"}


def _state_of(obj) -> tuple[dict, dict]:
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}, dict(obj._state.fields_cache)


def test_build_makes_what_the_model_constructor_makes(case, dispatcher):
    # given: the models build() makes during a registration, with related objects by name,
    # attnames, None for a relation, and fields left to their (callable) defaults
    from jiefen.cases.models import Assignment
    from jiefen.channels.models import HotlineOrder

    now = clock.now()
    examples = [
        (Case, {"number": "x", "county": case.county, "region": case.region, "received_at": now}),
        (Party, {"case": case, "role": "applicant", "kind": "person", "name": "甲", "address_masked": ""}),
        (CaseEvent, {"case": case, "at": now, "actor": None, "kind": "registered", "data": {"a": 1}}),
        (Assignment, {"case": case, "organization": case.lead_organization, "role": "lead", "level": "town"}),
        (CaseStep, {"case": case, "code": "acceptance", "rule": None, "started_at": now}),
        (CaseTriage, {"case": case, "confirmed_by": dispatcher, "risk_level": "low", "routing": {}}),
        (HotlineOrder, {"order_id": "Z1", "case": case, "outcome": "created", "imported_by": None}),
        (Party, {"case_id": case.pk, "role": "respondent", "name": "乙"}),
    ]
    for model, values in examples:
        # when
        built, made = bulkwrite.build(model, **values), model(**values)
        # then: the same field values and the same cached related objects
        assert _state_of(built) == _state_of(made), model.__name__
        assert built._state.adding and built._state.db is None
    # callable defaults are not shared between instances
    a, b = bulkwrite.build(CaseStep, case=case), bulkwrite.build(CaseStep, case=case)
    assert a.paused_intervals == b.paused_intervals and a.paused_intervals is not b.paused_intervals
