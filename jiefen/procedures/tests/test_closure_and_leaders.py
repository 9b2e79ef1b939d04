"""Closure loop (notify, satisfaction, return visit) and leaders (接访/下访, 包案, 督办)."""

from datetime import date, datetime

import pytest

from jiefen.cases.models import Case, CaseEvent
from jiefen.procedures import services
from jiefen.procedures.models import ReturnVisit
from jiefen.procedures.selectors import my_deadlines
from jiefen.procedures.services import ActInput
from jiefen.procedures.tests.conftest import TZ, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(travel, accepted_case, mediator):
    travel(at(2026, 9, 29))
    case = accepted_case()
    proc = services.procedure_start(case=case, actor=mediator, kind="people_mediation")
    services.procedure_act(
        procedure=proc, actor=mediator, action="record_agreement", data=ActInput(terms="赔偿")
    )
    return Case.objects.get(pk=case.pk)


def test_closing_notifies_the_parties_and_schedules_the_return_visit(client, resolved, mediator, token):
    # when
    resp = client.post(
        f"/api/v1/cases/{resolved.number}/close", {}, content_type="application/json", **token(mediator)
    )
    # then: 5 working days after Tue 29 Sep: 30 Sep, 8, 9, Sat 10, 12 Oct
    assert resp.status_code == 200
    visit = ReturnVisit.objects.get()
    assert visit.due_at.astimezone(TZ).date() == date(2026, 10, 12)
    event = CaseEvent.objects.get(case=resolved, kind="result_notified")
    assert event.data["kind"] == "closed"
    assert Case.objects.get(pk=resolved.pk).status == "closed"


def test_feedback_and_return_visit_through_the_api(client, resolved, mediator, token):
    auth = token(mediator)
    client.post(f"/api/v1/cases/{resolved.number}/close", {}, content_type="application/json", **auth)
    party = resolved.parties.get(role="respondent")
    fb = client.post(
        f"/api/v1/cases/{resolved.number}/feedback",
        {"party_id": party.pk, "score": 4, "comment": "基本满意"},
        content_type="application/json",
        **auth,
    )
    assert fb.status_code == 201 and fb.json()["score"] == 4
    bad = client.post(
        f"/api/v1/cases/{resolved.number}/feedback",
        {"party_id": party.pk, "score": 9},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422
    visit = ReturnVisit.objects.get()
    rv = client.post(
        f"/api/v1/return-visits/{visit.pk}",
        {"reached": True, "satisfied": True},
        content_type="application/json",
        **auth,
    )
    assert rv.status_code == 200 and rv.json()["status"] == "done"
    again = client.post(
        f"/api/v1/return-visits/{visit.pk}", {"reached": True}, content_type="application/json", **auth
    )
    assert again.status_code == 409


def test_a_recurrence_needs_a_note_and_a_role_that_may_reopen(resolved, mediator):
    visit = services.case_close_and_follow_up(case=resolved, actor=mediator)
    with pytest.raises(Exception) as no_note:
        services.return_visit_record(visit=visit, actor=mediator, reached=True, recurred=True)
    assert no_note.value.code == "validation_failed" and "note" in no_note.value.fields
    with pytest.raises(Exception) as no_role:
        services.return_visit_record(
            visit=visit, actor=mediator, reached=True, recurred=True, note="又吵起来了"
        )
    assert no_role.value.code == "permission_denied"
    assert ReturnVisit.objects.get().status == "scheduled"  # nothing changed


def test_reception_day_booking_charge_and_supervision(
    client, travel, resolved, leader, mediator, token, anji
):
    # given
    case = resolved
    auth = token(leader)
    # when: a reception day with the case booked, the leader takes charge, a supervision order
    r = client.post(
        "/api/v1/receptions",
        {"kind": "reception", "date": "2026-10-09", "place": "县矛调中心接待室"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201, r.content
    b = client.post(
        f"/api/v1/receptions/{r.json()['id']}/bookings",
        {"case_number": case.number},
        content_type="application/json",
        **auth,
    )
    assert b.status_code == 201
    dup = client.post(
        f"/api/v1/receptions/{r.json()['id']}/bookings",
        {"case_number": case.number},
        content_type="application/json",
        **auth,
    )
    assert dup.status_code == 409
    down = client.post(
        "/api/v1/receptions",
        {"kind": "visit_down", "date": "2026-10-10", "place": "横溪坞村"},
        content_type="application/json",
        **auth,
    )
    assert down.status_code == 201
    c = client.post(
        f"/api/v1/cases/{case.number}/leader-charge",
        {"note": "包案化解"},
        content_type="application/json",
        **auth,
    )
    assert c.status_code == 201
    mine = client.get("/api/v1/me/leader-cases", **auth).json()
    assert [m["case_number"] for m in mine] == [case.number]
    s = client.post(
        f"/api/v1/cases/{case.number}/supervisions",
        {"instructions": "请于期限内回复化解进展"},
        content_type="application/json",
        **auth,
    )
    assert s.status_code == 201
    due = datetime.fromisoformat(s.json()["due_at"].replace("Z", "+00:00")).astimezone(TZ).date()
    assert due == date(2026, 10, 12)  # 5 working days from Tue 29 Sep
    # then the supervised organisation sees it among its deadlines and replies
    rows = my_deadlines(viewer=mediator)
    assert any(row.kind == "supervision" for row in rows)
    wrong = client.post(
        f"/api/v1/supervisions/{s.json()['id']}/reply",
        {"reply": "x"},
        content_type="application/json",
        **auth,
    )
    assert wrong.status_code == 403
    ok = client.post(
        f"/api/v1/supervisions/{s.json()['id']}/reply",
        {"reply": "已化解，当事人满意"},
        content_type="application/json",
        **token(mediator),
    )
    assert ok.status_code == 200 and ok.json()["replied_at"]
    kinds = set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {"reception_booked", "leader_took_charge", "supervision_ordered", "supervision_replied"} <= kinds


def test_only_leaders_take_charge_and_supervise(client, resolved, mediator, token):
    auth = token(mediator)
    assert (
        client.post(
            f"/api/v1/cases/{resolved.number}/leader-charge", {}, content_type="application/json", **auth
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/cases/{resolved.number}/supervisions",
            {"instructions": "x"},
            content_type="application/json",
            **auth,
        ).status_code
        == 403
    )


def test_my_deadlines_lists_my_open_steps_soonest_first(client, travel, accepted_case, mediator, token):
    travel(at(2026, 9, 1))
    a = accepted_case()
    b = accepted_case(description="邻居漏水纠纷")
    services.procedure_start(case=a, actor=mediator, kind="people_mediation")
    travel(at(2026, 9, 2))
    services.procedure_start(case=b, actor=mediator, kind="entrusted_mediation")
    rows = client.get("/api/v1/me/deadlines", **token(mediator)).json()
    steps = [r for r in rows if r["kind"] == "step"]
    assert [r["case_number"] for r in steps] == [a.number, b.number]
    assert steps[0]["overdue"] is False
    travel(at(2026, 10, 9))
    steps = [r for r in client.get("/api/v1/me/deadlines", **token(mediator)).json() if r["kind"] == "step"]
    assert steps[0]["overdue"] is True


def test_my_deadlines_lists_the_case_clocks_of_my_organisation(
    client, travel, anji, accepted_case, mediator, token
):
    # given an accepted case with no procedure yet, and one waiting for acceptance
    from jiefen.cases.services import PartyInput, case_register

    travel(at(2026, 9, 1))
    handled = accepted_case()
    waiting = case_register(
        channel="walk_in",
        region=anji.village.code,
        description="邻居漏水纠纷",
        category="neighbour",
        parties=[PartyInput(role="applicant", name="王小明")],
    ).case

    # when
    rows = client.get("/api/v1/me/deadlines", **token(mediator)).json()

    # then both clocks are on the mediator's desk, soonest first, with their names
    clocks = {r["case_number"]: r for r in rows if r["kind"] == "case"}
    assert set(clocks) == {handled.number, waiting.number}
    assert clocks[handled.number]["step"] == "handling" and clocks[waiting.number]["step"] == "acceptance"
    assert clocks[handled.number]["label"] == "办理期限"  # the API speaks zh-Hans by default
    assert rows == sorted(rows, key=lambda r: r["due_at"])
    client.force_login(mediator)
    page = client.get("/procedures/deadlines/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "办理期限" in page and "受理期限" in page and handled.number in page


def test_reception_list_shows_the_booked_cases_in_scope(client, resolved, leader, token):
    auth = token(leader)
    r = client.post(
        "/api/v1/receptions",
        {"kind": "visit_down", "date": "2026-09-30", "place": "横溪坞村"},
        content_type="application/json",
        **auth,
    ).json()
    client.post(
        f"/api/v1/receptions/{r['id']}/bookings",
        {"case_number": resolved.number},
        content_type="application/json",
        **auth,
    )
    rows = client.get("/api/v1/receptions", **auth).json()
    assert rows == [
        {
            "id": r["id"],
            "kind": "visit_down",
            "date": "2026-09-30",
            "place": "横溪坞村",
            "leader": "张县长",
            "bookings": [resolved.number],
        }
    ]


def test_reception_days_leaders_and_supervision_stay_in_the_county(
    client, resolved, leader, token, staff_factory
):
    # given: a leader and an organisation of another county
    from conftest import make_county

    other = make_county("330211", "镇海区")
    their_leader = staff_factory(other.org("county_centre"), ["leader"], username="other-leader")
    their_day = client.post(
        "/api/v1/receptions",
        {"kind": "reception", "date": "2026-09-30", "place": "镇海区信访局"},
        content_type="application/json",
        **token(their_leader),
    ).json()
    auth = token(leader)
    # when
    planned_for_them = client.post(
        "/api/v1/receptions",
        {"kind": "reception", "date": "2026-09-30", "place": "x", "leader_id": their_leader.pk},
        content_type="application/json",
        **auth,
    )
    booked_there = client.post(
        f"/api/v1/receptions/{their_day['id']}/bookings",
        {"case_number": resolved.number},
        content_type="application/json",
        **auth,
    )
    listed = client.get("/api/v1/receptions", **auth).json()
    supervised_there = client.post(
        f"/api/v1/cases/{resolved.number}/supervisions",
        {"instructions": "限期答复", "organization_id": other.org("county_centre").pk},
        content_type="application/json",
        **auth,
    )
    # then
    assert planned_for_them.status_code == 404
    assert booked_there.status_code == 404
    assert their_day["id"] not in [r["id"] for r in listed]
    assert supervised_there.status_code == 422
