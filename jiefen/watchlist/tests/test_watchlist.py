"""People needing continued attention: listing with a reason tied to cases, who sees an entry,
every viewing logged, removal and lapse recorded, new registrations alerting the officer."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from jiefen.alerts.services import alerts_sweep
from jiefen.cases.services import PartyInput, RegistrationRequest, case_register, case_register_many
from jiefen.core import clock
from jiefen.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiefen.directory.services import api_token_create
from jiefen.watchlist import selectors, services
from jiefen.watchlist.models import WatchAccessLog, WatchEntry, WatchEvent

pytestmark = pytest.mark.django_db

PERSON_ID = "330523199001011238"


@pytest.fixture
def people(anji, staff_factory):
    county = anji.org("county_centre")
    town = anji.org("town_centre", anji.town)
    return {
        "leader": staff_factory(county, ["leader"], username="leader"),
        "officer": staff_factory(town, ["handler"], username="officer"),
        "handler": staff_factory(county, ["handler", "dispatcher"], username="other"),
        "town_leader2": staff_factory(anji.org("town_centre", anji.town2), ["leader"], username="leader2"),
    }


def _register(anji, dispatcher, *, text="邻居装修噪音扰民，多次协商未果", id_number=PERSON_ID):
    return case_register(
        channel="walk_in",
        region=anji.village,
        description=text,
        parties=[PartyInput(role="applicant", name="张三", id_number=id_number, phone="13800001111")],
        actor=dispatcher,
    ).case


def _input(case, officer, **kw) -> services.EntryInput:
    values = {
        "case": case.number,
        "party_id": case.parties.first().pk,
        "reason_kind": "court_notice",
        "reason_note": "人民法庭来函：判决后仍多次到庭吵闹",
        "officer_id": officer.pk,
        "plan": "每两周走访一次，协调镇司法所跟进执行",
        "review_on": clock.today() + timedelta(days=90),
        "cases": [],
    }
    values.update(kw)
    return services.EntryInput(**values)


def test_a_leader_lists_a_person_with_reason_cases_officer_and_plan(anji, dispatcher, people):
    # given a case of the person
    case = _register(anji, dispatcher)

    # when a leader lists them
    entry = services.watch_entry_create(actor=people["leader"], data=_input(case, people["officer"]))

    # then the entry holds the hash only, the reason's cases, and its first record
    assert entry.person_hash == case.parties.first().id_number_hash and len(entry.person_hash) == 64
    assert [c.number for c in entry.cases.all()] == [case.number]
    assert not any(f.name in ("name", "id_number_enc", "phone_enc") for f in WatchEntry._meta.fields)
    assert list(entry.events.values_list("kind", flat=True)) == ["listed"]


@pytest.mark.parametrize(
    "missing",
    [{"reason_kind": ""}, {"reason_note": "  "}, {"officer_id": None}, {"plan": ""}, {"review_on": None}],
)
def test_an_entry_without_reason_or_officer_is_refused(anji, dispatcher, people, missing):
    case = _register(anji, dispatcher)
    with pytest.raises(ValidationFailed) as exc:
        services.watch_entry_create(actor=people["leader"], data=_input(case, people["officer"], **missing))
    assert exc.value.status == 422 and exc.value.fields
    assert not WatchEntry.objects.exists()


def test_the_reason_must_be_borne_out_by_the_cases(anji, dispatcher, people):
    # a neighbours' noise case is not red, and no petition of the person ended with 复核
    case = _register(anji, dispatcher)
    for kind in ("red_risk", "repeat_petition"):
        with pytest.raises(ValidationFailed) as exc:
            services.watch_entry_create(
                actor=people["leader"], data=_input(case, people["officer"], reason_kind=kind)
            )
        assert "reason_kind" in exc.value.fields
    # a further case of someone else cannot be named as the reason
    other = _register(anji, dispatcher, id_number="330523198505052215")
    with pytest.raises(ValidationFailed) as exc:
        services.watch_entry_create(
            actor=people["leader"], data=_input(case, people["officer"], cases=[other.number])
        )
    assert "cases" in exc.value.fields
    assert not WatchEntry.objects.exists()


def test_only_leaders_list_and_a_person_is_listed_once(anji, dispatcher, people):
    case = _register(anji, dispatcher)
    with pytest.raises(PermissionDenied):
        services.watch_entry_create(actor=people["officer"], data=_input(case, people["officer"]))
    services.watch_entry_create(actor=people["leader"], data=_input(case, people["officer"]))
    with pytest.raises(Conflict):
        services.watch_entry_create(actor=people["leader"], data=_input(case, people["officer"]))
    assert WatchEntry.objects.count() == 1


def test_only_leaders_of_the_area_and_the_officer_see_an_entry_and_each_view_is_logged(
    anji, dispatcher, people
):
    case = _register(anji, dispatcher)
    entry = services.watch_entry_create(actor=people["leader"], data=_input(case, people["officer"]))

    # the officer and the county's leader see it, each viewing logged
    assert selectors.entry_get(viewer=people["officer"], entry_id=entry.pk) == entry
    assert [e.pk for e in selectors.entry_list(viewer=people["leader"])] == [entry.pk]
    # a handler of the county, a superuser without the leader role and another town's leader do not
    for viewer in (people["handler"], dispatcher, people["town_leader2"]):
        with pytest.raises(NotFound):
            selectors.entry_get(viewer=viewer, entry_id=entry.pk)
        assert selectors.entry_list(viewer=viewer) == []
    log = list(WatchAccessLog.objects.order_by("at", "id").values_list("staff__username", "what"))
    assert log == [("officer", "page"), ("leader", "list")]
    # the page says who may see it: the officer and the leaders of the area
    assert [s.username for s in selectors.who_may_see(entry)] == ["officer", "leader"]


def test_removal_and_lapse_are_recorded_with_their_reason(anji, dispatcher, people):
    case = _register(anji, dispatcher)
    one = services.watch_entry_create(actor=people["leader"], data=_input(case, people["officer"]))
    services.watch_contact_add(actor=people["officer"], entry_id=one.pk, note="电话联系，情绪稳定")
    with pytest.raises(ValidationFailed):
        services.watch_entry_remove(actor=people["leader"], entry_id=one.pk, reason=" ")
    with pytest.raises(Conflict):
        services.watch_entry_remove(actor=people["leader"], entry_id=one.pk, reason="化解", version=99)
    services.watch_entry_remove(actor=people["leader"], entry_id=one.pk, reason="纠纷已化解，履行完毕")
    one.refresh_from_db()
    assert (one.status, one.end_reason) == ("removed", "纠纷已化解，履行完毕")
    with pytest.raises(Conflict):
        services.watch_contact_add(actor=people["officer"], entry_id=one.pk, note="再次走访")

    # a second entry, not renewed, lapses at the sweep after its review date; a renewed one stays
    two = services.watch_entry_create(
        actor=people["leader"],
        data=_input(case, people["officer"], review_on=clock.today() + timedelta(days=10)),
    )
    with time_machine.travel(clock.now() + timedelta(days=12), tick=False):
        alerts_sweep()
        alerts_sweep()  # idempotent
    two.refresh_from_db()
    assert two.status == "lapsed" and "passed without renewal" in two.end_reason
    assert list(two.events.values_list("kind", flat=True)) == ["listed", "lapsed"]
    assert list(one.events.values_list("kind", flat=True)) == ["listed", "contact", "removed"]


def test_renewal_moves_the_review_date(anji, dispatcher, people):
    case = _register(anji, dispatcher)
    entry = services.watch_entry_create(
        actor=people["leader"],
        data=_input(case, people["officer"], review_on=clock.today() + timedelta(days=5)),
    )
    later = clock.today() + timedelta(days=60)
    services.watch_entry_renew(actor=people["leader"], entry_id=entry.pk, review_on=later, note="仍在执行中")
    with time_machine.travel(clock.now() + timedelta(days=8), tick=False):
        alerts_sweep()
    entry.refresh_from_db()
    assert (entry.status, entry.review_on) == ("active", later)
    assert list(entry.events.values_list("kind", flat=True)) == ["listed", "renewed"]


def test_new_registrations_of_a_listed_person_alert_the_officer(anji, dispatcher, people):
    # given a listed person
    case = _register(anji, dispatcher)
    entry = services.watch_entry_create(actor=people["leader"], data=_input(case, people["officer"]))

    # when they register again, alone and in a batch with someone else
    again = _register(anji, dispatcher, text="又因噪音问题与邻居发生争执")
    batch = case_register_many(
        [
            RegistrationRequest(
                channel="hotline_12345",
                region=anji.village2,
                description="要求继续处理装修噪音",
                parties=[PartyInput(role="applicant", name="张三", id_number=PERSON_ID)],
            ),
            RegistrationRequest(
                channel="hotline_12345",
                region=anji.village2,
                description="楼上漏水",
                parties=[PartyInput(role="applicant", name="李四", id_number="330523198505052215")],
            ),
        ],
        actor=dispatcher,
    )

    # then the officer has one alert per new case of the person, naming the case only
    hits = WatchEvent.objects.filter(entry=entry, kind="registered").order_by("id")
    assert [h.case_id for h in hits] == [again.pk, batch[0].case.pk]
    assert selectors.unseen_alerts(people["officer"]) == 2
    services.watch_alerts_seen(actor=people["officer"], entry_id=entry.pk)
    assert selectors.unseen_alerts(people["officer"]) == 0


# ---------------------------------------------------------------- API and pages


def _auth(staff):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=staff)}"}


def test_api_lists_and_adds_for_leaders_and_officers_only(anji, dispatcher, people, client):
    case = _register(anji, dispatcher)
    body = {
        "case": case.number,
        "party_id": case.parties.first().pk,
        "reason_kind": "police_notice",
        "reason_note": "派出所通报：多次扬言报复邻居",
        "officer_id": people["officer"].pk,
        "plan": "每周联系一次",
        "review_on": (clock.today() + timedelta(days=30)).isoformat(),
    }
    url = "/api/v1/watchlist"
    # a handler may neither read nor add
    assert client.get(url, **_auth(people["handler"])).json()["error"] == "permission_denied"
    assert (
        client.post(url, body, content_type="application/json", **_auth(people["handler"])).status_code == 403
    )
    # a leader adds; the officer reads it, with the purpose stated
    created = client.post(url, body, content_type="application/json", **_auth(people["leader"]))
    assert created.status_code == 201, created.content
    rows = client.get(url, **_auth(people["officer"])).json()
    assert [r["id"] for r in rows] == [created.json()["id"]] and rows[0]["cases"] == [case.number]
    assert rows[0]["purpose"]
    # the same person again → 409
    again = client.post(url, body, content_type="application/json", **_auth(people["leader"]))
    assert (again.status_code, again.json()["error"]) == (409, "already_listed")
    assert WatchAccessLog.objects.filter(via="api").count() == 1


@pytest.mark.parametrize("drop", ["reason_kind", "officer_id"])
def test_api_entry_without_reason_or_officer_is_422(anji, dispatcher, people, client, drop):
    case = _register(anji, dispatcher)
    body = {
        "case": case.number,
        "party_id": case.parties.first().pk,
        "reason_kind": "court_notice",
        "reason_note": "法院来函",
        "officer_id": people["officer"].pk,
        "plan": "走访",
        "review_on": (clock.today() + timedelta(days=30)).isoformat(),
    }
    body.pop(drop)
    r = client.post("/api/v1/watchlist", body, content_type="application/json", **_auth(people["leader"]))
    assert r.status_code == 422 and r.json()["error"] == "validation_failed"
    assert not WatchEntry.objects.exists()


def test_api_bad_input_is_never_a_500(anji, dispatcher, people, client):
    auth = _auth(people["leader"])
    for body in (
        "not json",
        "[]",
        '{"case": 5}',
        '{"case": "x", "review_on": "2026-13-45"}',
        '{"case": "nope"}',
    ):
        r = client.post("/api/v1/watchlist", body, content_type="application/json", **auth)
        assert r.status_code in (404, 422), (body, r.status_code)


def test_pages_show_why_and_who_and_hide_from_others(anji, dispatcher, people, client):
    case = _register(anji, dispatcher)
    entry = services.watch_entry_create(actor=people["leader"], data=_input(case, people["officer"]))
    client.force_login(people["officer"])
    page = client.get(reverse("watchlist:detail", args=[entry.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert page.status_code == 200 and "人民法庭来函" in text and case.number in text
    assert 'id="purpose"' in text and 'id="who"' in text
    assert PERSON_ID not in text
    client.force_login(people["handler"])
    assert client.get(reverse("watchlist:detail", args=[entry.pk])).status_code == 404
    assert client.get(reverse("watchlist:list")).status_code == 404
    # a leader lists a person through the form; without an officer the form says so
    client.force_login(people["leader"])
    other = _register(anji, dispatcher, id_number="330523198505052215")
    form = {
        "case": other.number,
        "party": other.parties.first().pk,
        "reason_kind": "court_notice",
        "reason_note": "法院来函",
        "plan": "走访",
        "review_on": (clock.today() + timedelta(days=30)).isoformat(),
    }
    r = client.post(reverse("watchlist:new"), form)
    assert r.status_code == 422 and WatchEntry.objects.count() == 1
    r = client.post(reverse("watchlist:new"), {**form, "officer": people["officer"].pk})
    assert r.status_code == 302 and WatchEntry.objects.count() == 2


def test_the_menu_shows_the_list_to_leaders_and_officers_with_unseen_new_cases(
    anji, dispatcher, people, client
):
    case = _register(anji, dispatcher)
    services.watch_entry_create(actor=people["leader"], data=_input(case, people["officer"]))
    _register(anji, dispatcher, text="再次反映噪音问题")
    client.force_login(people["officer"])
    page = client.get(reverse("web:case_list")).content.decode()
    assert 'id="nav-watchlist"' in page and 'overdue-badge">1<' in page
    client.force_login(people["handler"])
    assert 'id="nav-watchlist"' not in client.get(reverse("web:case_list")).content.decode()


def test_repeat_petition_needs_a_case_after_the_petition_ended_with_review(anji, dispatcher, people):
    from jiefen.procedures.models import PetitionEnded, Procedure

    # given a petition of the person that ended with 复核, then a new case of theirs
    old = _register(anji, dispatcher, text="要求解决征地补偿问题")
    proc = Procedure.objects.create(
        case=old,
        kind="petition",
        organization=old.lead_organization,
        province="33",
        started_at=old.received_at,
    )
    person = old.parties.first().id_number_hash
    PetitionEnded.objects.create(
        procedure=proc, case=old, person_hash=person, facts="征地补偿", ended_at=clock.now()
    )
    data = _input(old, people["officer"], reason_kind="repeat_petition")
    # the ended petition alone does not bear the reason out
    with pytest.raises(ValidationFailed):
        services.watch_entry_create(actor=people["leader"], data=data)
    with time_machine.travel(clock.now() + timedelta(days=3), tick=False):
        again = _register(anji, dispatcher, text="再次要求解决征地补偿问题")
        # when the new case is named too, the person is listed
        entry = services.watch_entry_create(
            actor=people["leader"],
            data=_input(old, people["officer"], reason_kind="repeat_petition", cases=[again.number]),
        )
    assert sorted(c.number for c in entry.cases.all()) == sorted([old.number, again.number])
