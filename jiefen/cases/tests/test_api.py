import pytest

from jiefen.cases.models import Case
from jiefen.directory.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(dispatcher):
    return api_token_create(staff=dispatcher)


def auth(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def body(anji, **kw):
    data = {
        "channel": "walk_in",
        "region_code": anji.village.code,
        "description": "邻居漏水纠纷",
        "category": "neighbour",
        "parties": [
            {"role": "applicant", "kind": "person", "name": "王小明", "phone": "13812345678"},
            {"role": "respondent", "kind": "person", "name": "李四"},
        ],
    }
    data.update(kw)
    return data


def test_create_case_returns_201_with_number_and_owner(client, anji, token):
    # given / when
    resp = client.post("/api/v1/cases", body(anji), content_type="application/json", **auth(token))
    # then
    assert resp.status_code == 201
    data = resp.json()
    assert data["number"].startswith("330523-")
    assert len(data["query_code"]) == 8
    assert data["status"] == "triaged"
    assert data["level"] == "village"
    assert data["lead_organization"]
    assert data["due_at"]
    assert data["parties"][0]["phone"] == "138****5678"
    assert [e["kind"] for e in data["events"]] == ["registered", "routed"]


def test_no_token_is_401(client, anji):
    # given / when
    resp = client.get("/api/v1/cases")
    # then
    assert resp.status_code == 401
    assert resp.json()["error"] == "unauthorized"


def test_bad_input_is_422_with_fields_and_nothing_written(client, anji, token):
    # given
    bad = body(anji, region_code="000000000000", description="")
    bad["parties"][0]["id_number"] = "330523198001010015"
    # when
    resp = client.post("/api/v1/cases", bad, content_type="application/json", **auth(token))
    # then
    assert resp.status_code == 422
    data = resp.json()
    assert data["error"] == "validation_failed"
    assert {"region_code", "description", "parties[0].id_number"} <= set(data["fields"])
    assert Case.objects.count() == 0


def test_oversized_description_is_422(client, anji, token):
    # given / when
    resp = client.post(
        "/api/v1/cases", body(anji, description="长" * 20001), content_type="application/json", **auth(token)
    )
    # then
    assert resp.status_code == 422
    assert "description" in resp.json()["fields"]


def test_actions_and_conflicts(client, anji, token):
    # given
    number = client.post("/api/v1/cases", body(anji), content_type="application/json", **auth(token)).json()[
        "number"
    ]
    # when
    ok = client.post(
        f"/api/v1/cases/{number}/actions",
        {"action": "return", "reason": "非本辖区", "version": 1},
        content_type="application/json",
        **auth(token),
    )
    stale = client.post(
        f"/api/v1/cases/{number}/actions",
        {"action": "accept", "version": 1},
        content_type="application/json",
        **auth(token),
    )
    illegal = client.post(
        f"/api/v1/cases/{number}/actions", {"action": "close"}, content_type="application/json", **auth(token)
    )
    # then
    assert ok.status_code == 200
    assert ok.json()["return_count"] == 1
    assert stale.status_code == 409
    assert stale.json()["error"] == "version_conflict"
    assert illegal.status_code == 409
    assert illegal.json()["error"] == "illegal_transition"


def test_case_outside_jurisdiction_is_404(client, anji, token, staff_factory):
    # given: a case in one village, a handler of another village
    number = client.post("/api/v1/cases", body(anji), content_type="application/json", **auth(token)).json()[
        "number"
    ]
    other = api_token_create(
        staff=staff_factory(anji.org("village_committee", anji.other_village), ["handler"])
    )
    # when
    resp = client.get(f"/api/v1/cases/{number}", **auth(other))
    listing = client.get("/api/v1/cases", **auth(other))
    # then
    assert resp.status_code == 404
    assert resp.json()["error"] == "not_found"
    assert listing.json()["count"] == 0


def test_an_unknown_case_is_told_in_the_callers_language(client, token):
    # when
    zh = client.get("/api/v1/cases/330523-2026-999999", **auth(token))
    en = client.get("/api/v1/cases/330523-2026-999999", HTTP_ACCEPT_LANGUAGE="en", **auth(token))
    # then
    assert zh.status_code == en.status_code == 404
    assert zh.json() == {"error": "not_found", "message": "案件不存在。"}
    assert en.json() == {"error": "not_found", "message": "No such case."}


def test_an_unknown_filter_is_refused_in_the_callers_language(client, token):
    # when
    resp = client.get("/api/v1/cases?status=bogus", **auth(token))
    # then
    assert resp.status_code == 422
    assert resp.json() == {
        "error": "validation_failed",
        "message": "未知状态。",
        "fields": {"status": ["无效"]},
    }


def test_list_filters_and_paginates(client, anji, token):
    # given
    for _ in range(3):
        client.post("/api/v1/cases", body(anji), content_type="application/json", **auth(token))
    # when
    page = client.get("/api/v1/cases?status=triaged&page_size=2", **auth(token)).json()
    by_level = client.get("/api/v1/cases?level=county", **auth(token)).json()
    # then
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert by_level["count"] == 0


def test_deadline_endpoint(client, token):
    # given / when
    resp = client.get("/api/v1/deadlines?start=2026-02-10&days=7&unit=working", **auth(token))
    provisional = client.get("/api/v1/deadlines?start=2031-02-10&days=7&unit=working", **auth(token))
    unknown = client.get("/api/v1/deadlines?start=2100-02-10&days=7&unit=working", **auth(token))
    # then
    assert resp.json()["due_date"] == "2026-02-26"
    assert (resp.json()["provisional"], provisional.json()["provisional"]) == (False, True)
    assert unknown.status_code == 422
    assert unknown.json()["error"] == "calendar_year_unknown"


def test_reveal_is_logged(client, anji, token):
    # given
    data = client.post("/api/v1/cases", body(anji), content_type="application/json", **auth(token)).json()
    party_id = data["parties"][0]["id"]
    # when
    resp = client.post(
        f"/api/v1/cases/{data['number']}/parties/{party_id}/reveal?field=phone&reason=回访", **auth(token)
    )
    # then
    assert resp.json()["value"] == "13812345678"
    detail = client.get(f"/api/v1/cases/{data['number']}", **auth(token)).json()
    assert detail["events"][-1]["kind"] == "pii_revealed"


def test_openapi_document_is_served(client):
    # given / when
    resp = client.get("/api/v1/openapi.json")
    # then
    assert resp.status_code == 200
    assert "/api/v1/cases" in resp.json()["paths"]
