"""`POST /api/v1/triage/classify` (needs the router registered in jiefen.api.router)."""

from __future__ import annotations

import pytest

from jiefen.directory.services import api_token_create

URL = "/api/v1/triage/classify"


@pytest.fixture
def auth(dispatcher):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=dispatcher)}"}


def test_classify_returns_category_confidence_top_and_keywords(client, auth):
    resp = client.post(
        URL,
        {"text": "市民来电反映：楼上住户卫生间漏水，多次协商无果。"},
        content_type="application/json",
        **auth,
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert set(body) == {"category", "confidence", "top", "keywords", "needs_review"}
    assert body["category"] == "neighbour"
    assert body["top"][0][0] == "neighbour" and len(body["top"]) == 3
    assert 0 < body["confidence"] <= 1
    assert "漏水" in body["keywords"]


def test_traditional_text(client, auth):
    resp = client.post(URL, {"text": "老闆拖欠工資三個月"}, content_type="application/json", **auth)
    assert resp.status_code == 200 and resp.json()["category"] == "labour"


@pytest.mark.parametrize("text", ["", "   ", "<p></p>"])
def test_empty_text_is_422(client, auth, text):
    resp = client.post(URL, {"text": text}, content_type="application/json", **auth)
    assert resp.status_code == 422
    body = resp.json()
    assert body["error"] == "validation_failed" and "text" in body["fields"]


@pytest.mark.parametrize(
    "payload",
    [{}, {"text": None}, {"text": 12}, {"text": "字" * 100_001}, {"words": "楼上漏水"}],
)
def test_bad_bodies_are_422(client, auth, payload):
    resp = client.post(URL, payload, content_type="application/json", **auth)
    assert resp.status_code == 422
    assert resp.json()["error"] == "validation_failed"


@pytest.mark.parametrize("text", ["a", "😀", "'; DROP TABLE cases; --", "<b>物业</b>费", "欠薪" * 50_000])
def test_odd_texts_get_an_answer(client, auth, text):
    resp = client.post(URL, {"text": text}, content_type="application/json", **auth)
    assert resp.status_code == 200
    assert resp.json()["category"]


def test_malformed_json_is_not_a_500(client, auth):
    resp = client.post(URL, "{not json", content_type="application/json", **auth)
    assert 400 <= resp.status_code < 500


def test_token_required(client, db):
    resp = client.post(URL, {"text": "楼上漏水"}, content_type="application/json")
    assert resp.status_code == 401
