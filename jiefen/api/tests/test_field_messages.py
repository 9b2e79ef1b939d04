"""A bad field in an API request is explained in the caller's language (zh-Hans by default),
with pydantic's limits and choices filled in; no English reaches a Chinese client."""

import re

import pytest

from jiefen.directory.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def headers(dispatcher):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=dispatcher)}"}


def bad_body(anji):
    return {
        # description: missing; parties: not a list
        "channel": "walk_in",
        "region_code": anji.village.code,
        "category": "neighbour",
        "parties": "王小明",
    }


def test_bad_fields_are_explained_in_chinese(client, anji, headers):
    # when
    resp = client.post(
        "/api/v1/cases",
        bad_body(anji),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        **headers,
    )
    # then
    assert resp.status_code == 422
    data = resp.json()
    assert data["error"] == "validation_failed"
    assert data["fields"]["description"] == ["此字段为必填项。"]
    assert data["fields"]["parties"] == ["请提供列表。"]
    # nothing but the quoted choices is Latin
    for messages in data["fields"].values():
        for message in messages:
            assert not re.findall(r"[A-Za-z]{3,}", re.sub(r"'[^']*'", "", message)), message


def test_bad_fields_are_explained_in_english_when_asked(client, anji, headers):
    resp = client.post(
        "/api/v1/cases", bad_body(anji), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **headers
    )
    assert resp.json()["fields"]["description"] == ["This field is required."]


def test_limits_are_filled_in(client, anji, headers):
    # a query parameter below its minimum
    resp = client.get("/api/v1/cases?page_size=0", HTTP_ACCEPT_LANGUAGE="zh-hans", **headers)
    assert resp.status_code == 422
    (message,) = resp.json()["fields"]["page_size"]
    assert re.fullmatch(r"请输入不小于 ?\d+ ?的值。", message), message
