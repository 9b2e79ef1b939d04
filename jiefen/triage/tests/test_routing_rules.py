"""Routing rules as data: a table of cases → owner, validation before save, unevaluable rules
skipped with an alert, assisting organisations, the dry-run."""

import pytest

from jiefen.cases.models import Assignment, CaseEvent, RoutingRule
from jiefen.cases.routing import RegionChain, route, routing_rule_validate
from jiefen.triage.tests.helpers import register

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("category", "place", "risk", "channel", "text", "lead_kind", "level", "assist_kinds"),
    [
        ("family", "village", "blue", "walk_in", "夫妻吵架", "village_committee", "village", []),
        ("family", "town", "blue", "walk_in", "夫妻吵架", "town_committee", "town", []),
        ("neighbour", "village", "blue", "walk_in", "漏水", "village_committee", "village", []),
        ("labour", "village", "blue", "walk_in", "欠薪", "justice_office", "town", ["human_resources"]),
        (
            "labour",
            "village",
            "orange",
            "walk_in",
            "欠薪",
            "human_resources",
            "county",
            ["labour_arbitration", "justice_office"],
        ),
        ("traffic", "village", "blue", "walk_in", "撞车", "police_station", "town", ["traffic_committee"]),
        ("medical", "village", "blue", "walk_in", "手术", "medical_committee", "county", ["justice_bureau"]),
        ("consumer", "town", "blue", "online", "退货", "market_regulation", "county", []),
        (
            "neighbour",
            "village",
            "red",
            "walk_in",
            "要跳楼",
            "county_centre",
            "county",
            ["police", "psych_service"],
        ),
        (
            "neighbour",
            "village",
            "blue",
            "walk_in",
            "不解决就进京",
            "county_centre",
            "county",
            ["petition_bureau"],
        ),
        ("other", "village", "blue", "walk_in", "其他", "town_centre", "town", []),
    ],
)
def test_default_rules_table(anji, category, place, risk, channel, text, lead_kind, level, assist_kinds):
    # given
    region = {"village": anji.village, "town": anji.town}[place]
    # when
    d = route(category=category, chain=RegionChain.of(region), risk=risk, channel=channel, text=text)
    # then
    assert (d.organization.kind, d.level) == (lead_kind, level)
    assert sorted(o.kind for o in d.assist) == sorted(assist_kinds)
    assert d.trace[-1]["outcome"] == "taken"


@pytest.mark.parametrize(
    ("conditions", "matches"),
    [
        ({"channel": "hotline_12345"}, True),
        ({"channel": "online"}, False),
        ({"keywords": "养猪场, 臭味"}, True),
        ({"keywords": "re:养.{0,2}场"}, True),
        ({"keywords": "工资"}, False),
        ({"min_risk": "yellow"}, False),
        ({"region_is": "town"}, True),
        ({"region_is": "town2"}, False),
    ],
)
def test_rule_conditions(anji, conditions, matches):
    # given: one rule in front of the defaults
    region = {"town": anji.town, "town2": anji.town2}.get(conditions.pop("region_is", None))
    RoutingRule.objects.create(
        order=0, level="county", lead_kind="natural_resources", region=region, **conditions
    )
    # when
    d = route(
        category="environment", chain=RegionChain.of(anji.village), channel="hotline_12345", text="养猪场臭味"
    )
    # then
    assert (d.organization.kind == "natural_resources") is matches


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"lead_kind": "nobody"}, "lead_kind"),
        ({"level": "province"}, "level"),
        ({"category": "aliens"}, "category"),
        ({"channel": "pigeon"}, "channel"),
        ({"min_risk": "purple"}, "min_risk"),
        ({"keywords": "re:(unclosed"}, "keywords"),
        ({"keywords": "x" * 61}, "keywords"),
        ({"assist_kinds": ["nobody"]}, "assist_kinds"),
        ({"assist_kinds": ["town_committee"]}, "assist_kinds"),
    ],
)
def test_invalid_rule_is_refused(fields, bad):
    data = {"level": "town", "lead_kind": "town_committee", **fields}
    assert bad in routing_rule_validate(**data)


def test_valid_rule_passes():
    assert routing_rule_validate(level="town", lead_kind="town_committee", keywords="漏水\nre:噪.") == {}


def test_admin_form_refuses_an_invalid_rule():
    from jiefen.cases.admin import RoutingRuleForm

    form = RoutingRuleForm(
        data={
            "order": 5,
            "level": "town",
            "lead_kind": "town_committee",
            "keywords": "re:[",
            "assist_kinds": [],
        }
    )
    assert not form.is_valid()
    assert "keywords" in form.errors


def test_unevaluable_rule_is_skipped_with_event_and_alert(client, anji, dispatcher, staff_factory):
    from jiefen.alerts.models import Alert

    # given: a rule written around the validator (e.g. by SQL), in front of the defaults
    bad = RoutingRule.objects.create(order=0, level="town", lead_kind="town_committee", keywords="re:(")
    # when
    reg = register(anji, dispatcher, category="family")
    # then: the case is still routed by the next rules, and nobody is left unaware
    assert reg.case.lead_organization.kind == "village_committee"
    event = CaseEvent.objects.get(case=reg.case, kind="routing_rule_skipped")
    assert event.data["rule"] == bad.pk
    alert = Alert.objects.get(subject_key=f"routing_rule:{bad.pk}")
    assert alert.rule.code == "routing_rule_skipped"
    # and the alerts page shows it without trouble
    admin = staff_factory(anji.org("county_centre"), ["admin", "analyst"])
    client.force_login(admin)
    assert client.get("/alerts/").status_code == 200


def test_assisting_kinds_become_assist_assignments(anji, dispatcher):
    reg = register(anji, dispatcher, category="labour", text="拖欠工资三个月")
    assists = Assignment.objects.filter(case=reg.case, role="assist")
    assert [a.organization.kind for a in assists] == ["human_resources"]


def test_dry_run_api_explains(client, anji, dispatcher):
    from jiefen.directory.services import api_token_create

    token = api_token_create(staff=dispatcher)
    resp = client.post(
        "/api/v1/triage/routing/dry-run",
        {"region_code": anji.village.code, "category": "labour", "risk": "blue", "text": "欠薪"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert resp.status_code == 200
    data = resp.json()
    assert data["lead"]["kind"] == "justice_office"
    assert any(t["outcome"] == "no_match" for t in data["trace"])
    bad = client.post(
        "/api/v1/triage/routing/dry-run",
        {"region_code": anji.village.code, "category": "nope"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert bad.status_code == 422


def test_dry_run_page(client, anji, dispatcher):
    client.force_login(dispatcher)
    resp = client.get("/triage/routing/dry-run/", {"region_code": anji.village.code, "category": "medical"})
    assert resp.status_code == 200
    assert "dry-run-result" in resp.content.decode()
    assert client.get("/triage/routing/dry-run/", {"region_code": "999"}).status_code == 422


def test_admin_pages_render_and_refuse_invalid_rule(client, anji, staff_factory):
    admin = staff_factory(anji.org("county_centre"), ["admin"], is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/cases/routingrule/").status_code == 200
    assert client.get("/admin/cases/routingrule/add/").status_code == 200
    resp = client.post(
        "/admin/cases/routingrule/add/",
        {"order": 1, "level": "town", "lead_kind": "town_committee", "keywords": "re:(", "min_risk": ""},
    )
    assert resp.status_code == 200  # the form again, with the error
    assert not RoutingRule.objects.filter(order=1, keywords="re:(").exists()
    resp = client.post(
        "/admin/cases/routingrule/add/",
        {
            "order": 1,
            "level": "town",
            "lead_kind": "town_committee",
            "keywords": "漏水",
            "assist_kinds": ["police"],
        },
    )
    assert resp.status_code == 302
    assert RoutingRule.objects.get(order=1, keywords="漏水").assist_kinds == ["police"]
