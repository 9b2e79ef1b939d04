"""Legal aid: the rules as data, the decision due on the calendar, reasoned refusal, lawyer."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.utils import timezone

from jiefen.core import clock
from jiefen.legal import rules, selectors, services
from jiefen.legal.models import KnowledgeEntry, LegalAidApplication, MeansStandard
from jiefen.mediators.models import Mediator
from jiefen.procedures.tests.conftest import PHONE, VALID_ID, at

pytestmark = pytest.mark.django_db


def post(client, path, body, auth):
    return client.post(path, data=json.dumps(body, default=str), content_type="application/json", **auth)


@pytest.fixture
def standard(anji):
    return MeansStandard.objects.create(
        province="33", monthly_income_per_person=Decimal("2000"), source="测试标准"
    )


@pytest.fixture
def lawyer(anji):
    return Mediator.objects.create(name="周律师", kind="lawyer", county=anji.county, created_at=clock.now())


WAGES = {
    "applicant_name": "王小明",
    "id_number": VALID_ID,
    "phone": PHONE,
    "matter": "labour",
    "facts": "在工地干活三个月，老板拖欠工资两万元",
}


def test_rules_are_pure_and_cite_articles():
    f = rules.Facts(**{k: v for k, v in WAGES.items() if k != "phone"}, household_size=3)
    missing = rules.assess(f, means_standard=Decimal("2000"))
    assert missing.missing == ["household_monthly_income"] and not missing.eligible
    f.household_monthly_income = Decimal("4500")
    ok = rules.assess(f, means_standard=Decimal("2000"))
    assert ok.eligible and ok.income_per_person == Decimal("1500.00") and "第31条" in ok.basis[0]
    f.household_monthly_income = Decimal("9000")
    above = rules.assess(f, means_standard=Decimal("2000"))
    assert not above.eligible and "第32条" in above.refusal[0] and "第42条" in above.refusal[0]
    f.exempt_person = "migrant_worker_wages"
    exempt = rules.assess(f, means_standard=Decimal("2000"))
    assert exempt.eligible and not exempt.means_checked and "第42条" in exempt.basis[-1]
    dv = rules.assess(rules.Facts("李", VALID_ID, "abuse_victim", "家暴"), means_standard=None)
    assert dv.eligible and "第32条" in dv.basis[0]
    outside = rules.assess(rules.Facts("李", VALID_ID, rules.NOT_LISTED, "合同"), means_standard=None)
    assert not outside.eligible and "第31条" in outside.refusal[0]


def test_missing_facts_are_422_listing_each(anji, dispatcher, client, token):
    r = post(client, "/api/v1/legal-aid/applications", {"matter": "labour"}, token(dispatcher))
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "legal_aid_facts_missing"
    assert set(body["fields"]) == {
        "applicant_name",
        "id_number",
        "facts",
        "household_size",
        "household_monthly_income",
    }
    r = post(client, "/api/v1/legal-aid/applications", {**WAGES, "matter": "astrology"}, token(dispatcher))
    assert r.status_code == 422 and "matter" in r.json()["fields"]
    assert not LegalAidApplication.objects.exists()


def test_application_runs_to_a_decision_and_an_assigned_lawyer(
    anji, dispatcher, standard, lawyer, client, token, travel
):
    travel(at(2026, 9, 28))  # Monday before the National Day holiday
    auth = token(dispatcher)
    r = post(
        client,
        "/api/v1/legal-aid/applications",
        {**WAGES, "household_size": 3, "household_monthly_income": "4500"},
        auth,
    )
    assert r.status_code == 201, r.content
    body = r.json()
    # 7 days from 28 September end on 5 October, inside the holiday: moved to the next working day.
    assert body["decision_due_at"].startswith("2026-10-08")
    assert body["provisional"] is False and body["assessment"]["eligible"] is True
    assert body["query_code"] and body["id_number"].startswith("3305") and "*" in body["id_number"]
    number = body["number"]
    r = post(client, f"/api/v1/legal-aid/applications/{number}/lawyer", {"lawyer_id": lawyer.pk}, auth)
    assert r.status_code == 409 and r.json()["error"] == "legal_aid_not_granted"
    r = post(client, f"/api/v1/legal-aid/applications/{number}/decision", {"grant": True}, auth)
    assert r.status_code == 200 and r.json()["status"] == "granted" and r.json()["assign_due_at"]
    r = post(client, f"/api/v1/legal-aid/applications/{number}/lawyer", {"lawyer_id": lawyer.pk}, auth)
    assert r.status_code == 200 and r.json()["lawyer"] == "周律师" and r.json()["status"] == "assigned"
    app = LegalAidApplication.objects.get(number=number)
    assert app.id_number_enc and VALID_ID not in app.id_number_enc
    assert selectors.application_for_applicant(number=number, query_code=body["query_code"]) == app
    assert selectors.application_for_applicant(number=number, query_code="000000x") is None


def test_ineligible_gets_a_reasoned_refusal_not_an_error(anji, dispatcher, standard, client, token):
    auth = token(dispatcher)
    r = post(
        client,
        "/api/v1/legal-aid/applications",
        {**WAGES, "household_size": 1, "household_monthly_income": "9000"},
        auth,
    )
    assert r.status_code == 201
    number = r.json()["number"]
    assert r.json()["assessment"]["eligible"] is False
    r = post(client, f"/api/v1/legal-aid/applications/{number}/decision", {"grant": False}, auth)
    assert r.status_code == 200
    assert r.json()["status"] == "refused" and "9000.00" in r.json()["decision_reason"]
    assert "第32条" in r.json()["decision_reason"]
    r = post(client, f"/api/v1/legal-aid/applications/{number}/decision", {"grant": True}, auth)
    assert r.status_code == 409


def test_refusal_without_any_reason_is_refused(anji, dispatcher):
    applied = services.aid_apply(
        county=anji.county,
        channel="window",
        data=services.AidInput(**WAGES, exempt_person="migrant_worker_wages"),
        actor=dispatcher,
    )
    with pytest.raises(Exception) as exc:
        services.aid_decide(application=applied.application, actor=dispatcher, grant=False)
    assert exc.value.code == "reason_required"


def test_lawyer_outside_county_or_not_a_lawyer(anji, dispatcher, standard, client, token):
    from conftest import make_county

    other = make_county("330522", "长兴县")
    far = Mediator.objects.create(name="外县律师", kind="lawyer", county=other.county, created_at=clock.now())
    volunteer = Mediator.objects.create(
        name="志愿者", kind="volunteer", county=anji.county, created_at=clock.now()
    )
    applied = services.aid_apply(
        county=anji.county,
        channel="window",
        data=services.AidInput(**WAGES, exempt_person="migrant_worker_wages"),
        actor=dispatcher,
    )
    services.aid_decide(application=applied.application, actor=dispatcher, grant=True)
    auth = token(dispatcher)
    url = f"/api/v1/legal-aid/applications/{applied.application.number}/lawyer"
    r = post(client, url, {"lawyer_id": far.pk}, auth)
    assert r.status_code == 409 and r.json()["error"] == "lawyer_outside_county"
    r = post(client, url, {"lawyer_id": volunteer.pk}, auth)
    assert r.status_code == 422 and "lawyer_id" in r.json()["fields"]


def test_consultation_log_and_case_timeline(anji, dispatcher, accepted_case, client, token):
    case = accepted_case()
    auth = token(dispatcher)
    r = post(
        client,
        "/api/v1/legal/consultations",
        {
            "channel": "hotline_12348",
            "topic": "neighbour",
            "question": "楼上漏水谁负责？",
            "answer": "由责任人赔偿",
            "case_number": case.number,
        },
        auth,
    )
    assert r.status_code == 201 and r.json()["case_number"] == case.number
    assert case.events.filter(kind="legal_consultation").count() == 1
    r = post(client, "/api/v1/legal/consultations", {"channel": "fax", "topic": "nope", "question": ""}, auth)
    assert r.status_code == 422 and set(r.json()["fields"]) == {"channel", "topic", "question"}
    assert len(client.get("/api/v1/legal/consultations", **auth).json()) == 1


def test_knowledge_base_search_in_chinese(anji, dispatcher, client, token):
    KnowledgeEntry.objects.create(
        question="老板拖欠工资怎么办？",
        answer="可以向劳动保障监察投诉，或申请劳动仲裁。",
        statute="《劳动争议调解仲裁法》第2条",
        category="labour",
    )
    KnowledgeEntry.objects.create(
        question="邻居漏水损坏我家天花板",
        answer="可要求赔偿损失。",
        statute="《民法典》第1165条",
        category="neighbour",
    )
    rows = client.get("/api/v1/legal/knowledge", {"q": "工资被拖欠了"}, **token(dispatcher)).json()
    assert [r["question"] for r in rows] == ["老板拖欠工资怎么办？"]
    assert rows[0]["statute"].startswith("《劳动争议调解仲裁法》")
    assert client.get("/api/v1/legal/knowledge", {"q": "？？"}, **token(dispatcher)).json() == []


def test_a_provisional_decision_date_follows_the_notice_when_it_is_loaded(
    anji, dispatcher, accepted_case, travel
):
    from jiefen.deadlines.tests.notices import load_2027

    travel(at(2027, 2, 1))  # a Monday; 7 days end on 8 February, inside the Spring Festival
    case = accepted_case()
    applied = services.aid_apply(
        county=anji.county,
        channel="window",
        data=services.AidInput(**WAGES, exempt_person="migrant_worker_wages"),
        actor=dispatcher,
        case=case,
    )
    app = applied.application
    assert app.due_provisional is True
    load_2027()
    app.refresh_from_db()
    # The notice's holiday runs to 11 February: the decision is due on the 12th, no longer provisional.
    assert timezone.localtime(app.decision_due_at).date().isoformat() == "2027-02-12"
    assert app.due_provisional is False
    # (the case's own step is recomputed too, with its own entry)
    event = case.events.get(kind="deadline_recomputed", data__legal_aid=app.number)
    assert event.data["to"] == "2027-02-12" and event.data["provisional"] is False
