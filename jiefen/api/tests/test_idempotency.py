"""Idempotency-Key: a retry after a lost answer gets the first answer, never a second case."""

import json

import pytest

from jiefen.api.models import IdempotentRequest
from jiefen.cases.models import Case
from jiefen.channels.models import HotlineOrder
from jiefen.core import clock
from jiefen.directory.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(dispatcher):
    return api_token_create(staff=dispatcher)


def case_body(anji, description="邻居漏水纠纷"):
    return {
        "channel": "walk_in",
        "region_code": anji.village.code,
        "description": description,
        "category": "neighbour",
        "parties": [{"role": "applicant", "kind": "person", "name": "王小明", "phone": "13812345678"}],
    }


def post(client, token, body, key, path="/api/v1/cases"):
    raw = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return client.post(
        path,
        raw,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_the_same_key_and_body_get_the_same_answer_and_one_case(client, anji, token):
    # given
    first = post(client, token, case_body(anji), "k-1")
    # when: the retry sends the same body, serialised differently
    reordered = json.dumps(dict(reversed(list(case_body(anji).items()))), indent=2, ensure_ascii=False)
    again = post(client, token, reordered, "k-1")
    # then
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_with_a_stable_code(client, anji, token):
    # given
    post(client, token, case_body(anji), "k-2")
    # when
    other = post(client, token, case_body(anji, description="另一件事：工资拖欠"), "k-2")
    # then
    assert other.status_code == 422 and other.json()["error"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_without_a_key_or_with_another_key_each_request_registers(client, anji, token):
    # given / when
    post(client, token, case_body(anji), "k-3")
    post(client, token, case_body(anji), "k-4")
    client.post(
        "/api/v1/cases",
        case_body(anji),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    # then
    assert Case.objects.count() == 3


def test_keys_belong_to_one_caller(client, anji, token, staff_factory):
    # given
    other = api_token_create(staff=staff_factory(anji.org("county_centre"), ["dispatcher"], username="d2"))
    post(client, token, case_body(anji), "shared")
    # when
    theirs = post(client, other, case_body(anji), "shared")
    # then
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert Case.objects.count() == 2


def test_a_retry_while_the_first_runs_is_told_so_and_a_bad_key_is_refused(client, anji, token):
    # given: a request with this key is running (its row has no answer yet)
    import hashlib

    scope = hashlib.sha256(f"Bearer {token}".encode()).hexdigest()
    from jiefen.api.idempotency import _body_hash

    body = case_body(anji)
    IdempotentRequest.objects.create(
        scope=scope,
        operation="/api/v1/cases",
        key="running",
        body_hash=_body_hash(json.dumps(body).encode()),
        created_at=clock.now(),
    )
    # when
    running = post(client, token, body, "running")
    bad = post(client, token, body, "x" * 201)
    # then
    assert running.status_code == 409 and running.json()["error"] == "idempotency_in_progress"
    assert bad.status_code == 422 and bad.json()["error"] == "idempotency_key_invalid"
    assert not Case.objects.exists()


def test_the_12345_batch_honours_the_key(client, anji, token):
    # given
    orders = {
        "orders": [
            {
                "order_id": "ZJ12345-000001",
                "received_at": "2026-06-01 08:30:00",
                "caller": "张三",
                "phone": "13812340001",
                "address": "安吉县孝丰镇横溪坞村3组",
                "category": "邻里纠纷",
                "content": "邻居家装修噪音，晚上十点后还在施工",
            }
        ]
    }
    first = post(client, token, orders, "batch-1", path="/api/v1/channels/12345/orders")
    # when
    again = post(client, token, orders, "batch-1", path="/api/v1/channels/12345/orders")
    orders["orders"][0]["order_id"] = "ZJ12345-000002"
    other = post(client, token, orders, "batch-1", path="/api/v1/channels/12345/orders")
    # then
    assert first.status_code == 200 and first.json()["created"] == 1
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert other.status_code == 422 and other.json()["error"] == "idempotency_key_reused"
    assert HotlineOrder.objects.count() == 1
