"""Alerts over the API and the staff page: filters, lifecycle, jurisdiction."""

from __future__ import annotations

import pytest

from conftest import make_county
from jiefen.alerts.models import Alert, AlertStatus, Resolution
from jiefen.cases.services import PartyInput, case_register
from jiefen.directory.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(dispatcher):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=dispatcher)}"}


@pytest.fixture
def hot(register):
    return register(description="不给钱就跳楼")


def act(client, auth, alert_id, **body):
    return client.post(f"/api/v1/alerts/{alert_id}/actions", body, content_type="application/json", **auth)


def test_list_with_filters(client, auth, hot, register):
    # given
    register(description="邻居噪音")
    # when
    res = client.get(
        "/api/v1/alerts", {"rule": "extreme_language", "status": "open", "case": hot.number}, **auth
    )
    # then
    assert res.status_code == 200
    body = res.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["case"] == hot.number and row["rule"] == "extreme_language"
    assert "跳楼" in row["reasons"][0]


def test_unknown_filter_values_are_422(client, auth):
    assert client.get("/api/v1/alerts", {"rule": "nope"}, **auth).status_code == 422
    assert client.get("/api/v1/alerts", {"status": "nope"}, **auth).status_code == 422


def test_lifecycle_open_acknowledged_closed(client, auth, hot):
    # given
    alert = Alert.objects.get(case=hot, rule__code="extreme_language")
    # when
    ack = act(client, auth, alert.pk, action="acknowledge")
    no_note = act(client, auth, alert.pk, action="handle")
    done = act(client, auth, alert.pk, action="handle", note="已约谈当事人，情绪稳定")
    again = act(client, auth, alert.pk, action="dismiss", note="x")
    # then
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    assert no_note.status_code == 422 and no_note.json()["error"] == "reason_required"
    assert done.status_code == 200 and done.json()["resolution"] == "handled"
    assert again.status_code == 409 and again.json()["error"] == "illegal_transition"
    alert.refresh_from_db()
    assert (alert.status, alert.resolution, alert.closed_by.username) == (
        AlertStatus.CLOSED,
        Resolution.HANDLED,
        "dispatcher",
    )


def test_unknown_action_is_422(client, auth, hot):
    alert = Alert.objects.get(case=hot, rule__code="extreme_language")
    assert act(client, auth, alert.pk, action="explode").status_code == 422


def test_alerts_of_another_county_are_not_found(client, auth, staff_factory):
    # given
    other = make_county("330211", "镇海区")
    clerk = staff_factory(other.org("county_centre"), ["dispatcher"])
    case = case_register(
        channel="walk_in",
        region=other.village,
        description="我要跳楼",
        parties=[PartyInput(role="applicant", name="李四")],
        actor=clerk,
    ).case
    alert = Alert.objects.get(case=case)
    # when / then
    assert client.get("/api/v1/alerts", **auth).json()["count"] == 0
    assert act(client, auth, alert.pk, action="acknowledge").status_code == 404


def test_a_village_user_sees_only_the_village(client, anji, register, staff_factory):
    # given
    register(region=anji.village, description="我要跳楼")
    register(region=anji.other_village, description="我要跳楼")
    user = staff_factory(anji.org("village_committee", anji.other_village), ["mediator"])
    client.force_login(user)
    # when
    res = client.get("/alerts/")
    # then
    assert res.status_code == 200
    assert len(res.context["rows"]) == 1
    assert res.context["rows"][0]["alert"].village_id == anji.other_village.pk


def test_alert_page_acts_through_htmx(client, dispatcher, hot):
    # given
    client.force_login(dispatcher)
    alert = Alert.objects.get(case=hot, rule__code="extreme_language")
    # when
    page = client.get("/alerts/", {"rule": "extreme_language"})
    res = client.post(
        f"/alerts/{alert.pk}/actions/", {"action": "dismiss", "note": "误报"}, HTTP_HX_REQUEST="true"
    )
    bad = client.post(f"/alerts/{alert.pk}/actions/", {"action": "acknowledge"}, HTTP_HX_REQUEST="true")
    # then
    assert page.status_code == 200 and hot.number in page.content.decode()
    assert res.status_code == 200 and f'id="alert-{alert.pk}"' in res.content.decode()
    assert bad.status_code == 422
    alert.refresh_from_db()
    assert alert.resolution == Resolution.DISMISSED and alert.note == "误报"


def test_alert_list_page_reads_a_bounded_number_of_queries(
    client, dispatcher, register, django_assert_max_num_queries
):
    client.force_login(dispatcher)
    for _i in range(6):
        register(description="我要跳楼")
    client.get("/alerts/")
    with django_assert_max_num_queries(12):
        assert client.get("/alerts/").status_code == 200
