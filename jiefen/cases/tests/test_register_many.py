"""case_register_many (imports) writes what case_register writes, one INSERT per table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiefen.alerts.models import Alert
from jiefen.cases.models import Assignment, Case, CaseEvent, CaseStep, Party
from jiefen.cases.services import PartyInput, RegistrationRequest, case_register, case_register_many
from jiefen.core import bulkwrite
from jiefen.core.errors import ValidationFailed
from jiefen.dashboard.tests.test_counters import computed, stored
from jiefen.notifications.models import OutboxMessage
from jiefen.triage.models import CaseTriage

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def requests(anji, n: int, *, phone: str = PHONE) -> list[RegistrationRequest]:
    texts = [
        "邻居装修噪音扰民，晚上十点以后还在施工，多次协商无果",
        "工厂拖欠工资三个月，共计一万二千元，老板不见人",
        "婚后财产分割发生争议，对方不同意协议离婚",
        "交通事故对方不愿赔偿修车费三千元",
    ]
    return [
        RegistrationRequest(
            channel="walk_in",
            region=anji.village.code,
            description=texts[i % len(texts)] + f"（第{i}次反映）",
            parties=[
                PartyInput(role="applicant", name=f"来电人{i}", phone=phone),
                PartyInput(role="respondent", name="某某建筑公司", kind="organization"),
            ],
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("copy_min", [1, 10_000], ids=["copy", "insert"])
def test_many_registrations_equal_one_by_one(anji, dispatcher, monkeypatch, copy_min):
    # given: every table written by COPY on PostgreSQL, or every table by INSERT
    monkeypatch.setattr(bulkwrite, "COPY_MIN", copy_min)
    batch = requests(anji, 4)
    bad = RegistrationRequest(channel="hotline_12345", region="999999999999", description="", parties=[])
    # when
    out = case_register_many([batch[0], bad, *batch[1:]], actor=dispatcher)
    # then: the refused request has its error in its place, the others are cases
    assert isinstance(out[1], ValidationFailed)
    assert {"region_code", "description", "parties"} <= set(out[1].fields)
    regs = [out[0], *out[2:]]
    numbers = [r.case.number for r in regs]
    assert [int(n[-6:]) for n in numbers] == list(range(int(numbers[0][-6:]), int(numbers[0][-6:]) + 4))
    for reg in regs:
        case = Case.objects.get(number=reg.case.number)
        assert case.status == "triaged" and case.due_at is not None and case.lead_organization_id
        kinds = list(CaseEvent.objects.filter(case=case).order_by("id").values_list("kind", flat=True))
        assert kinds == ["registered", "routed"]
        assert Party.objects.filter(case=case).count() == 2
        assert Assignment.objects.filter(case=case, role="lead", is_active=True).count() == 1
        assert CaseStep.objects.filter(case=case, code="acceptance", ended_at__isnull=True).count() == 1
        assert CaseTriage.objects.filter(case=case).exists()
        assert OutboxMessage.objects.filter(case=case, template="case_registered").count() == 1
    # the dashboard counters equal a recount; the repeat caller raised one alert
    assert stored() == computed()
    assert Alert.objects.filter(rule__code="repeat_petitioner").count() == 1


def _alerts_of(phone_hash_cases: list[int]) -> list[tuple]:
    return sorted(
        (code, kind, str(reasons))
        for code, kind, reasons in Alert.objects.filter(case_id__in=phone_hash_cases).values_list(
            "rule__code", "subject_kind", "reasons"
        )
    )


def test_a_batch_raises_the_alerts_one_by_one_raises(anji, dispatcher):
    # given: the same four requests from two callers, one registered one at a time, one in a batch
    singles = [
        case_register(
            channel=r.channel, region=r.region, description=r.description, parties=r.parties, actor=dispatcher
        ).case.pk
        for r in requests(anji, 4, phone="13811110000")
    ]
    # when
    batch = [r.case.pk for r in case_register_many(requests(anji, 4, phone="13822220000"), actor=dispatcher)]

    # then: the same rules fired with the same reasons (the respondent's count is the county's
    # count at the end of each write, so compare the caller's rules only), counters agree
    def caller_alerts(ids):
        return [a for a in _alerts_of(ids) if a[1] == "person"]

    assert caller_alerts(singles) and caller_alerts(singles) == caller_alerts(batch)
    assert stored() == computed()


def test_a_batch_takes_a_fixed_number_of_queries(anji, dispatcher):
    # given
    case_register_many(requests(anji, 2, phone="13900000000"), actor=dispatcher)  # warm the caches
    small, large = requests(anji, 5, phone="13900000001"), requests(anji, 50, phone="13900000002")
    # when
    with CaptureQueriesContext(connection) as q_small:
        case_register_many(small, actor=dispatcher)
    with CaptureQueriesContext(connection) as q_large:
        case_register_many(large, actor=dispatcher)

    # then: one statement per table and per lookup, whatever the size of the batch (SQLite
    # splits an INSERT past its parameter limit)
    def writes(ctx):
        return [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]

    assert len(writes(q_small)) <= 12 and len(writes(q_large)) <= 16
    assert len(q_large.captured_queries) - len(q_small.captured_queries) <= 8
