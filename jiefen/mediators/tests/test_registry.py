"""The registry and the recommendation: who is proposed, why, and who may not be assigned."""

from __future__ import annotations

import json

import pytest

from jiefen.cases.services import PartyInput
from jiefen.core import clock
from jiefen.mediators import selectors, services
from jiefen.mediators.models import Mediator, ProcedureMediator
from jiefen.procedures.models import Procedure
from jiefen.procedures.tests.conftest import PHONE, VALID_ID

pytestmark = pytest.mark.django_db


def make(anji, actor, name, *, categories=("neighbour",), areas=(), kind="volunteer", **kw):
    return services.mediator_create(
        actor=actor,
        data=services.MediatorInput(
            name=name,
            kind=kind,
            county=anji.county.code,
            areas=[a.code for a in areas],
            categories=list(categories),
            **kw,
        ),
    )


def post(client, path, body, auth):
    return client.post(path, data=json.dumps(body), content_type="application/json", **auth)


def test_neighbour_case_gets_a_sensible_ranking_with_reasons(anji, dispatcher, accepted_case):
    village = make(anji, dispatcher, "俞秀英", areas=[anji.village])
    town = make(anji, dispatcher, "钱建华", areas=[anji.town])
    wrong_cat = make(anji, dispatcher, "沈杰", categories=["labour"], areas=[anji.village])
    other_town = make(anji, dispatcher, "潘志强", areas=[anji.town2])
    make(anji, dispatcher, "心理咨询师", kind="counsellor", areas=[anji.village])
    case = accepted_case()

    ranked = selectors.recommend(case=case)

    assert [r.mediator.name for r in ranked] == ["俞秀英", "钱建华", "潘志强", "沈杰"]
    first = {r.code: r.points for r in ranked[0].reasons}
    assert first["category"] == selectors.W_CATEGORY and first["village"] == selectors.W_VILLAGE
    assert {r.code for r in ranked[1].reasons} >= {"category", "town"}
    assert "village" not in {r.code for r in ranked[2].reasons}  # other town: category only
    assert ranked[0].score == selectors.W_CATEGORY + selectors.W_VILLAGE
    assert village.pk and town.pk and wrong_cat.pk and other_town.pk


def test_conflict_load_and_availability_exclude(anji, dispatcher, accepted_case):
    related = make(anji, dispatcher, "王大伯", areas=[anji.village])
    busy = make(anji, dispatcher, "忙碌", areas=[anji.village], max_load=1)
    off = make(anji, dispatcher, "休假", areas=[anji.village], available=False)
    fine = make(anji, dispatcher, "合适", areas=[anji.town])
    services.conflict_declare(actor=dispatcher, mediator=related, party_name="李四", note="表兄")
    other = accepted_case(
        description="另一起邻里纠纷，漏水", parties=[PartyInput(role="applicant", name="赵六")]
    )
    services.mediation_assign(case=other, actor=dispatcher, mediator_id=busy.pk)
    case = accepted_case()

    ranked = selectors.recommend(case=case, include_excluded=True)
    proposed = [r.mediator.name for r in ranked if not r.excluded]
    excluded = {r.mediator.name: r.reasons[0].code for r in ranked if r.excluded}

    assert proposed == ["合适"]
    assert excluded == {"王大伯": "conflict", "忙碌": "full", "休假": "unavailable"}
    assert fine.pk and off.pk


def test_conflict_matched_by_id_number_hash_not_only_name(anji, dispatcher, accepted_case):
    m = make(anji, dispatcher, "同名无关")
    services.conflict_declare(actor=dispatcher, mediator=m, party_name="别名", id_number=VALID_ID)
    case = accepted_case()
    assert selectors.conflict_with(m, case) is not None
    with pytest.raises(services.MediatorNotAssignable) as exc:
        services.mediation_assign(case=case, actor=dispatcher, mediator_id=m.pk)
    assert exc.value.code == "mediator_conflict" and exc.value.status == 409


def test_assignment_starts_mediation_and_records_the_registered_mediator(
    anji, dispatcher, accepted_case, mediator
):
    m = make(anji, dispatcher, "俞秀英", areas=[anji.village])
    second = make(anji, dispatcher, "钱建华", areas=[anji.town])
    case = accepted_case()

    pm = services.mediation_assign(case=case, actor=mediator, mediator_id=m.pk)
    services.mediation_assign(case=case, actor=mediator, mediator_id=second.pk)

    proc = Procedure.objects.get(pk=pm.procedure_id)
    assert proc.kind == "people_mediation" and proc.data["mediators"] == "俞秀英、钱建华"
    assert list(
        ProcedureMediator.objects.filter(procedure=proc).values_list("mediator__name", flat=True)
    ) == [
        "俞秀英",
        "钱建华",
    ]
    assert pm.score == selectors.W_CATEGORY + selectors.W_VILLAGE
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds.count("mediators_assigned") == 2 and "procedure_started" in kinds
    # Load counts from here on.
    assert selectors.records([m.pk])[m.pk].open == 1
    with pytest.raises(services.MediatorNotAssignable) as exc:
        services.mediation_assign(case=case, actor=mediator, mediator_id=m.pk)
    assert exc.value.code == "mediator_already_assigned"


def test_outside_county_is_409_and_unknown_is_422(anji, dispatcher, accepted_case, client, token):
    from conftest import make_county

    other = make_county("330522", "长兴县")
    far = Mediator.objects.create(
        name="外县调解员",
        kind="volunteer",
        county=other.county,
        categories=["neighbour"],
        created_at=clock.now(),
    )
    case = accepted_case()
    auth = token(dispatcher)
    r = post(client, f"/api/v1/cases/{case.number}/mediators", {"mediator_id": far.pk}, auth)
    assert r.status_code == 409 and r.json()["error"] == "mediator_outside_county"
    r = post(client, f"/api/v1/cases/{case.number}/mediators", {"mediator_id": 999999}, auth)
    assert r.status_code == 422 and "mediator_id" in r.json()["fields"]
    # The body says why, in words a dispatcher can act on.
    r = post(client, f"/api/v1/cases/{case.number}/mediators", {"mediator_id": far.pk}, auth)
    assert "长兴县" in r.json()["message"]
    assert not ProcedureMediator.objects.exists()


def test_api_create_validates_every_field(anji, dispatcher, client, token):
    auth = token(dispatcher)
    r = post(
        client,
        "/api/v1/mediators",
        {"name": "", "kind": "wizard", "county": "999999000000", "categories": ["neighbour", "cosmic"]},
        auth,
    )
    assert r.status_code == 422
    assert set(r.json()["fields"]) == {"name", "kind", "county", "categories"}
    r = post(
        client,
        "/api/v1/mediators",
        {"name": "俞秀英", "kind": "volunteer", "county": anji.county.code, "areas": ["330523999999"]},
        auth,
    )
    assert r.status_code == 422 and list(r.json()["fields"]) == ["areas"]
    r = post(
        client,
        "/api/v1/mediators",
        {
            "name": "俞秀英",
            "kind": "xiangxian",
            "county": anji.county.code,
            "areas": [anji.village.code],
            "categories": ["neighbour", "family"],
            "languages": ["安吉话"],
            "phone": PHONE,
        },
        auth,
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["phone"] == "138****5678" and body["areas"] == [anji.village.code]
    assert Mediator.objects.get(pk=body["id"]).phone_enc != PHONE
    listed = client.get("/api/v1/mediators?category=family", **auth).json()
    assert [m["name"] for m in listed] == ["俞秀英"]
    assert client.get("/api/v1/mediators?category=labour", **auth).json() == []


def test_api_registry_is_the_viewers_county_and_registrars_only(anji, dispatcher, mediator, client, token):
    from conftest import make_county

    other = make_county("330522", "长兴县")
    Mediator.objects.create(name="外县", kind="volunteer", county=other.county, created_at=clock.now())
    mine = make(anji, dispatcher, "本县")
    listed = client.get("/api/v1/mediators", **token(dispatcher)).json()
    assert [m["name"] for m in listed] == ["本县"]
    far = Mediator.objects.get(name="外县")
    assert client.get(f"/api/v1/mediators/{far.pk}", **token(dispatcher)).status_code == 404
    assert client.get(f"/api/v1/mediators/{mine.pk}", **token(dispatcher)).status_code == 200
    r = post(
        client,
        "/api/v1/mediators",
        {"name": "x", "kind": "volunteer", "county": anji.county.code},
        token(mediator),
    )
    assert r.status_code == 403


def test_api_recommendations(anji, dispatcher, accepted_case, client, token):
    m = make(anji, dispatcher, "俞秀英", areas=[anji.village])
    case = accepted_case()
    r = client.get(f"/api/v1/cases/{case.number}/mediator-recommendations", **token(dispatcher))
    assert r.status_code == 200
    [row] = r.json()
    assert row["mediator_id"] == m.pk and row["name"] == "俞秀英" and row["score"] == 70
    assert {x["code"] for x in row["reasons"]} == {"category", "village", "load"}
    assert (
        client.get(
            "/api/v1/cases/330523-2026-999999/mediator-recommendations", **token(dispatcher)
        ).status_code
        == 404
    )


def test_reasons_are_in_the_callers_language(anji, dispatcher, accepted_case, client, token):
    make(anji, dispatcher, "俞秀英", areas=[anji.village])
    case = accepted_case()
    url = f"/api/v1/cases/{case.number}/mediator-recommendations"
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **token(dispatcher)).json()[0]["reasons"]
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en", **token(dispatcher)).json()[0]["reasons"]
    assert {r["text"] for r in zh} == {"擅长邻里纠纷", "服务本村（横溪坞村委会）", "在办0件，上限8件"}
    assert "serves the village 横溪坞村委会" in {r["text"] for r in en}


def test_monthly_allowance_statement_by_difficulty_and_outcome(
    anji, dispatcher, mediator, accepted_case, client, token
):
    from decimal import Decimal

    from jiefen.mediators.models import AllowanceRule
    from jiefen.procedures.services import ActInput, procedure_act

    AllowanceRule.objects.create(difficulty="ordinary", outcome="agreement", amount=Decimal("200"))
    AllowanceRule.objects.create(difficulty="complex", outcome="no_agreement", amount=Decimal("150"))
    m = make(anji, dispatcher, "俞秀英", areas=[anji.village])
    plain = accepted_case()
    pm = services.mediation_assign(case=plain, actor=mediator, mediator_id=m.pk)
    procedure_act(
        procedure=pm.procedure_id, actor=mediator, action="record_agreement", data=ActInput(terms="停工")
    )
    group = accepted_case(
        description="五户邻居与养猪场的纠纷",
        parties=[PartyInput(role="applicant", name=f"村民{i}") for i in range(5)],
    )
    pm2 = services.mediation_assign(case=group, actor=mediator, mediator_id=m.pk)
    procedure_act(
        procedure=pm2.procedure_id,
        actor=mediator,
        action="record_no_agreement",
        data=ActInput(reason="分歧太大", legal_route="可向法院起诉"),
    )
    running = accepted_case(description="第三起，仍在调解")
    services.mediation_assign(case=running, actor=mediator, mediator_id=m.pk)
    month = clock.today().strftime("%Y-%m")

    r = client.get(f"/api/v1/mediators/{m.pk}/allowance", {"month": month}, **token(dispatcher)).json()

    lines = {
        line["case_number"]: (line["difficulty"], line["outcome"], line["amount"]) for line in r["lines"]
    }
    assert lines == {
        plain.number: ("ordinary", "agreement", "200.00"),
        group.number: ("complex", "no_agreement", "150.00"),
    }
    assert Decimal(r["total"]) == Decimal("350")
    assert (
        client.get(
            f"/api/v1/mediators/{m.pk}/allowance", {"month": "2026-13"}, **token(dispatcher)
        ).status_code
        == 422
    )
    client.force_login(dispatcher)
    assert (
        'data-figure="allowance-total">350'
        in client.get(f"/mediators/{m.pk}/?month={month}").content.decode()
    )


def test_organisations_are_recommended_for_what_they_cover(anji, dispatcher, accepted_case, client, token):
    village_council = services.organization_create(
        actor=dispatcher,
        name="乡贤调解会",
        kind="xiangxian_council",
        county=anji.county.code,
        areas=[anji.village.code],
        categories=["neighbour", "family"],
    )
    services.organization_create(
        actor=dispatcher,
        name="物业调委会",
        kind="industry_committee",
        county=anji.county.code,
        categories=["property_mgmt"],
    )
    countywide = services.organization_create(
        actor=dispatcher,
        name="老娘舅工作室",
        kind="personal_studio",
        county=anji.county.code,
        categories=["neighbour"],
    )
    member = make(anji, dispatcher, "章德明")
    member.organization = countywide
    member.save()
    case = accepted_case()
    rows = client.get(f"/api/v1/cases/{case.number}/organization-recommendations", **token(dispatcher)).json()
    assert [r["name"] for r in rows] == ["乡贤调解会", "老娘舅工作室"]
    assert {x["code"] for x in rows[0]["reasons"]} == {"category", "village", "no_members"}
    assert {x["code"] for x in rows[1]["reasons"]} == {"category", "county"}
    assert rows[0]["organization_id"] == village_council.pk


def test_a_role_that_does_not_work_cases_cannot_assign(anji, dispatcher, accepted_case, staff_factory):
    analyst = staff_factory(anji.org("county_centre"), ["analyst"])
    m = make(anji, dispatcher, "俞秀英")
    case = accepted_case()
    with pytest.raises(services.PermissionDenied):
        services.mediation_assign(case=case, actor=analyst, mediator_id=m.pk)
    assert not ProcedureMediator.objects.exists()
