"""The centre keeps working when the year turns: tests that see time pass.

A case registered in December has deadlines in a year whose holiday notice may not be
published yet; those are counted on the statutory holidays and marked provisional, and become
official (recomputed, with a timeline entry) when the notice is loaded. The sweep runs the main
flows on dates from November 2026 to the end of 2031, with and without the notices loaded.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from jiefen.cases.models import Case, CaseEvent, CaseStep
from jiefen.cases.services import PartyInput, case_register, case_transition
from jiefen.deadlines import statutory
from jiefen.deadlines.selectors import work_calendar
from jiefen.deadlines.tests.notices import load_2027, load_law_year
from jiefen.procedures import definitions as d
from jiefen.procedures import services
from jiefen.procedures.choices import ProcedureKind
from jiefen.procedures.models import ProcedureStep
from jiefen.procedures.services import ActInput
from jiefen.procedures.tests.conftest import PHONE, TZ, VALID_ID, _dispatcher_for, at

pytestmark = pytest.mark.django_db

# Every kind but judicial confirmation (which needs an agreement first), in an order a case
# can take them all.
DIRECT_KINDS = [k for k in ProcedureKind.values if k != ProcedureKind.JUDICIAL_CONFIRMATION]


def local_day(dt: datetime) -> date:
    return timezone.localtime(dt).date()


@pytest.fixture
def centre(anji, staff_factory):
    """A handler of the county centre: the one body that may start every kind of procedure."""
    return staff_factory(anji.org("county_centre"), ["handler", "mediator"], username="centre")


def fitting_category(kind: str, preferred: str = "neighbour") -> str:
    """A case category that procedure kind fits (definitions: labour and consumer routes)."""
    cats = d.KINDS[kind].categories
    return preferred if cats is None or preferred in cats else sorted(cats)[0]


def register_and_accept(anji, mediator, description="楼上装修噪音，夜间施工，协商未果", category="neighbour"):
    case = case_register(
        channel="walk_in",
        region=anji.village.code,
        description=description,
        category=category,
        parties=[
            PartyInput(role="applicant", name="王小明", id_number=VALID_ID, phone=PHONE),
            PartyInput(role="respondent", name="李四"),
        ],
    ).case
    registered = Case.objects.get(pk=case.pk)
    if case.lead_organization_id != mediator.organization_id:
        case_transition(
            case=case.number, actor=_dispatcher_for(case), action="route", organization=mediator.organization
        )
    accepted = case_transition(case=case.number, actor=mediator, action="accept")
    return registered, accepted


def start_every_kind(anji, case, mediator) -> list:
    """Every kind started by `mediator` (of the county centre), each on a case of a category it
    fits: `case` where it fits, else a new case of that category."""
    cases = {case.category: case}
    procs = []
    for k in DIRECT_KINDS:
        cat = fitting_category(k, case.category)
        if cat not in cases:
            cases[cat] = register_and_accept(anji, mediator, category=cat)[1]
        procs.append(services.procedure_start(case=cases[cat], actor=mediator, kind=k))
    mediation = procs[0]
    services.procedure_act(
        procedure=mediation,
        actor=mediator,
        action="record_agreement",
        data=ActInput(terms="李四停止夜间施工"),
    )
    procs.append(
        services.procedure_start(
            case=Case.objects.get(pk=case.pk), actor=mediator, kind=ProcedureKind.JUDICIAL_CONFIRMATION
        )
    )
    return procs


def expected_provisional(start: date, due: date, official: set[int]) -> bool:
    first = start + timedelta(days=1) if due > start else start
    return any(y not in official for y in range(first.year, due.year + 1))


def assert_deadline_honest(start: date, due_at: datetime, provisional: bool, official: set[int]) -> None:
    """The due day is a working day of the calendar (never a holiday), and it is marked
    provisional exactly when its period touched a year without its notice."""
    due = local_day(due_at)
    assert work_calendar().is_workday(due), (start, due)
    if due.year not in official:
        assert due not in statutory.days_off(due.year), (start, due)
    assert provisional == expected_provisional(start, due, official), (start, due, provisional)


# ---------------------------------------------------------------- the law's own vectors


def test_2027_statutory_holidays_as_the_law_fixes_them():
    # given no notice for 2027
    off = statutory.days_off(2027)

    # then 元旦 is Fri 1 Jan; 春节 runs from 除夕 Fri 5 Feb to 初三 Mon 8 Feb, and 初一 (Sat) and
    # 初二 (Sun) are made up on the next working days, Tue 9 and Wed 10 Feb
    assert date(2027, 1, 1) in off and date(2027, 1, 1).weekday() == 4
    assert [d for d in off if d.month == 2] == [date(2027, 2, d) for d in (5, 6, 7, 8, 9, 10)]
    assert statutory.holidays_of_law(2027)[date(2027, 2, 5)] == "农历除夕"
    # 劳动节 Sat 1 – Sun 2 May made up Mon 3 – Tue 4; 国庆节 Fri 1 – Sun 3 Oct: Sat and Sun made up Mon–Tue
    assert {date(2027, 5, 3), date(2027, 5, 4), date(2027, 10, 4), date(2027, 10, 5)} <= set(off)
    assert len(statutory.holidays_of_law(2027)) == 13  # the 2024 amendment: 13 days


@pytest.mark.parametrize(
    ("year", "day_off", "reason"),
    [
        (2028, date(2028, 1, 3), "元旦 falls on Saturday 1 January: made up on Monday"),
        (2029, date(2029, 2, 12), "除夕 2029 is Monday 12 February"),
        (2030, date(2030, 10, 1), "国庆节"),
        (2031, date(2031, 1, 22), "除夕 2031 is Wednesday 22 January"),
    ],
)
def test_statutory_days_of_later_years(year, day_off, reason):
    assert day_off in statutory.days_off(year), reason


def test_the_law_check_accepts_the_real_notices_of_2025_and_2026():
    # given the seeded official years under the amended law
    from jiefen.deadlines.selectors import calendar_year_errors

    # then the check that refuses implausible notices accepts the real ones
    assert calendar_year_errors(2025) == [] and calendar_year_errors(2026) == []


# ---------------------------------------------------------------- today, before the notice


def test_on_2026_12_05_every_procedure_starts_with_provisional_2027_deadlines_through_the_api(
    client, travel, anji, mediator, centre, dispatcher, token
):
    # given 5 December 2026, no 2027 notice loaded
    travel(at(2026, 12, 5))
    auth = token(mediator)
    body = {
        "channel": "walk_in",
        "region_code": anji.village.code,
        "description": "楼上装修噪音，夜间施工，协商未果",
        "category": "neighbour",
        "parties": [{"role": "applicant", "name": "王小明", "phone": PHONE}],
    }

    # when the case is registered and accepted
    created = client.post("/api/v1/cases", body, content_type="application/json", **token(dispatcher))
    assert created.status_code == 201, created.content
    assert created.json()["lead_organization_id"] == mediator.organization_id
    number = created.json()["number"]
    accepted = client.post(
        f"/api/v1/cases/{number}/actions",
        {"action": "accept", "version": created.json()["version"]},
        content_type="application/json",
        **auth,
    )

    # then the 30-day handling period ends in 2027 and is provisional: Mon 4 Jan 2027
    # (Sun 3 Jan, after 元旦, moves to the next working day)
    assert accepted.status_code == 200, accepted.content
    case = accepted.json()
    assert case["status"] == "accepted" and case["provisional"] is True
    assert local_day(datetime.fromisoformat(case["due_at"])) == date(2027, 1, 4)

    # when every procedure kind starts: those a village committee runs by the mediator on this
    # case, the others by the county centre on a case of a category they fit
    numbers = {("neighbour", mediator.pk): number}
    started = {}
    for kind in DIRECT_KINDS:
        cat = fitting_category(kind)
        who = (
            mediator
            if d.offered(d.KINDS[kind], category=cat, organization_kind="village_committee")
            else centre
        )
        if (cat, who.pk) not in numbers:
            numbers[(cat, who.pk)] = register_and_accept(anji, who, category=cat)[1].number
        resp = client.post(
            f"/api/v1/cases/{numbers[(cat, who.pk)]}/procedures",
            {"kind": kind},
            content_type="application/json",
            **token(who),
        )
        assert resp.status_code == 201, (kind, resp.content)
        started[kind] = resp.json()
    mediation = started["people_mediation"]
    client.post(
        f"/api/v1/procedures/{mediation['id']}/actions",
        {"action": "record_agreement", "terms": "李四停止夜间施工"},
        content_type="application/json",
        **auth,
    )
    resp = client.post(
        f"/api/v1/cases/{number}/procedures",
        {"kind": "judicial_confirmation"},
        content_type="application/json",
        **auth,
    )
    assert resp.status_code == 201, resp.content
    started["judicial_confirmation"] = resp.json()

    # then each first step has a working-day due date, provisional when it lies in 2027
    timed = {kind: proc for kind, proc in started.items() if proc["steps"][0]["due_at"] is not None}
    assert len(timed) >= len(started) - 1  # litigation's first step has no time limit of ours
    for kind, proc in timed.items():
        step = proc["steps"][0]
        due = local_day(datetime.fromisoformat(step["due_at"]))
        assert work_calendar().is_workday(due), kind
        assert step["provisional"] is (due.year == 2027), (kind, due)
    assert any(p["steps"][0]["provisional"] for p in started.values())
    # and "my deadlines" says which are provisional
    mine = client.get("/api/v1/me/deadlines", **auth).json()
    assert any(r["provisional"] for r in mine) and all("provisional" in r for r in mine)


def test_people_mediation_started_in_january_skips_the_spring_festival(travel, anji, mediator):
    # given 20 January 2027, no notice: 30 days end on Fri 19 Feb, after 春节 (5–10 Feb)
    travel(at(2027, 1, 20))
    _registered, case = register_and_accept(anji, mediator)

    # when
    proc = services.procedure_start(case=case, actor=mediator, kind="people_mediation")

    # then
    step = proc.steps.get()
    assert (local_day(step.due_at), step.due_provisional) == (date(2027, 2, 19), True)


def test_a_working_day_period_skips_the_statutory_make_up_days(travel, anji, mediator):
    # given Thu 4 Feb 2027, no notice: the return visit (5 working days) after a case closed
    # that day skips 除夕 to 初三 (5–8 Feb) and the make-up days (9–10 Feb)
    travel(at(2027, 2, 4))
    _registered, case = register_and_accept(anji, mediator)
    case_transition(case=case.number, actor=mediator, action="start")
    case_transition(case=case.number, actor=mediator, action="resolve")
    visit = services.case_close_and_follow_up(case=Case.objects.get(pk=case.pk), actor=mediator)

    # then the five are 11, 12, 15, 16 and 17 Feb
    assert (local_day(visit.due_at), visit.due_provisional) == (date(2027, 2, 17), True)


# ---------------------------------------------------------------- the notice arrives


def test_loading_the_notice_recomputes_the_open_provisional_deadlines_once(travel, anji, mediator, centre):
    # given, in December 2026, an accepted case and every procedure started, all before the notice
    travel(at(2026, 12, 5))
    _registered, case = register_and_accept(anji, centre)
    procs = start_every_kind(anji, case, centre)
    travel(at(2027, 1, 20))
    _r2, case2 = register_and_accept(anji, mediator, description="邻居之间因排水发生纠纷")
    proc2 = services.procedure_start(case=case2, actor=mediator, kind="people_mediation")
    provisional_before = ProcedureStep.objects.filter(ended_at__isnull=True, due_provisional=True).count()
    assert provisional_before >= 3
    step2 = proc2.steps.get()
    assert local_day(step2.due_at) == date(2027, 2, 19)
    events_before = CaseEvent.objects.filter(kind="deadline_recomputed").count()

    # when the (test) 2027 notice is loaded with the command an administrator runs
    out = StringIO()
    call_command(
        "calendar_add_year",
        "2027",
        *[a for d, n in _notice_args() for a in (d, n)],
        stdout=out,
    )

    # then nothing open is provisional any more, the report says how many changed, and each
    # change is on the case's timeline
    assert ProcedureStep.objects.filter(ended_at__isnull=True, due_provisional=True).count() == 0
    assert CaseStep.objects.filter(ended_at__isnull=True, due_provisional=True).count() == 0
    assert not Case.objects.filter(due_provisional=True).exists()
    events = CaseEvent.objects.filter(kind="deadline_recomputed")
    changed = events.count() - events_before
    assert changed >= provisional_before
    assert f"recomputed: {changed} changed" in out.getvalue()
    # the test notice gives 5–11 Feb off: 19 Feb still holds, now official
    step2.refresh_from_db()
    assert (local_day(step2.due_at), step2.due_provisional) == (date(2027, 2, 19), False)
    event = events.filter(case=case2, data__procedure="people_mediation").get()
    assert (event.data["provisional"], event.data["to"]) == (False, "2027-02-19")
    assert len(procs) == len(ProcedureKind.values)

    # when it is loaded again
    out = StringIO()
    call_command("calendar_add_year", "2027", *[a for d, n in _notice_args() for a in (d, n)], stdout=out)

    # then nothing changes and no entry is added
    assert "nothing changed" in out.getvalue()
    assert CaseEvent.objects.filter(kind="deadline_recomputed").count() == events_before + changed


def test_a_date_the_notice_moves_is_moved_on_the_timeline(
    travel, anji, mediator, django_capture_on_commit_callbacks
):
    # given Tue 2 Feb 2027, no notice: the return visit 5 working days later skips 5–10 Feb and
    # is due Mon 15 Feb, provisional
    travel(at(2027, 2, 2))
    _registered, case = register_and_accept(anji, mediator)
    case_transition(case=case.number, actor=mediator, action="start")
    case_transition(case=case.number, actor=mediator, action="resolve")
    visit = services.case_close_and_follow_up(case=Case.objects.get(pk=case.pk), actor=mediator)
    before = local_day(visit.due_at)
    assert (before, visit.due_provisional) == (date(2027, 2, 15), True)

    # when the test notice (5–11 Feb off, Sat 20 Feb worked) is loaded
    with django_capture_on_commit_callbacks(execute=True):
        load = load_2027()

    # then the visit moves by the notice's extra day off (Thu 11 Feb) to Tue 16 Feb, official
    visit.refresh_from_db()
    assert load.recomputed >= 1
    assert (local_day(visit.due_at), visit.due_provisional) == (date(2027, 2, 16), False)
    entry = CaseEvent.objects.filter(case=case, kind="deadline_recomputed").get()
    assert (
        entry.data["from"] == before.isoformat() and entry.data["to"] == local_day(visit.due_at).isoformat()
    )


def _notice_args():
    from jiefen.deadlines.tests.notices import HOLIDAYS_2027, WORKDAYS_2027

    return [("--holiday", f"{d.isoformat()}:{n}") for d, n in HOLIDAYS_2027] + [
        ("--workday", f"{d.isoformat()}:{n}") for d, n in WORKDAYS_2027
    ]


# ---------------------------------------------------------------- the sweep


def sweep_dates() -> list[date]:
    """Every 19 days from 1 Nov 2026 to 31 Dec 2031, and the days around each year's turn."""
    days = set()
    day = date(2026, 11, 1)
    while day <= date(2031, 12, 31):
        days.add(day)
        day += timedelta(days=19)
    for year in range(2026, 2032):
        for offset in range(-4, 5):
            turn = date(year + 1, 1, 1) + timedelta(days=offset)
            if turn <= date(2031, 12, 31):
                days.add(turn)
    return sorted(days)


SWEEP_KINDS = ["people_mediation", "labour_mediation", "petition", "legal_aid", "entrusted_mediation"]


@pytest.mark.parametrize("notices", ["statutory only", "notices loaded"])
def test_the_main_flows_work_on_every_date_from_2026_to_2031(travel, anji, centre, notices):
    # given the years 2027–2031 without their notice, or with a notice loaded for each
    official = set(range(2004, 2027))
    if notices == "notices loaded":
        for year in range(2027, 2033):
            load_law_year(year)
            official.add(year)
    dates = sweep_dates()
    assert len(dates) >= 100

    for day in dates:
        # when, on that day, a case is registered, accepted and its procedures started
        travel(datetime(day.year, day.month, day.day, 10, 0, tzinfo=TZ))
        registered, case = register_and_accept(
            anji, centre, description=f"工资纠纷 {day.isoformat()}", category="labour"
        )
        procs = [services.procedure_start(case=case, actor=centre, kind=k) for k in SWEEP_KINDS]

        # then every due date is a working day, provisional exactly when it should be
        assert_deadline_honest(day, registered.due_at, registered.due_provisional, official)
        assert_deadline_honest(day, case.due_at, case.due_provisional, official)
        for proc in procs:
            step = proc.steps.get()
            start = local_day(step.started_at)
            if proc.kind == "labour_mediation":  # counted from receipt
                start = local_day(case.received_at)
            assert_deadline_honest(start, step.due_at, step.due_provisional, official)
