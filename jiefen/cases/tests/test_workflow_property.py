"""Random sequences of actions never reach a state the table forbids and never lose an event."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiefen.cases import workflow
from jiefen.cases.choices import Status
from jiefen.cases.models import Case, CaseEvent
from jiefen.cases.services import case_transition
from jiefen.cases.tests.helpers import register
from jiefen.core.errors import DomainError
from jiefen.directory.models import Staff

pytestmark = pytest.mark.django_db

ACTION_CODES = sorted(workflow.ACTIONS)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(st.sampled_from(ACTION_CODES), min_size=1, max_size=25))
def test_random_action_sequences_respect_the_table(anji, actions):
    # given
    admin = Staff.objects.filter(username="prop-admin").first() or Staff.objects.create_user(
        username="prop-admin",
        password="pw-123456789",
        organization=anji.org("county_centre"),
        roles=["admin", "dispatcher", "handler", "leader", "clerk"],
    )
    case = register(anji.village)
    events_before = CaseEvent.objects.filter(case=case).count()
    accepted_moves = 0
    for action in actions:
        before = Case.objects.get(pk=case.pk).status
        # when
        try:
            case_transition(
                case=case.number,
                actor=admin,
                action=action,
                reason="理由",
                organization=anji.org("town_centre", anji.town),
                statutory_route="litigation",
                legal_route="向人民法院起诉",
            )
        except DomainError:
            after = Case.objects.get(pk=case.pk).status
            # then: a refused move changes nothing
            assert after == before
            continue
        accepted_moves += 1
        after = Case.objects.get(pk=case.pk).status
        # then: the move is one the table allows, and it left exactly one event
        assert after in workflow.TRANSITIONS[before]
        assert after in Status.values
    # one event per accepted move (closing adds follow-up entries of other kinds on top)
    assert CaseEvent.objects.filter(case=case, kind__in=list(workflow.ACTIONS)).count() == accepted_moves
    assert CaseEvent.objects.filter(case=case).count() >= events_before + accepted_moves
    assert Case.objects.get(pk=case.pk).version == 1 + accepted_moves
