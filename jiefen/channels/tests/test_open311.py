from xml.etree import ElementTree as ET

import jsonschema
import pytest

from jiefen.cases.models import Case
from jiefen.cases.services import PartyInput, case_register
from jiefen.channels.models import Open311Token
from jiefen.channels.tests import georeport_v2_schemas as S

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


def validate(resp, schema):
    assert resp["Content-Type"].startswith("application/json")
    data = resp.json()
    jsonschema.validate(data, schema)
    return data


def xml(resp):
    assert resp["Content-Type"].startswith("text/xml")
    return ET.fromstring(resp.content)


@pytest.fixture
def a_case(anji, dispatcher, frozen_now):
    return case_register(
        channel="walk_in",
        region=anji.village.code,
        description="邻居装修噪音扰民，电话13812345678",
        category="neighbour",
        parties=[PartyInput(role="applicant", name="王小明", phone="13812345678")],
        actor=dispatcher,
    ).case


@pytest.fixture
def public_case(anji, dispatcher, frozen_now):
    """A case submitted through Open311 in a category marked public."""
    from jiefen.core import clock

    case = case_register(
        channel="online",
        region=anji.village.code,
        description="河道有人倒垃圾，电话13812345678",
        category="environment",
        parties=[PartyInput(role="applicant", name="王小明", phone="13812345678")],
        actor=dispatcher,
    ).case
    Open311Token.objects.create(token="t-public", case=case, created_at=clock.now())
    return case


def test_the_public_feed_lists_only_open311_cases_in_public_categories(
    client, anji, a_case, public_case, dispatcher
):
    # given: a family matter submitted through Open311, a neighbour matter from the window
    from jiefen.core import clock

    family = case_register(
        channel="online",
        region=anji.village.code,
        description="离婚后孩子抚养费不给",
        category="family",
        parties=[PartyInput(role="applicant", name="赵六", phone="13912345678")],
        actor=dispatcher,
    ).case
    Open311Token.objects.create(token="t-family", case=family, created_at=clock.now())
    # when
    listed = client.get(f"{BASE}/requests.json").json()
    detail_family = client.get(f"{BASE}/requests/{family.number}.json")
    detail_window = client.get(f"{BASE}/requests/{a_case.number}.json")
    # then
    assert [r["service_request_id"] for r in listed] == [public_case.number]
    assert detail_family.status_code == detail_window.status_code == 404


def test_discovery(client):
    # given / when
    data = validate(client.get(f"{BASE}/discovery.json"), S.DISCOVERY)
    root = xml(client.get(f"{BASE}/discovery.xml"))
    # then
    assert data["endpoints"][0]["url"].endswith("/open311/v2/")
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_services_are_the_dispute_categories(client, anji):
    # given / when
    data = validate(client.get(f"{BASE}/services.json"), S.SERVICES)
    root = xml(client.get(f"{BASE}/services.xml"))
    # then
    assert {s["service_code"] for s in data} >= {"family", "neighbour", "labour", "other"}
    assert root.tag == "services" and {c.tag for c in root} == {"service"}
    assert {e.tag for e in root[0]} == S.XML_SERVICE_FIELDS
    assert root[0].find("metadata").text == "true"


def test_service_definition(client):
    # given / when
    data = validate(client.get(f"{BASE}/services/labour.json"), S.SERVICE_DEFINITION)
    root = xml(client.get(f"{BASE}/services/labour.xml"))
    missing = client.get(f"{BASE}/services/nope.json")
    # then
    assert data["service_code"] == "labour"
    assert root.tag == "service_definition" and root.find("attributes/attribute/code").text == "request"
    assert missing.status_code == 404
    jsonschema.validate(missing.json(), S.ERRORS)


def test_requests_public_list_hides_personal_data(client, public_case):
    # given / when
    data = validate(client.get(f"{BASE}/requests.json"), S.SERVICE_REQUESTS)
    root = xml(client.get(f"{BASE}/requests.xml"))
    # then
    [row] = data
    assert row["service_request_id"] == public_case.number and row["status"] == "open"
    assert row["description"] == "" and "13812345678" not in str(data)
    assert row["address_id"] == public_case.region.code
    assert root.tag == "service_requests" and root[0].tag == "request"
    assert {e.tag for e in root[0]} == S.XML_REQUEST_FIELDS


def test_requests_with_api_key_show_description_in_jurisdiction(client, a_case, token):
    # given / when
    data = validate(client.get(f"{BASE}/requests.json", {"api_key": token}), S.SERVICE_REQUESTS)
    # then
    assert data[0]["description"].startswith("邻居装修")


def test_requests_filters(client, public_case):
    # given / when
    by_id = client.get(f"{BASE}/requests.json", {"service_request_id": public_case.number}).json()
    closed = client.get(f"{BASE}/requests.json", {"status": "closed"}).json()
    other_code = client.get(f"{BASE}/requests.json", {"service_code": "labour"}).json()
    window = client.get(
        f"{BASE}/requests.json",
        {"start_date": "2026-03-01T00:00:00+08:00", "end_date": "2026-03-03T00:00:00+08:00"},
    ).json()
    bad_date = client.get(f"{BASE}/requests.json", {"start_date": "yesterday"})
    bad_status = client.get(f"{BASE}/requests.xml", {"status": "pending"})
    # then
    assert [r["service_request_id"] for r in by_id] == [public_case.number]
    assert closed == [] and other_code == []
    assert len(window) == 1
    assert bad_date.status_code == 400
    jsonschema.validate(bad_date.json(), S.ERRORS)
    root = xml(bad_status)
    assert bad_status.status_code == 400
    assert root.tag == "errors" and root[0].tag == "error" and root[0].find("code").text == "400"


def test_request_detail_and_not_found(client, public_case):
    # given / when
    data = validate(client.get(f"{BASE}/requests/{public_case.number}.json"), S.SERVICE_REQUESTS)
    root = xml(client.get(f"{BASE}/requests/{public_case.number}.xml"))
    missing = client.get(f"{BASE}/requests/330523-2026-999999.json")
    # then
    assert data[0]["service_request_id"] == public_case.number
    assert root.find("request/service_request_id").text == public_case.number
    assert missing.status_code == 404
    jsonschema.validate(missing.json(), S.ERRORS)


def test_post_creates_a_case_and_token_lookup(client, anji, token, frozen_now):
    # given
    form = {
        "api_key": token,
        "service_code": "neighbour",
        "address_id": anji.village.code,
        "description": "楼上漏水<script>alert(1)</script>",
        "first_name": "小明",
        "last_name": "王",
        "phone": "13812345678",
        "attribute[request]": "修好水管",
    }
    # when
    resp = client.post(f"{BASE}/requests.json", form)
    # then
    assert resp.status_code == 201
    data = validate(resp, S.POST_RESPONSE)
    case = Case.objects.get(number=data[0]["service_request_id"])
    assert case.village == anji.village and case.request == "修好水管"
    assert case.description == "楼上漏水<script>alert(1)</script>"  # stored as text
    assert case.parties.get().name == "王小明"
    tok = Open311Token.objects.get(case=case).token
    looked = validate(client.get(f"{BASE}/tokens/{tok}.json"), S.TOKENS)
    assert looked == [{"service_request_id": case.number, "token": tok}]
    assert xml(client.get(f"{BASE}/tokens/{tok}.xml")).find("request/token").text == tok


def test_post_xml_by_address_string(client, anji, token, frozen_now):
    # given / when
    resp = client.post(
        f"{BASE}/requests.xml",
        {
            "api_key": token,
            "service_code": "labour",
            "address_string": "孝丰镇夏阳村",
            "description": "拖欠工资三个月",
        },
    )
    # then
    root = xml(resp)
    assert resp.status_code == 201 and root.tag == "service_requests"
    assert Case.objects.get(number=root.find("request/service_request_id").text).village == anji.village2


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"service_code": "labour", "address_string": "x", "description": "d"}, 403),
        ({"api_key": "jf_wrong", "service_code": "labour", "address_string": "x", "description": "d"}, 403),
        ({"api_key": "TOKEN", "address_string": "x", "description": "d"}, 400),
        ({"api_key": "TOKEN", "service_code": "nope", "address_string": "x", "description": "d"}, 404),
        ({"api_key": "TOKEN", "service_code": "labour", "description": "d"}, 400),
        (
            {"api_key": "TOKEN", "service_code": "labour", "address_id": "110101000000", "description": "d"},
            400,
        ),
        ({"api_key": "TOKEN", "service_code": "labour", "address_string": "孝丰镇", "description": ""}, 400),
    ],
)
def test_post_errors_follow_the_spec(client, anji, token, frozen_now, form, status):
    # given
    form = {k: (token if v == "TOKEN" else v) for k, v in form.items()}
    # when
    resp = client.post(f"{BASE}/requests.json", form)
    # then
    assert resp.status_code == status
    data = validate(resp, S.ERRORS)
    assert data[0]["code"] == status
    assert not Case.objects.exists()


def test_unknown_format_and_jurisdiction(client):
    # given / when
    fmt = client.get(f"{BASE}/services.csv")
    jur = client.get(f"{BASE}/services.json", {"jurisdiction_id": "999999"})
    # then
    assert fmt.status_code == 404 and xml(fmt).tag == "errors"
    assert jur.status_code == 404


def test_floods_from_one_address_are_refused_in_the_spec_format(client):
    # given
    for _ in range(120):
        client.get(f"{BASE}/services.json")
    # when
    resp = client.get(f"{BASE}/services.json")
    # then
    assert resp.status_code == 429
    jsonschema.validate(resp.json(), S.ERRORS)


@pytest.mark.parametrize(
    ("lat", "long"),
    [("abc", "119.68"), ("91", "119.68"), ("30.6", "-181"), ("nan", "119.68"), ("inf", "1"), ("30.6", "")],
)
def test_post_refuses_a_point_that_is_not_one(client, anji, token, frozen_now, lat, long):
    # given
    form = {"api_key": token, "service_code": "labour", "description": "拖欠工资", "lat": lat, "long": long}
    # when
    resp = client.post(f"{BASE}/requests.json", form)
    # then
    assert resp.status_code == 400
    jsonschema.validate(resp.json(), S.ERRORS)
    assert not Case.objects.exists()


def test_post_with_a_real_point_is_taken(client, anji, token, frozen_now):
    # given / when
    resp = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": token,
            "service_code": "labour",
            "description": "拖欠工资",
            "lat": "30.64",
            "long": "119.68",
        },
    )
    # then
    assert resp.status_code == 201
