"""Triage at registration: proposal stored, low confidence waits for a dispatcher, the API
response carries risk/related/routing, risk recomputed on change, confirmation recorded."""

from io import StringIO

import pytest
from django.core.management import call_command

from jiefen.cases.services import case_transition
from jiefen.directory.services import api_token_create
from jiefen.triage import classifier
from jiefen.triage.models import CaseTriage
from jiefen.triage.services import case_category_confirm
from jiefen.triage.tests.helpers import register

pytestmark = pytest.mark.django_db


def test_clerk_category_is_kept_and_recorded_as_confirmed(anji, dispatcher):
    reg = register(anji, dispatcher, text="公司拖欠我三个月工资", category="labour")
    t = CaseTriage.objects.get(case=reg.case)
    assert reg.case.category == "labour"
    assert t.proposed_category == "labour"
    assert t.confirmed_category == "labour" and t.confirmed_by == dispatcher
    assert not t.needs_review


def test_confident_proposal_is_used_when_no_category_given(anji, dispatcher):
    reg = register(anji, dispatcher, text="公司拖欠我们三个月工资，老板跑了，要求支付工资", category=None)
    t = CaseTriage.objects.get(case=reg.case)
    assert reg.case.category == "labour" == t.proposed_category
    assert t.proposed_confidence >= classifier.CONFIDENCE_THRESHOLD
    assert not t.needs_review and t.confirmed_category == ""


def test_uncertain_proposal_waits_for_a_dispatcher(anji, dispatcher, monkeypatch):
    # given: the classifier is unsure
    unsure = classifier.Result(category="neighbour", confidence=0.2, top=[("neighbour", 0.2)], keywords=[])
    monkeypatch.setattr(classifier, "classify", lambda text, **kw: unsure)
    # when
    reg = register(anji, dispatcher, text="有点事情想反映一下", category=None)
    # then
    t = CaseTriage.objects.get(case=reg.case)
    assert t.needs_review
    assert reg.case.lead_organization.kind == "county_centre"
    assert "uncertain" in reg.triage.decision.explanation


def test_api_create_returns_risk_related_routing(client, anji, dispatcher):
    token = api_token_create(staff=dispatcher)
    body = {
        "channel": "walk_in",
        "region_code": anji.village.code,
        "description": "三十多名农民工被拖欠工资20万元，扬言要去北京上访",
        "parties": [{"role": "applicant", "name": "王小明", "phone": "13812345678"}],
    }
    # when
    first = client.post(
        "/api/v1/cases", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    second = client.post(
        "/api/v1/cases", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    # then
    assert first.status_code == 201, first.content
    data = second.json()
    assert data["risk"]["level"] == "orange"
    codes = {r["code"] for r in data["risk"]["reasons"]}
    assert {"group_dispute", "beyond_level", "vulnerable_party", "money_at_stake"} <= codes
    assert all(r["text"] for r in data["risk"]["reasons"])
    assert data["related"][0]["number"] == first.json()["number"]
    routing = data["routing"]
    assert set(routing) >= {"rule", "level", "lead", "assist", "explanation"}
    assert routing["lead"]["name"] == data["lead_organization"]
    assert data["category"] == "labour"


def test_risk_is_recomputed_when_the_case_changes(anji, dispatcher):
    reg = register(anji, dispatcher, text="邻居漏水", category="neighbour")
    assert CaseTriage.objects.get(case=reg.case).risk_level == "blue"
    # when: returned twice
    case = reg.case
    for _i in range(2):
        case = case_transition(case=case.number, actor=dispatcher, action="return", reason="不归我们管")
        case = case_transition(
            case=case.number,
            actor=dispatcher,
            action="route",
            organization=anji.org("village_committee", anji.village),
        )
    # then
    t = CaseTriage.objects.get(case=reg.case)
    assert t.risk_level == "orange"
    assert [r["code"] for r in t.risk_reasons] == ["repeated_returns"]


def test_dispatcher_confirms_and_the_case_is_rerouted(anji, dispatcher, monkeypatch):
    unsure = classifier.Result(category="other", confidence=0.1, top=[("other", 0.1)], keywords=[])
    monkeypatch.setattr(classifier, "classify", lambda text, **kw: unsure)
    reg = register(anji, dispatcher, text="家里的事", category=None)
    # when
    case = case_category_confirm(case=reg.case, actor=dispatcher, category="family", reroute=True)
    # then
    t = CaseTriage.objects.get(case=reg.case)
    assert (case.category, t.confirmed_category, t.needs_review) == ("family", "family", False)
    assert case.lead_organization.kind == "village_committee"
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["category_confirmed", "route"]


def test_confirm_needs_a_dispatcher(anji, dispatcher, staff_factory):
    from jiefen.core.errors import PermissionDenied

    reg = register(anji, dispatcher)
    clerk = staff_factory(anji.org("county_centre"), ["clerk"])
    with pytest.raises(PermissionDenied):
        case_category_confirm(case=reg.case, actor=clerk, category="family")


def test_train_include_confirmed_folds_confirmed_cases_and_records_it(
    anji, dispatcher, monkeypatch, tmp_path
):
    register(anji, dispatcher, text="公司拖欠工资", category="labour")
    seen = {}

    def fake_train(rows=None, lexicon=None, **kw):
        seen["rows"] = rows
        return classifier.load_model(classifier.MODEL_PATH)

    monkeypatch.setattr(classifier, "train_model", fake_train)
    out = StringIO()
    # when
    # (the threat model goes to tmp_path too: the default would overwrite the shipped file)
    call_command(
        "train",
        output=str(tmp_path / "m.json.gz"),
        threats_output=str(tmp_path / "t.json.gz"),
        include_confirmed=True,
        stdout=out,
    )
    # then
    assert {"text": "公司拖欠工资", "label": "labour"} in seen["rows"]
    assert "including 1 confirmed cases" in out.getvalue()
    model = classifier.load_model(tmp_path / "m.json.gz")
    assert model.meta["n_confirmed"] == 1 and model.meta["confirmed_sha256"]


def test_agreement_counts_per_category(client, anji, dispatcher):
    register(anji, dispatcher, text="公司拖欠我三个月工资", category="labour")
    register(anji, dispatcher, text="公司拖欠我三个月工资", category="debt_contract")
    token = api_token_create(staff=dispatcher)
    rows = {
        r["category"]: r
        for r in client.get("/api/v1/triage/agreement", HTTP_AUTHORIZATION=f"Bearer {token}").json()[
            "categories"
        ]
    }
    assert (rows["labour"]["n"], rows["labour"]["agreed"]) == (1, 1)
    assert (rows["debt_contract"]["n"], rows["debt_contract"]["agreed"]) == (1, 0)
    client.force_login(dispatcher)
    assert client.get("/triage/agreement/").status_code == 200


def test_returns_are_counted_per_organization(client, anji, dispatcher):
    from jiefen.triage.selectors import returns_by_organization

    reg = register(anji, dispatcher, text="邻居漏水", category="neighbour")
    committee = reg.case.lead_organization
    case_transition(case=reg.case.number, actor=dispatcher, action="return", reason="不归我们管")
    rows = returns_by_organization(viewer=dispatcher)
    assert rows == [{"organization_id": committee.pk, "name": committee.name, "returns": 1}]
    client.force_login(dispatcher)
    assert committee.name in client.get("/triage/agreement/").content.decode()
