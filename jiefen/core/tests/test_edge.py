"""The input gate (core.edge): what the databases cannot store is refused before any view, in
the format of the part of the site it was sent to. Runs on SQLite and on PostgreSQL (the suite
runs on both): before the gate, each of these answered 500 on PostgreSQL."""

import pytest

from jiefen.cases.models import Case
from jiefen.directory.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(dispatcher):
    return api_token_create(staff=dispatcher)


def auth(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def case_body(anji, **kw):
    data = {
        "channel": "walk_in",
        "region_code": anji.village.code,
        "description": "邻居漏水纠纷",
        "category": "neighbour",
        "parties": [{"role": "applicant", "kind": "person", "name": "王小明", "phone": "13812345678"}],
    }
    data.update(kw)
    return data


@pytest.mark.parametrize(
    "change, field",
    [
        ({"description": "a\u0000b"}, "description"),
        ({"received_at": "2026-06-14T20:00:00+20:00"}, "received_at"),
        ({"received_at": "2026-06-14T08:00:00-1600"}, "received_at"),
        ({"description": "a\ud800b"}, "description"),
        (
            {
                "parties": [
                    {"role": "applicant", "kind": "person", "name": "王\u0000", "phone": "13812345678"}
                ]
            },
            "parties[0].name",
        ),
    ],
)
def test_api_registration_refuses_what_the_database_cannot_store(client, anji, token, change, field):
    # given / when
    resp = client.post(
        "/api/v1/cases", case_body(anji, **change), content_type="application/json", **auth(token)
    )
    # then
    assert resp.status_code == 422
    body = resp.json()
    assert body["error"] == "validation_failed" and field in body["fields"]
    assert not Case.objects.exists()


def test_an_offset_within_the_limit_and_an_emoji_are_accepted(client, anji, token):
    # given / when
    resp = client.post(
        "/api/v1/cases",
        case_body(anji, description="漏水 😀", received_at="2026-03-02T10:00:00+14:00"),
        content_type="application/json",
        **auth(token),
    )
    # then
    assert resp.status_code == 201, resp.content


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/330523-2026%00",
        "/api/v1/cases?region=33%00",
        "/api/v1/cases?level=%00",
        "/api/v1/channels/12345/replies?since=2026-12-02T20:00:00%2B20:00",
    ],
)
def test_api_reads_refuse_nul_and_bad_offsets_in_the_json_error_format(client, anji, token, url):
    # given / when
    resp = client.get(url, **auth(token))
    # then
    assert resp.status_code == 422
    assert resp["Content-Type"].startswith("application/json")
    assert resp.json()["error"] == "validation_failed"


def test_anonymous_pages_refuse_nul(client, anji):
    # given / when
    portal = client.get("/portal/regions/?county=33%00")
    open311 = client.get("/open311/v2/requests.json?service_code=a%00")
    open311_xml = client.get("/open311/v2/requests.xml?service_code=a%00")
    # then
    assert portal.status_code == 400
    assert open311.status_code == 400 and open311.json()[0]["code"] == 400
    assert open311_xml.status_code == 400 and b"<errors>" in open311_xml.content


def test_the_refusal_speaks_the_callers_language(client, anji, token):
    # given / when
    zh = client.get("/api/v1/cases?level=%00", **auth(token))
    en = client.get("/api/v1/cases?level=%00", HTTP_ACCEPT_LANGUAGE="en", **auth(token))
    # then
    assert en.json()["message"] == "The request has invalid fields."
    assert zh.json()["message"] != en.json()["message"]


def test_a_body_over_the_limit_answers_413_in_the_json_error_format(client, anji, token, settings):
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    # when
    resp = client.post(
        "/api/v1/cases",
        case_body(anji, description="长" * 2000),
        content_type="application/json",
        **auth(token),
    )
    # then
    assert resp.status_code == 413
    assert resp.json()["error"] == "payload_too_large"


def test_grid_act_with_a_version_that_is_no_number_is_refused_not_a_server_error(client, anji, staff_factory):
    # given
    from jiefen.channels.models import GridMember
    from jiefen.regions.models import Grid

    grid = Grid.objects.create(village=anji.village, code="330523101201-01", name="横溪坞第一网格")
    worker = staff_factory(anji.org("village_committee", anji.village), ["grid_worker"], username="gw")
    GridMember.objects.create(grid=grid, staff=worker)
    from jiefen.channels.grid import grid_report

    case = grid_report(worker=worker, grid=grid, description="邻居噪音", applicant_name="赵六").case
    client.force_login(worker)
    # when
    resp = client.post(f"/grid/cases/{case.number}/act/", {"action": "accept", "version": "abc"})
    huge = client.post(f"/grid/cases/{case.number}/act/", {"action": "accept", "version": "9" * 30})
    # then
    assert resp.status_code == 302 and huge.status_code == 302
    case.refresh_from_db()
    assert case.status == "triaged"
