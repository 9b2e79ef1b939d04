"""Two people act on one case at the same moment: one wins, the other gets a conflict."""

import threading

import pytest
from django.db import connection, connections

from jiefen.cases.models import Case, CaseEvent
from jiefen.cases.services import PartyInput, case_register, case_transition
from jiefen.core.errors import DomainError

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
]


def _run_in_threads(fns):
    results: list = [None] * len(fns)
    barrier = threading.Barrier(len(fns))

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except DomainError as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_simultaneous_accepts_one_wins_one_conflicts(anji, staff_factory):
    # given
    case = case_register(
        channel="walk_in",
        region=anji.village.code,
        description="噪音",
        category="neighbour",
        parties=[PartyInput(role="applicant", name="甲")],
    ).case
    a = staff_factory(case.lead_organization, ["handler"])
    b = staff_factory(case.lead_organization, ["handler"])
    # when
    results = _run_in_threads(
        [
            lambda: case_transition(case=case.number, actor=a, action="accept", version=1),
            lambda: case_transition(case=case.number, actor=b, action="accept", version=1),
        ]
    )
    # then
    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == 1
    assert errors[0].status == 409
    assert Case.objects.get(pk=case.pk).version == 2
    assert CaseEvent.objects.filter(case=case, kind="accept").count() == 1


def test_concurrent_registrations_get_unique_gap_free_numbers(anji):
    # given
    def reg():
        return case_register(
            channel="online",
            region=anji.village.code,
            description="纠纷",
            parties=[PartyInput(role="applicant", name="乙")],
        ).case.seq

    # when
    seqs = _run_in_threads([reg for _ in range(8)])
    # then
    assert sorted(seqs) == list(range(1, 9))
