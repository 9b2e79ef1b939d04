# ruff: noqa: F811 - fixtures of the chain are imported into this module
"""The three platforms' figures on the dashboard, the API and the monthly report."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from jiefen.legal import services as legal
from jiefen.legal.models import MeansStandard
from jiefen.mediators import services as registry
from jiefen.procedures.services import ActInput, procedure_act
from jiefen.procedures.tests.conftest import VALID_ID, accepted_case, mediator, token  # noqa: F401

pytestmark = pytest.mark.django_db


def test_figures_count_consultations_aid_and_mediators(
    anji, dispatcher, mediator, accepted_case, client, token
):
    MeansStandard.objects.create(province="33", monthly_income_per_person=Decimal("2000"), source="测试")
    m = registry.mediator_create(
        actor=dispatcher,
        data=registry.MediatorInput(
            name="俞秀英", kind="volunteer", county=anji.county.code, categories=["neighbour"]
        ),
    )
    case = accepted_case()
    pm = registry.mediation_assign(case=case, actor=mediator, mediator_id=m.pk)
    procedure_act(
        procedure=pm.procedure_id, actor=mediator, action="record_agreement", data=ActInput(terms="停止施工")
    )
    legal.consultation_record(
        actor=dispatcher, channel="window", topic="labour", question="欠薪怎么办", case=case
    )
    legal.consultation_record(actor=dispatcher, channel="hotline_12348", topic="family", question="离婚")
    for income in ("1000", "90000"):
        applied = legal.aid_apply(
            county=anji.county,
            channel="window",
            data=legal.AidInput(
                applicant_name="王",
                id_number=VALID_ID,
                matter="labour",
                facts="欠薪",
                household_size=1,
                household_monthly_income=income,
            ),
            actor=dispatcher,
        )
        legal.aid_decide(application=applied.application, actor=dispatcher, grant=income == "1000")

    ov = client.get("/api/v1/stats/overview", {"region": anji.county.code}, **token(dispatcher)).json()
    p = ov["platforms"]
    assert p["legal"] == {
        "consultations": 2,
        "consultations_to_cases": 1,
        "aid_received": 2,
        "aid_granted": 1,
        "aid_refused": 1,
        "aid_overdue": 0,
    }
    assert p["registry"] == {"mediators": 1, "organizations": 0, "mediations_ended": 1, "agreements": 1}
    assert p["mediators"] == [{"id": m.pk, "name": "俞秀英", "organization": "", "ended": 1, "agreements": 1}]
    assert p["psych"]["referrals"] == 0
    client.force_login(dispatcher)
    page = client.get("/dashboard/", {"region": anji.county.code}).content.decode()
    assert 'id="platforms"' in page and "俞秀英" in page
    month = ov["from"][:7]
    rep = client.get("/dashboard/report/", {"region": anji.county.code, "month": month})
    assert rep.status_code == 200 and 'id="report-platforms"' in rep.content.decode()
    xlsx = client.get("/dashboard/report.xlsx", {"region": anji.county.code, "month": month})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    json.dumps(p)  # plain data
