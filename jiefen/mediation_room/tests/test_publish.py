"""With Redis configured, a new message is published on the room's channel; without, nothing
breaks (the pages poll)."""

from __future__ import annotations

import time

import pytest

from jiefen.mediation_room import services

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REDIS = "redis://127.0.0.1:6379/0"


def _redis():
    try:
        import redis

        client = redis.Redis.from_url(REDIS, socket_timeout=1)
        client.ping()
        return client
    except Exception:
        pytest.skip("Redis is not running on 127.0.0.1:6379")


def test_a_message_is_published_through_redis(settings, procedure, mediator):
    # given
    client = _redis()
    settings.JIEFEN_ROOM_PUBLISH_URL = REDIS
    sub = client.pubsub()
    sub.subscribe(f"jiefen:room:{procedure.pk}")
    sub.get_message(timeout=1)  # the subscription's confirmation
    # when
    msg = services.message_post(procedure=procedure, text="请双方准时上线", staff=mediator)
    # then
    got = None
    deadline = time.monotonic() + 5
    while got is None and time.monotonic() < deadline:
        got = sub.get_message(timeout=0.5)
    sub.close()
    assert got is not None and got["data"] == str(msg.pk).encode()


def test_a_redis_that_is_away_does_not_stop_a_message(settings, procedure, mediator):
    # given
    settings.JIEFEN_ROOM_PUBLISH_URL = "redis://127.0.0.1:1/0"
    # when
    msg = services.message_post(procedure=procedure, text="网络不好也能发", staff=mediator)
    # then
    assert msg.pk is not None


def test_with_redis_a_poll_that_has_seen_the_newest_message_does_not_read_the_messages(
    settings, procedure, mediator, client, parties
):
    # given: Redis configured, a party in the room, one message seen
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiefen.mediation_room.tests.conftest import APPLICANT_PHONE
    from jiefen.mediation_room.tests.test_web import enter

    _redis().delete(services._latest_key(procedure.pk))
    settings.JIEFEN_ROOM_PUBLISH_URL = REDIS
    first = services.message_post(procedure=procedure, text="请双方准时上线", staff=mediator)
    enter(client, procedure, APPLICANT_PHONE)
    url = f"/room/{procedure.pk}/in/messages/"
    # when: the party polls after the newest message, then a new one is posted
    with CaptureQueriesContext(connection) as seen:
        quiet = client.get(url, {"after": first.pk})
    second = services.message_post(procedure=procedure, text="材料已收到", staff=mediator)
    fresh = client.get(url, {"after": first.pk})
    # then: the first poll read no message row; the next one shows the new message
    assert quiet.status_code == 200 and "请双方准时上线" not in quiet.content.decode()
    assert not [q for q in seen.captured_queries if "mediation_room_roommessage" in q["sql"]]
    assert "材料已收到" in fresh.content.decode() and services.room_latest(procedure.pk) == second.pk
