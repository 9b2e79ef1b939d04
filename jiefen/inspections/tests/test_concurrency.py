"""Two reports of the same grid and round at the same moment: one wins, the other is a 409, and
the loser leaves nothing behind (not even the case its finding would have registered)."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from jiefen.cases.models import Case
from jiefen.channels.models import GridMember
from jiefen.core.errors import DomainError
from jiefen.inspections.models import Entry, Round
from jiefen.inspections.services import EntryInput, FindingInput, inspection_report

from .conftest import CHECKLIST

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers are tested on PostgreSQL"
    ),
]


def test_two_simultaneous_reports_one_wins_one_conflicts(anji, schedules, grids, worker, staff_factory):
    other = staff_factory(anji.org("village_committee", anji.village), ["grid_worker"])
    GridMember.objects.create(grid=grids[0], staff=other)
    rnd = Round.objects.get(schedule=schedules[0], period_start=date(2026, 6, 8))
    results: list = [None, None]
    barrier = threading.Barrier(2)

    def report(i, who):
        try:
            barrier.wait()
            results[i] = inspection_report(
                reporter=who,
                data=EntryInput(
                    round_id=rnd.pk,
                    grid_id=grids[0].pk,
                    checked=CHECKLIST,
                    findings=[
                        FindingInput(
                            description=f"两户争吵（{i}）", applicant_name="赵六", category="neighbour"
                        )
                    ],
                ),
            )
        except DomainError as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=report, args=(i, w)) for i, w in enumerate((worker, other))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == 1 and errors[0].status == 409 and errors[0].code == "inspection_duplicate"
    assert Entry.objects.count() == 1 and Case.objects.count() == 1
