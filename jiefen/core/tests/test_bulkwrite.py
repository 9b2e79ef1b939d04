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


def test_copy_and_insert_write_the_same_rows(case, monkeypatch):
    # given: the same objects, once below and once above the COPY threshold
    monkeypatch.setattr(bulkwrite, "COPY_MIN", 10_000)
    now = clock.now()
    inserted = _events(case, 9, now)
    bulkwrite.insert_new((CaseEvent, inserted))
    monkeypatch.setattr(bulkwrite, "COPY_MIN", 1)
    copied = _events(case, 9, now)
    # when
    with CaptureQueriesContext(connection) as ctx:
        bulkwrite.insert_new((CaseEvent, copied))
    # then: ids were given, the stored rows are identical, the statement is in the query log
    assert all(e.pk for e in copied) and not any(e._state.adding for e in copied)
    assert len({e.pk for e in inserted + copied}) == 18
    assert _rows(CaseEvent, [e.pk for e in copied]) == _rows(CaseEvent, [e.pk for e in inserted])
    if connection.vendor == "postgresql":
        assert any(q["sql"].startswith("COPY") for q in ctx.captured_queries)


def test_children_take_the_ids_of_parents_written_in_the_same_call(case, monkeypatch):
    # given: a new case and its children, none with an id yet
    monkeypatch.setattr(bulkwrite, "COPY_MIN", 1)
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
