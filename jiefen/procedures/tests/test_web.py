"""The chain on the staff case page: path, steps with days left, actions, documents, my deadlines."""

import pytest

from jiefen.cases.models import Case
from jiefen.procedures import services
from jiefen.procedures.models import Agreement, Procedure
from jiefen.procedures.services import ActInput
from jiefen.procedures.tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, mediator):
    client.force_login(mediator)
    return client


def test_the_case_page_shows_the_chain_with_days_left(logged_in, travel, accepted_case, mediator):
    # given
    travel(at(2026, 9, 1))
    case = accepted_case()
    services.procedure_start(case=case, actor=mediator, kind="people_mediation")
    # when
    page = logged_in.get(f"/cases/{case.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then
    assert 'id="procedures"' in page
    assert "2026-10-08" in page and "37 days left" in page
    assert 'name="submit-record_agreement"' in page
    assert 'name="submit-file_application"' not in page


def test_overdue_steps_are_marked(logged_in, travel, accepted_case, mediator):
    travel(at(2026, 9, 1))
    case = accepted_case()
    services.procedure_start(case=case, actor=mediator, kind="people_mediation")
    travel(at(2026, 10, 10))
    page = logged_in.get(f"/cases/{case.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "overdue by 2 days" in page


def test_start_act_and_download_through_the_forms(logged_in, travel, accepted_case, mediator):
    # given
    travel(at(2026, 9, 1))
    case = accepted_case()
    # when
    r1 = logged_in.post(f"/procedures/cases/{case.number}/start/", {"kind": "people_mediation"})
    proc = Procedure.objects.get()
    r2 = logged_in.post(
        f"/procedures/{proc.pk}/act/",
        {"action": "record_agreement", "terms": "赔偿500元", "version": proc.version},
    )
    # then
    assert r1.status_code == r2.status_code == 302
    assert Agreement.objects.filter(case=case).exists()
    assert Case.objects.get(pk=case.pk).status == "resolved"
    pdf = logged_in.get(f"/procedures/cases/{case.number}/agreement.pdf")
    docx = logged_in.get(f"/procedures/cases/{case.number}/agreement.docx")
    assert pdf.status_code == docx.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_refused_action_comes_back_as_a_message(logged_in, travel, accepted_case, mediator):
    travel(at(2026, 9, 1))
    case = accepted_case()
    proc = services.procedure_start(case=case, actor=mediator, kind="people_mediation")
    resp = logged_in.post(
        f"/procedures/{proc.pk}/act/",
        {"action": "record_agreement", "terms": "x", "on": "2020-01-01"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "before the case was received" in resp.content.decode()
    assert not Agreement.objects.exists()


def test_my_deadlines_page(logged_in, travel, accepted_case, mediator):
    travel(at(2026, 9, 1))
    case = accepted_case()
    services.procedure_start(case=case, actor=mediator, kind="people_mediation")
    page = logged_in.get("/procedures/deadlines/").content.decode()
    assert case.number in page and "2026-10-08" in page


def test_the_case_page_query_count_does_not_grow_with_procedures(
    logged_in, travel, anji, staff_factory, accepted_case, mediator, django_assert_max_num_queries
):
    travel(at(2026, 9, 1))
    case = accepted_case()
    centre = staff_factory(anji.org("county_centre"), ["handler"], username="centre")
    for kind, actor in (
        ("people_mediation", mediator),
        ("entrusted_mediation", mediator),
        ("legal_aid", centre),
        ("petition", centre),
    ):
        services.procedure_start(case=case, actor=actor, kind=kind)
    proc = Procedure.objects.filter(kind="people_mediation").get()
    services.procedure_act(
        procedure=proc,
        actor=mediator,
        action="record_session",
        data=ActInput(held_at=at(2026, 9, 1), place="村委会", participants="双方"),
    )
    with django_assert_max_num_queries(60):
        assert logged_in.get(f"/cases/{case.number}/").status_code == 200


def test_a_leader_plans_a_reception_day_and_a_case_is_booked_from_its_page(
    client, travel, accepted_case, mediator, leader
):
    # given
    travel(at(2026, 9, 1))
    case = accepted_case()
    client.force_login(leader)
    # when
    client.post("/procedures/receptions/", {"kind": "reception", "date": "2026-09-03", "place": "县矛调中心"})
    from jiefen.procedures.models import ReceptionDay

    reception = ReceptionDay.objects.get()
    client.force_login(mediator)
    page = client.get(f"/cases/{case.number}/").content.decode()
    resp = client.post(f"/procedures/cases/{case.number}/reception/", {"reception": reception.pk})
    # then
    assert 'id="rc-day"' in page and resp.status_code == 302
    assert reception.bookings.get().case == case
    client.force_login(leader)
    listing = client.get("/procedures/deadlines/").content.decode()
    assert "县矛调中心" in listing and case.number in listing


def test_mediators_are_assigned_on_the_procedure(travel, accepted_case, mediator):
    travel(at(2026, 9, 1))
    case = accepted_case()
    proc = services.procedure_start(case=case, actor=mediator, kind="people_mediation")
    proc = services.procedure_act(
        procedure=proc,
        actor=mediator,
        action="assign_mediators",
        data=ActInput(mediators="陈调解员、周调解员"),
    )
    services.procedure_act(
        procedure=proc, actor=mediator, action="record_agreement", data=ActInput(terms="赔偿")
    )
    assert Agreement.objects.get().mediators == "陈调解员、周调解员"


def test_the_chain_speaks_chinese(logged_in, travel, accepted_case, mediator):
    travel(at(2026, 9, 1))
    case = accepted_case()
    services.procedure_start(case=case, actor=mediator, kind="people_mediation")
    page = logged_in.get(f"/cases/{case.number}/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert "办理程序" in page and "人民调解" in page and "还剩37天" in page and "记录调解协议" in page
