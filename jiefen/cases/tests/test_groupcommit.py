"""Group commit: concurrent API registrations of one process share a transaction, each keeping
its own outcome."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, connections, transaction

from jiefen.cases import groupcommit
from jiefen.cases.models import Case, CaseEvent
from jiefen.cases.services import PartyInput, RegistrationRequest
from jiefen.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
threaded = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent transactions are tested on PostgreSQL"
)


def _request(anji, actor, i: int, *, region: str | None = None) -> RegistrationRequest:
    return RegistrationRequest(
        channel="walk_in",
        region=anji.village.code if region is None else region,
        description=f"邻居装修噪音扰民，晚上十点以后还在施工（第{i}户）",
        parties=[PartyInput(role="applicant", name=f"申请人{i}", phone=f"1381234{i:04d}")],
        actor=actor,
    )


def _in_threads(queue, requests) -> list:
    results: list = [None] * len(requests)

    def worker(i):
        try:
            results[i] = queue.register(requests[i])
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
        time.sleep(0.005)  # the first one leads
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.fixture
def slow_first_group(monkeypatch):
    """The first group waits until the others have queued behind it."""
    real = groupcommit.case_register_many
    state = {"first": True}

    def wrapped(requests, **kw):
        if state["first"]:
            state["first"] = False
            deadline = time.monotonic() + 10
            while len(state["queue"]._waiting) < state["others"] and time.monotonic() < deadline:
                time.sleep(0.01)
        return real(requests, **kw)

    monkeypatch.setattr(groupcommit, "case_register_many", wrapped)
    return state


@threaded
def test_requests_arriving_together_share_a_transaction(anji, staff_factory, slow_first_group):
    # given: eight staff members' requests, the first leading while seven queue
    from jiefen.cases.routing import county_centre

    staff = [staff_factory(county_centre(anji.county), ["clerk"]) for _i in range(8)]
    queue = groupcommit.RegistrationQueue(max_group=32)
    slow_first_group.update(queue=queue, others=7)
    # when
    results = _in_threads(queue, [_request(anji, s, i) for i, s in enumerate(staff)])
    # then: two groups (the leader alone, then the seven), every case its own, numbers gap-free
    assert not [r for r in results if isinstance(r, Exception)]
    assert queue.groups == 2
    seqs = sorted(r.case.seq for r in results)
    assert seqs == list(range(seqs[0], seqs[0] + 8))
    for r, s in zip(results, staff, strict=True):
        stored = Case.objects.get(pk=r.case.pk)
        assert stored.registered_by_id == s.pk
        assert list(CaseEvent.objects.filter(case=stored).values_list("actor_id", flat=True)) == [s.pk, s.pk]


@threaded
def test_a_refused_request_does_not_fail_its_group(anji, dispatcher, slow_first_group):
    # given: the leader, then three requests of which one names no known region
    queue = groupcommit.RegistrationQueue()
    slow_first_group.update(queue=queue, others=3)
    requests = [_request(anji, dispatcher, i) for i in range(4)]
    requests[2] = _request(anji, dispatcher, 2, region="999999999999")
    # when
    results = _in_threads(queue, requests)
    # then
    assert isinstance(results[2], ValidationFailed) and "region_code" in results[2].fields
    assert all(r.case.pk for i, r in enumerate(results) if i != 2)
    assert Case.objects.count() == 3


@threaded
def test_a_group_failing_as_a_whole_is_registered_one_by_one(anji, dispatcher, slow_first_group, monkeypatch):
    # given: the database refuses any group of more than one
    queue = groupcommit.RegistrationQueue()
    slow_first_group.update(queue=queue, others=3)
    inner = groupcommit.case_register_many

    def refuse_groups(requests, **kw):
        if len(requests) > 1:
            raise OperationalError("could not serialize access")
        return inner(requests, **kw)

    monkeypatch.setattr(groupcommit, "case_register_many", refuse_groups)
    # when
    results = _in_threads(queue, [_request(anji, dispatcher, i) for i in range(4)])
    # then: every request went in alone
    assert not [r for r in results if isinstance(r, Exception)]
    assert Case.objects.count() == 4


def test_a_lone_request_is_registered_at_once(anji, dispatcher):
    # given
    queue = groupcommit.RegistrationQueue()
    # when
    reg = queue.register(_request(anji, dispatcher, 1))
    # then
    assert queue.groups == 1
    assert Case.objects.get(pk=reg.case.pk).registered_by_id == dispatcher.pk


def test_inside_a_transaction_a_request_is_registered_in_it(anji, dispatcher):
    # given
    queue = groupcommit.RegistrationQueue()
    # when: the caller's transaction rolls back
    with pytest.raises(RuntimeError), transaction.atomic():
        queue.register(_request(anji, dispatcher, 1))
        raise RuntimeError
    # then: its case went with it, and no group was formed
    assert queue.groups == 0
    assert not Case.objects.exists()


@threaded
def test_a_leader_waits_for_a_request_already_being_read(anji, dispatcher, settings):
    # given: a request this process is still reading (counted by ArrivalMiddleware) that joins
    # the queue 50 ms after the first request
    settings.JIEFEN_GROUP_COMMIT_WAIT_MS = 5000
    queue = groupcommit.RegistrationQueue()
    arrived = threading.Event()
    results: list = [None, None]

    def late():
        try:
            queue.arrive()
            arrived.set()
            time.sleep(0.05)  # authentication, parsing …
            results[1] = queue.register(_request(anji, dispatcher, 2))
        finally:
            connections.close_all()

    t = threading.Thread(target=late)
    t.start()
    arrived.wait(10)
    # when
    results[0] = queue.register(_request(anji, dispatcher, 1))
    t.join(30)
    # then: both went in with one group (one transaction), numbers in a row
    assert queue.groups == 1
    assert sorted(r.case.seq for r in results) == [results[0].case.seq, results[0].case.seq + 1]


@threaded
def test_a_leader_expects_as_many_requests_as_its_previous_group_had(anji, dispatcher, settings):
    # given: the previous group had two requests; the second of the next two comes 50 ms late
    settings.JIEFEN_GROUP_COMMIT_WAIT_MS = 5000
    queue = groupcommit.RegistrationQueue()
    queue._last = 2
    results: list = [None, None]

    def late():
        try:
            time.sleep(0.05)
            results[1] = queue.register(_request(anji, dispatcher, 2))
        finally:
            connections.close_all()

    t = threading.Thread(target=late)
    t.start()
    # when
    started = time.monotonic()
    results[0] = queue.register(_request(anji, dispatcher, 1))
    t.join(30)
    # then: one group, registered as soon as the late request joined — not after the leader's
    # whole 5 s wait (the late request never passed the middleware, yet it wakes the leader)
    assert queue.groups == 1 and queue._last == 2
    assert time.monotonic() - started < 2.5
    # and a group of one makes the next leader expect one (no waiting)
    queue._last = 1
    started = time.monotonic()
    queue.register(_request(anji, dispatcher, 3))
    assert queue.groups == 2 and time.monotonic() - started < 4


@threaded
def test_a_leader_waits_no_longer_than_the_setting(anji, dispatcher, settings):
    # given: a request being read that never joins (it fails) until 5 s later
    settings.JIEFEN_GROUP_COMMIT_WAIT_MS = 50
    queue = groupcommit.RegistrationQueue()
    arrived, registered = threading.Event(), threading.Event()

    def failing():
        queue.arrive()
        arrived.set()
        registered.wait(5)
        queue.departed()

    t = threading.Thread(target=failing)
    t.start()
    arrived.wait(10)
    # when
    reg = queue.register(_request(anji, dispatcher, 1))
    # then: registered alone, while the other request was still being read
    still_reading = queue._arriving == 1
    registered.set()
    t.join(10)
    assert reg.case.pk and queue.groups == 1 and still_reading
    assert queue._arriving == 0


def test_the_middleware_counts_a_request_until_it_joins_or_fails(anji, dispatcher, client):
    from jiefen.directory.services import api_token_create

    token = api_token_create(staff=dispatcher)
    body = {
        "channel": "walk_in",
        "region_code": anji.village.code,
        "description": "邻居装修噪音扰民",
        "parties": [{"role": "applicant", "kind": "person", "name": "王小明", "phone": "13812345678"}],
    }
    # a registration, a refused one, one without a token: each leaves the count at zero
    for payload, auth, status in [
        (body, f"Bearer {token}", 201),
        ({**body, "region_code": "999999999999"}, f"Bearer {token}", 422),
        (body, "", 401),
    ]:
        response = client.post(
            "/api/v1/cases", data=payload, content_type="application/json", HTTP_AUTHORIZATION=auth
        )
        assert response.status_code == status
        assert groupcommit.registrations._arriving == 0
