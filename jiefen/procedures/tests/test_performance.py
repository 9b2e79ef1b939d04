"""Performance of the agreement (履行): the neighbours agreed that 李四 repairs the pipe by 10
September and pays 3,000 yuan by 15 September; the mediator records what is done, and the sweep
warns when a term is overdue."""

from datetime import date

import pytest
from django.test import Client

from jiefen.alerts.models import Alert
from jiefen.alerts.services import alerts_sweep
from jiefen.cases.models import CaseEvent
from jiefen.procedures import services
from jiefen.procedures.services import ActInput
from jiefen.procedures.tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed(travel, accepted_case, mediator):
    travel(at(2026, 9, 1))
    case = accepted_case(description="楼上水管漏水，泡坏我家天花板")
    proc = services.procedure_start(case=case, actor=mediator, kind="people_mediation")
    services.procedure_act(
        procedure=proc,
        actor=mediator,
        action="record_agreement",
        data=ActInput(terms="李四修好水管\n李四赔偿王小明3000元", effective_on=date(2026, 9, 1)),
    )
    return case


def post(client, url, body, auth):
    return client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **auth)


def test_terms_payments_and_the_overdue_alert(client, travel, agreed, mediator, token):
    # given
    auth = token(mediator)
    base = f"/api/v1/cases/{agreed.number}/performance"
    # when the mediator sets the two terms with their due dates
    resp = post(
        client,
        f"{base}/terms",
        {
            "terms": [
                {"text": "修好漏水的水管", "obligor": "李四", "due_on": "2026-09-10"},
                {"text": "赔偿天花板损失", "obligor": "李四", "due_on": "2026-09-15", "amount": "3000"},
            ]
        },
        auth,
    )
    # then
    assert resp.status_code == 201, resp.content
    pipe, money = resp.json()
    assert (pipe["no"], money["no"], money["amount"], money["paid"]) == (1, 2, "3000.00", "0")
    # when the pipe is repaired on 8 September and 1,000 yuan paid on 9 September
    travel(at(2026, 9, 9))
    post(
        client,
        f"{base}/terms/{pipe['id']}/records",
        {"by": "李四", "on": "2026-09-08", "what": "请水电工更换了水管", "completes": True},
        auth,
    )
    paid = post(
        client,
        f"{base}/terms/{money['id']}/records",
        {"by": "李四", "on": "2026-09-09", "amount": "1000"},
        auth,
    )
    # then the repair is performed, the payment is partial
    assert paid.status_code == 201
    pipe, money = paid.json()
    assert pipe["performed"] and not money["performed"] and money["paid"] == "1000.00"
    assert money["records"][0]["by"] == "李四" and money["records"][0]["on"] == "2026-09-09"
    # when the sweep runs after the due date (twice: it is idempotent)
    travel(at(2026, 9, 17))
    alerts_sweep()
    alerts_sweep()
    # then one alert warns of the unpaid term, none of the repaired pipe
    alerts = list(Alert.objects.filter(rule__code="term_overdue"))
    assert len(alerts) == 1 and alerts[0].case_id == agreed.pk and alerts[0].status == "open"
    assert alerts[0].reasons[0] | {"term": ""} == {
        "code": "term_overdue",
        "no": 2,
        "due": "2026-09-15",
        "term": "",
    }
    detail = client.get(f"/api/v1/cases/{agreed.number}", **auth).json()
    assert [t["overdue"] for t in detail["performance"]] == [False, True]
    # and the case page shows it
    staff = Client()
    staff.force_login(mediator)
    html = staff.get(f"/cases/{agreed.number}/").content.decode()
    assert 'data-term="2" data-performed="0"' in html and "请水电工更换了水管" in html
    assert 'class="overdue" data-term="2"' in html
    # when the rest is paid
    done = post(
        client,
        f"{base}/terms/{money['id']}/records",
        {"by": "李四", "on": "2026-09-17", "amount": "2000"},
        auth,
    )
    # then the term is performed and its alert closed
    assert done.json()[1]["performed"] is True
    alerts[0].refresh_from_db()
    assert alerts[0].status == "closed" and alerts[0].resolution == "handled"
    kinds = list(CaseEvent.objects.filter(case=agreed).values_list("kind", flat=True))
    assert kinds.count("performance_recorded") == 3 and "performance_terms_set" in kinds
    # and a performed term takes no more records
    again = post(
        client, f"{base}/terms/{money['id']}/records", {"by": "李四", "on": "2026-09-17", "amount": "1"}, auth
    )
    assert again.status_code == 409 and again.json()["error"] == "term_performed"


def test_bad_performance_input_is_refused_and_changes_nothing(client, travel, agreed, mediator, token):
    # given
    auth = token(mediator)
    base = f"/api/v1/cases/{agreed.number}/performance"
    term = {"text": "赔偿", "obligor": "李四", "due_on": "2026-09-15", "amount": "100"}
    # when
    early = post(client, f"{base}/terms", {"terms": [{**term, "due_on": "2026-08-01"}]}, auth)
    negative = post(client, f"{base}/terms", {"terms": [{**term, "amount": "-5"}]}, auth)
    created = post(client, f"{base}/terms", {"terms": [term]}, auth).json()[0]
    future = post(
        client,
        f"{base}/terms/{created['id']}/records",
        {"by": "李四", "on": "2026-12-01", "amount": "1"},
        auth,
    )
    empty = post(client, f"{base}/terms/{created['id']}/records", {"by": "李四", "on": "2026-09-01"}, auth)
    unknown = post(
        client, f"{base}/terms/999999/records", {"by": "李四", "on": "2026-09-01", "amount": "1"}, auth
    )
    # then
    assert early.status_code == 422 and early.json()["error"] == "date_before_agreement"
    assert negative.status_code == 422
    assert future.status_code == 422 and future.json()["error"] == "date_in_future"
    assert empty.status_code == 422
    assert unknown.status_code == 404
    assert client.get(base, **auth).json()[0]["records"] == []


def test_no_terms_before_an_agreement(client, travel, accepted_case, mediator, token):
    # given
    travel(at(2026, 9, 1))
    case = accepted_case()
    # when
    resp = post(
        client,
        f"/api/v1/cases/{case.number}/performance/terms",
        {"terms": [{"text": "赔偿", "obligor": "李四", "due_on": "2026-09-15"}]},
        token(mediator),
    )
    # then
    assert resp.status_code == 409 and resp.json()["error"] == "agreement_required"


def test_the_overdue_rule_is_data_grace_days_and_switch(client, travel, agreed, mediator, token):
    # given: an administrator gives two days of grace
    from jiefen.alerts.models import AlertRule

    rule = AlertRule.objects.get(code="term_overdue")
    rule.params = {"grace_days": 2}
    rule.save()
    post(
        client,
        f"/api/v1/cases/{agreed.number}/performance/terms",
        {"terms": [{"text": "赔偿", "obligor": "李四", "due_on": "2026-09-15", "amount": "100"}]},
        token(mediator),
    )
    # when the sweep runs two days after the due date, then three days after
    travel(at(2026, 9, 17))
    alerts_sweep()
    within_grace = Alert.objects.filter(rule__code="term_overdue").count()
    travel(at(2026, 9, 18))
    alerts_sweep()
    # then the alert comes only after the grace
    assert (within_grace, Alert.objects.filter(rule__code="term_overdue").count()) == (0, 1)
