"""Related cases: same person by ID number / phone (keyed hash), same respondent, similar text."""

import pytest

from jiefen.cases.services import PartyInput
from jiefen.triage.tests.helpers import register

pytestmark = pytest.mark.django_db

ID1 = "330523198001011233"


def _related(reg):
    return {r["number"]: r for r in reg.triage.related.items}


def test_same_phone_is_related(anji, dispatcher):
    first = register(anji, dispatcher, phone="13812345678", text="楼上漏水")
    # when
    second = register(anji, dispatcher, phone="138 1234 5678", text="完全不同的事情：借款未还")
    # then
    row = _related(second)[first.case.number]
    assert "same_phone" in row["reasons"]
    assert row["score"] == 0.9


def test_same_id_number_is_related_and_counts_for_risk(anji, dispatcher):
    for _i in range(2):
        register(anji, dispatcher, id_number=ID1, text="反映宅基地问题")
    # when
    third = register(anji, dispatcher, id_number=ID1, text="又来反映别的事情")
    # then
    assert {r["reason"] for r in third.triage.related.items} == {"same_id_number"}
    assert third.triage.related.person_cases == 2
    assert "repeat_person" in [r.code for r in third.triage.risk.reasons]


def test_same_respondent_is_related(anji, dispatcher):
    first = register(anji, dispatcher, respondent="安吉某某建筑有限公司", applicant="张三", text="拖欠工资")
    # when
    second = register(anji, dispatcher, respondent="安吉某某建筑有限公司", applicant="李四", text="工伤赔偿")
    # then
    assert _related(second)[first.case.number]["reason"] == "same_respondent"


def test_similar_description_in_same_town_is_related_not_elsewhere(anji, dispatcher):
    text = "孝丰镇横溪坞村村民反映隔壁养猪场臭味很大，污水直接排到河里，多次沟通无果"
    first = register(anji, dispatcher, text=text, applicant="甲")
    far = register(anji, dispatcher, text=text, applicant="乙", region=anji.other_village)
    # when
    second = register(anji, dispatcher, text=text.replace("多次沟通无果", "希望尽快处理"), applicant="丙")
    # then
    found = _related(second)
    assert found[first.case.number]["reason"] == "similar_text"
    assert 0.3 <= found[first.case.number]["score"] <= 1
    assert far.case.number not in found


def test_unrelated_case_is_not_listed(anji, dispatcher):
    register(anji, dispatcher, phone="13812345678", text="邻居噪音")
    # when
    other = register(anji, dispatcher, phone="13912345678", text="工程款纠纷，对方拖欠货款")
    # then
    assert other.triage.related.items == []


def test_related_on_demand_api_lists_links_and_found(client, anji, dispatcher):
    from jiefen.directory.services import api_token_create

    a = register(anji, dispatcher, phone="13812345678")
    b = register(anji, dispatcher, phone="13812345678", text="另一件事")
    token = api_token_create(staff=dispatcher)
    # when
    resp = client.get(f"/api/v1/triage/cases/{b.case.number}/related", HTTP_AUTHORIZATION=f"Bearer {token}")
    # then
    assert resp.status_code == 200
    assert [r["number"] for r in resp.json()["related"]] == [a.case.number]
    assert resp.json()["related"][0]["reason"] == "same_phone"


def test_parties_are_matched_through_hashes_only(anji, dispatcher):
    reg = register(anji, dispatcher, parties=[PartyInput(role="applicant", name="王", phone="13812345678")])
    party = reg.case.parties.get()
    assert "13812345678" not in party.phone_hash and party.phone_hash


def test_related_outside_jurisdiction_is_not_shown(anji, staff_factory):
    from conftest import make_county
    from jiefen.triage.selectors import visible_related

    other = make_county("330281", "余姚市")
    outsider = staff_factory(other.org("county_centre"), ["dispatcher", "clerk"])
    register(other, outsider, phone="13812345678")
    me = staff_factory(anji.org("county_centre"), ["dispatcher", "clerk"])
    # when
    reg = register(anji, me, phone="13812345678")
    # then: found (for the risk), but not shown to someone who may not see it
    assert len(reg.triage.related.items) == 1
    assert visible_related(viewer=me, items=reg.triage.related.items) == []


def test_related_cases_of_ones_own_county_are_shown_without_a_query(
    anji, staff_factory, django_assert_num_queries
):
    from conftest import make_county
    from jiefen.triage.selectors import visible_related

    # given: the same caller registered in this county and in another one
    other = make_county("330281", "余姚市")
    outsider = staff_factory(other.org("county_centre"), ["dispatcher", "clerk"])
    register(other, outsider, phone="13812345678")
    me = staff_factory(anji.org("county_centre"), ["dispatcher", "clerk"])
    register(anji, me, phone="13812345678")
    reg = register(anji, me, phone="13812345678")
    items = reg.triage.related.items
    assert len(items) == 2
    from jiefen.directory.models import Staff

    me = Staff.objects.select_related("organization__region").get(pk=me.pk)  # as the API's auth loads it
    mine = [r for r in items if r["number"].startswith(anji.county.code[:6])]
    # when / then: the own county's case needs no query; with the other's, one query hides it
    with django_assert_num_queries(0):
        assert visible_related(viewer=me, items=mine) == mine
    with django_assert_num_queries(1):
        assert visible_related(viewer=me, items=items) == mine
    # a town's staff see by the scope query, as before
    from jiefen.directory.models import Organization

    town_clerk = staff_factory(Organization.objects.filter(region=anji.town).first(), ["clerk"])
    town_clerk = Staff.objects.select_related("organization__region").get(pk=town_clerk.pk)
    with django_assert_num_queries(1):
        shown = visible_related(viewer=town_clerk, items=items)
    assert all(r in mine for r in shown)
