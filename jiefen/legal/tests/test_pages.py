"""The citizen's application on the portal and the staff's decision page."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiefen.legal.models import LegalAidApplication, MeansStandard
from jiefen.legal.tests.test_legal_aid import WAGES

pytestmark = pytest.mark.django_db


def test_portal_application_missing_then_received(anji, client):
    MeansStandard.objects.create(province="33", monthly_income_per_person=Decimal("2000"), source="测试")
    r = client.post(
        "/portal/legal-aid/", {"county": anji.county.code, "matter": "labour"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 422
    page = r.content.decode()
    assert page.count('class="err"') >= 4 and not LegalAidApplication.objects.exists()
    body = {**WAGES, "county": anji.county.code, "household_size": "2", "household_monthly_income": "3000"}
    r = client.post("/portal/legal-aid/", body, follow=True)
    app = LegalAidApplication.objects.get()
    page = r.content.decode()
    assert app.channel == "online" and app.number in page and app.decision_due_at.date().isoformat() in page
    assert 'id="aid-query-code"' in page


def test_staff_decide_and_assign_on_the_page(anji, dispatcher, client):
    from jiefen.core import clock
    from jiefen.mediators.models import Mediator

    lawyer = Mediator.objects.create(name="周律师", kind="lawyer", county=anji.county, created_at=clock.now())
    client.post(
        "/portal/legal-aid/", {**WAGES, "county": anji.county.code, "exempt_person": "migrant_worker_wages"}
    )
    app = LegalAidApplication.objects.get()
    client.force_login(dispatcher)
    page = client.get("/legal/legal-aid/").content.decode()
    assert app.number in page and "第42条" in page
    client.post(f"/legal/legal-aid/{app.number}/decide/", {"grant": "1"})
    client.post(f"/legal/legal-aid/{app.number}/lawyer/", {"lawyer_id": str(lawyer.pk)})
    app.refresh_from_db()
    assert app.status == "assigned" and app.lawyer == lawyer


def test_window_consultation_page_searches_and_records(anji, dispatcher, accepted_case, client):
    from jiefen.legal.models import Consultation, KnowledgeEntry

    KnowledgeEntry.objects.create(
        question="老板拖欠工资怎么办？", answer="申请劳动仲裁。", statute="《劳动争议调解仲裁法》第5条"
    )
    case = accepted_case()
    client.force_login(dispatcher)
    page = client.get("/legal/consultations/", {"q": "工资拖欠"}).content.decode()
    assert "申请劳动仲裁。" in page and "第5条" in page
    r = client.post(
        "/legal/consultations/",
        {
            "channel": "window",
            "topic": "labour",
            "question": "欠薪",
            "answer": "可仲裁",
            "case_number": case.number,
        },
    )
    assert r.status_code == 302
    assert Consultation.objects.get().case == case
    r = client.post("/legal/consultations/", {"channel": "window", "topic": "labour", "question": ""})
    assert r.status_code == 422 and Consultation.objects.count() == 1


def test_applicant_follows_the_application_with_number_and_code(anji, dispatcher, client):
    from jiefen.legal import services

    applied = services.aid_apply(
        county=anji.county,
        channel="online",
        data=services.AidInput(**{**WAGES, "matter": "not_listed"}),
    )
    app = applied.application
    services.aid_decide(application=app, actor=dispatcher, grant=False)
    r = client.post("/portal/legal-aid/status/", {"number": app.number, "query_code": "x"})
    assert r.status_code == 404 and "第31条" not in r.content.decode()
    page = client.post(
        "/portal/legal-aid/status/", {"number": app.number, "query_code": applied.query_code}
    ).content.decode()
    assert 'data-status="refused"' in page and "第31条" in page
