"""Confirmations and a new version at the same moment (PostgreSQL row locks): the agreement is
final once, and no confirmation of a superseded version stays valid."""

from __future__ import annotations

import pytest
from django.db import connection

from jiefen.cases.models import CaseEvent
from jiefen.cases.tests.test_concurrency import _run_in_threads
from jiefen.core.errors import DomainError
from jiefen.mediation_room import services
from jiefen.mediation_room.models import TermsConfirmation, TermsVersion
from jiefen.mediation_room.tests.conftest import APPLICANT_PHONE, RESPONDENT_PHONE, last_code

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
]


def test_two_parties_confirming_at_once_make_it_final_once(procedure, parties, mediator):
    # given
    applicant, respondent = parties
    terms = services.terms_propose(procedure=procedure, actor=mediator, text="李四停止夜间施工")
    services.confirm_code_send(terms=terms, party=applicant)
    services.confirm_code_send(terms=terms, party=respondent)
    a, b = last_code(APPLICANT_PHONE), last_code(RESPONDENT_PHONE)
    # when
    results = _run_in_threads(
        [
            lambda: services.terms_confirm(terms=terms, party=applicant, code=a),
            lambda: services.terms_confirm(terms=terms, party=respondent, code=b),
        ]
    )
    # then
    assert not [r for r in results if isinstance(r, DomainError)]
    assert TermsVersion.objects.get(pk=terms.pk).final_at is not None
    assert CaseEvent.objects.filter(case=procedure.case, kind="terms_final").count() == 1


def test_a_confirmation_racing_a_new_version_never_stays_valid_on_the_old_one(procedure, parties, mediator):
    # given
    applicant, _ = parties
    v1 = services.terms_propose(procedure=procedure, actor=mediator, text="李四停止夜间施工")
    services.confirm_code_send(terms=v1, party=applicant)
    code = last_code(APPLICANT_PHONE)
    # when
    results = _run_in_threads(
        [
            lambda: services.terms_confirm(terms=v1, party=applicant, code=code),
            lambda: services.terms_propose(
                procedure=procedure, actor=mediator, text="李四停止夜间施工，赔偿五百元"
            ),
        ]
    )
    # then: either the confirmation came first and was voided, or it was refused as outdated
    valid_on_v1 = TermsConfirmation.objects.filter(terms=v1, voided_at__isnull=True).count()
    errors = [r.code for r in results if isinstance(r, DomainError)]
    assert valid_on_v1 == 0
    assert errors in ([], ["terms_outdated"])
    assert TermsVersion.objects.filter(procedure=procedure, superseded_at__isnull=True).count() == 1
