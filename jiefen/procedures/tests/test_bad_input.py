"""Bad input is refused with a stable code, and nothing changes."""

from datetime import date

import pytest

from jiefen.cases.models import CaseEvent
from jiefen.procedures import services
from jiefen.procedures.models import Agreement, Procedure, ProcedureStep, StepExtension
from jiefen.procedures.services import ActInput
from jiefen.procedures.tests.conftest import at

pytestmark = pytest.mark.django_db


def snapshot(case):
    return (
        CaseEvent.objects.filter(case=case).count(),
        list(Procedure.objects.filter(case=case).values_list("status", "state", "version")),
        list(
            ProcedureStep.objects.filter(case=case).values_list("code", "due_at", "extended_days", "ended_at")
        ),
        StepExtension.objects.count(),
        Agreement.objects.count(),
    )


@pytest.fixture
def mediation(travel, accepted_case, mediator):
    travel(at(2026, 9, 1))
    case = accepted_case()
    proc = services.procedure_start(case=case, actor=mediator, kind="people_mediation")
    return case, proc


def post(client, url, body, auth):
    return client.post(url, body, content_type="application/json", **auth)


def test_a_date_before_the_case_was_received_is_refused(client, mediation, mediator, token):
    # given
    case, proc = mediation
    before = snapshot(case)
    # when
    resp = post(
        client,
        f"/api/v1/procedures/{proc.pk}/actions",
        {"action": "record_agreement", "terms": "赔偿", "on": "2026-08-31"},
        token(mediator),
    )
    resp2 = post(
        client,
        f"/api/v1/cases/{case.number}/procedures",
        {"kind": "entrusted_mediation", "on": "2026-08-01"},
        token(mediator),
    )
    # then
    assert (resp.status_code, resp.json()["error"]) == (422, "date_before_received")
    assert (resp2.status_code, resp2.json()["error"]) == (422, "date_before_received")
    assert snapshot(case) == before


def test_a_date_in_the_future_is_refused(client, mediation, mediator, token):
    case, proc = mediation
    resp = post(
        client,
        f"/api/v1/procedures/{proc.pk}/actions",
        {"action": "record_agreement", "terms": "赔偿", "on": "2026-09-02"},
        token(mediator),
    )
    assert (resp.status_code, resp.json()["error"]) == (422, "date_in_future")


def test_judicial_confirmation_after_its_30_days_is_refused(client, travel, mediation, mediator, token, anji):
    # given: the agreement took effect on 1 Sep; the 30 days end on 8 Oct (after National Day)
    case, proc = mediation
    services.procedure_act(
        procedure=proc, actor=mediator, action="record_agreement", data=ActInput(terms="赔偿500元")
    )
    auth = token(mediator)
    travel(at(2026, 10, 8))
    jc = post(
        client, f"/api/v1/cases/{case.number}/procedures", {"kind": "judicial_confirmation"}, auth
    ).json()
    before = snapshot(case)
    # when: filed on 9 Oct
    travel(at(2026, 10, 9))
    late = post(
        client,
        f"/api/v1/procedures/{jc['id']}/actions",
        {"action": "file_application", "court_id": anji.org("court").pk},
        auth,
    )
    # then
    assert (late.status_code, late.json()["error"]) == (409, "deadline_passed")
    assert snapshot(case) == before
    # and on the last day it is accepted
    ok = post(
        client,
        f"/api/v1/procedures/{jc['id']}/actions",
        {"action": "file_application", "on": "2026-10-08", "court_id": anji.org("court").pk},
        auth,
    )
    assert ok.status_code == 200


def test_starting_judicial_confirmation_after_the_window_is_refused(travel, mediation, mediator):
    case, proc = mediation
    services.procedure_act(
        procedure=proc, actor=mediator, action="record_agreement", data=ActInput(terms="赔偿")
    )
    travel(at(2026, 10, 9))
    before = snapshot(case)
    with pytest.raises(Exception) as exc:
        services.procedure_start(case=case, actor=mediator, kind="judicial_confirmation")
    assert exc.value.code == "deadline_passed"
    assert snapshot(case) == before


def test_judicial_confirmation_needs_an_agreement(client, mediation, mediator, token):
    case, _proc = mediation
    resp = post(
        client, f"/api/v1/cases/{case.number}/procedures", {"kind": "judicial_confirmation"}, token(mediator)
    )
    assert (resp.status_code, resp.json()["error"]) == (409, "agreement_required")


def test_an_extension_beyond_its_bound_is_refused(client, travel, mediation, mediator, leader, token, anji):
    # given: a court decision step (15 days, +10 with the president's approval)
    case, proc = mediation
    services.procedure_act(
        procedure=proc, actor=mediator, action="record_agreement", data=ActInput(terms="赔偿")
    )
    jc = services.procedure_start(case=case, actor=mediator, kind="judicial_confirmation")
    for action in ("file_application", "court_accept"):
        jc = services.procedure_act(
            procedure=jc, actor=mediator, action=action, data=ActInput(court_id=anji.org("court").pk)
        )
    url = f"/api/v1/procedures/{jc.pk}/actions"
    before = snapshot(case)
    # when
    resp = post(client, url, {"action": "request_extension", "days": 11, "reason": "复杂"}, token(mediator))
    # then
    assert (resp.status_code, resp.json()["error"]) == (422, "extension_exceeds_bound")
    assert snapshot(case) == before
    # within the bound, approved by the wrong role, then by a leader
    ok = post(
        client, url, {"action": "request_extension", "days": 10, "reason": "复杂"}, token(mediator)
    ).json()
    ext_id = ok["steps"][-1]["extensions"][0]["id"]
    wrong = post(client, url, {"action": "approve_extension", "extension_id": ext_id}, token(mediator))
    assert (wrong.status_code, wrong.json()["error"]) == (403, "extension_not_allowed_role")
    right = post(client, url, {"action": "approve_extension", "extension_id": ext_id}, token(leader))
    assert right.status_code == 200 and right.json()["steps"][-1]["extended_days"] == 10


def test_a_step_without_an_extension_rule_cannot_be_extended(client, mediation, mediator, token):
    _case, proc = mediation
    resp = post(
        client,
        f"/api/v1/procedures/{proc.pk}/actions",
        {"action": "request_extension", "days": 3, "reason": "x"},
        token(mediator),
    )
    assert (resp.status_code, resp.json()["error"]) == (409, "extension_not_allowed")


def test_an_action_by_a_role_the_rule_does_not_name_is_refused(client, mediation, staff_factory, anji, token):
    # given: an analyst may read but not act
    case, proc = mediation
    analyst = staff_factory(anji.org("county_centre"), ["analyst"], username="analyst")
    before = snapshot(case)
    # when
    resp = post(
        client,
        f"/api/v1/procedures/{proc.pk}/actions",
        {"action": "record_agreement", "terms": "赔偿"},
        token(analyst),
    )
    # then
    assert (resp.status_code, resp.json()["error"]) == (403, "procedure_not_allowed_role")
    assert snapshot(case) == before


def test_an_illegal_move_is_409_with_a_stable_code(client, mediation, mediator, token):
    case, proc = mediation
    auth = token(mediator)
    url = f"/api/v1/procedures/{proc.pk}/actions"
    wrong_step = post(client, url, {"action": "file_application"}, auth)
    assert (wrong_step.status_code, wrong_step.json()["error"]) == (409, "procedure_illegal_action")
    post(client, url, {"action": "record_no_agreement", "reason": "分歧", "legal_route": "起诉"}, auth)
    after_end = post(client, url, {"action": "record_agreement", "terms": "x"}, auth)
    assert (after_end.status_code, after_end.json()["error"]) == (409, "procedure_illegal_action")


def test_missing_fields_unknown_kind_and_unknown_action(client, mediation, mediator, token):
    case, proc = mediation
    auth = token(mediator)
    url = f"/api/v1/procedures/{proc.pk}/actions"
    assert list(post(client, url, {"action": "record_agreement"}, auth).json()["fields"]) == ["terms"]
    assert (
        post(client, url, {"action": "record_no_agreement", "legal_route": "起诉"}, auth).json()["error"]
        == "reason_required"
    )
    assert post(client, url, {"action": "fly"}, auth).json()["error"] == "unknown_action"
    kind = post(client, f"/api/v1/cases/{case.number}/procedures", {"kind": "duel"}, auth)
    assert (kind.status_code, kind.json()["error"]) == (422, "unknown_procedure_kind")
    again = post(client, f"/api/v1/cases/{case.number}/procedures", {"kind": "people_mediation"}, auth)
    assert (again.status_code, again.json()["error"]) == (409, "procedure_already_running")


def test_a_stale_version_is_a_conflict(client, mediation, mediator, token):
    _case, proc = mediation
    resp = post(
        client,
        f"/api/v1/procedures/{proc.pk}/actions",
        {"action": "suspend", "reason": "鉴定", "version": 99},
        token(mediator),
    )
    assert (resp.status_code, resp.json()["error"]) == (409, "version_conflict")


def test_a_procedure_outside_the_jurisdiction_is_not_found(client, mediation, anji, staff_factory, token):
    _case, proc = mediation
    outsider = staff_factory(
        anji.org("village_committee", anji.other_village), ["handler"], username="outsider"
    )
    resp = client.get(f"/api/v1/procedures/{proc.pk}", **token(outsider))
    assert resp.status_code == 404


def test_satisfaction_outside_1_to_5_is_refused(travel, mediation, mediator):
    case, proc = mediation
    services.procedure_act(
        procedure=proc, actor=mediator, action="record_agreement", data=ActInput(terms="赔偿")
    )
    party = case.parties.first()
    for bad in (0, 6, True):
        with pytest.raises(Exception) as exc:
            services.feedback_record(case=case, party=party, score=bad, actor=mediator)
        assert exc.value.code == "validation_failed"
    services.feedback_record(case=case, party=party, score=3, actor=mediator)
    with pytest.raises(Exception) as twice:
        services.feedback_record(case=case, party=party, score=4, actor=mediator)
    assert twice.value.code == "feedback_exists"


def test_resume_before_the_suspension_is_refused(travel, mediation, mediator):
    case, proc = mediation
    travel(at(2026, 9, 3))
    services.procedure_act(procedure=proc, actor=mediator, action="suspend", data=ActInput(reason="鉴定"))
    with pytest.raises(Exception) as exc:
        services.procedure_act(
            procedure=proc, actor=mediator, action="resume", data=ActInput(on=date(2026, 9, 2))
        )
    assert exc.value.code == "date_before_step_start"
