"""A citizen asks on the portal to reopen a resolved case; the request reaches the dispatchers'
queue and an alert, is decided with a reason, and is marked decided when the case is reopened
or the request refused."""

import pytest

from jiefen.alerts.models import Alert
from jiefen.cases.models import Case, CaseEvent
from jiefen.cases.services import case_transition
from jiefen.directory.services import api_token_create
from jiefen.portal.models import ReopenRequest
from jiefen.portal.tests.test_portal import _open, _resolve

pytestmark = pytest.mark.django_db


def auth(staff):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=staff)}"}


def test_a_refused_request_tells_the_applicant_why_and_leaves_the_queue(
    client, anji, dispatcher, staff_factory, frozen_now, sms_file, django_capture_on_commit_callbacks
):
    # given: 王小明's noise complaint was resolved; at home he finds the work goes on at night
    case = _open(client, anji, sms_file, django_capture_on_commit_callbacks)
    _resolve(case, anji, staff_factory)
    citizen = client
    # when he asks on the portal to reopen it
    asked = citizen.post("/portal/case/reopen/", {"reason": "对方晚上仍在施工"})
    # then the dispatcher finds it in the queue (API), on the triage queue and as an alert
    assert asked.status_code == 302
    queue = citizen.get("/api/v1/reopen-requests", **auth(dispatcher)).json()
    assert [(r["case_number"], r["waiting"], r["reason"]) for r in queue] == [
        (case.number, True, "对方晚上仍在施工")
    ]
    alert = Alert.objects.get(rule__code="reopen_requested", case=case)
    assert alert.status == "open" and alert.reasons[0]["reason"] == "对方晚上仍在施工"
    assert CaseEvent.objects.filter(case=case, kind="reopen_requested").exists()
    from django.test import Client

    staff = Client()
    staff.force_login(dispatcher)
    triage = staff.get("/triage/queue/").content.decode()
    assert 'id="reopen-waiting-banner"' in triage and "1" in triage
    listed = staff.get("/reopen-requests/").content.decode()
    assert case.number in listed and "对方晚上仍在施工" in listed

    # when the dispatcher refuses without a reason, then with one
    req_id = queue[0]["id"]
    bare = staff.post(
        f"/api/v1/reopen-requests/{req_id}/decision",
        {"decision": "refuse", "reason": " "},
        content_type="application/json",
        **auth(dispatcher),
    )
    refused = staff.post(
        f"/api/v1/reopen-requests/{req_id}/decision",
        {"decision": "refuse", "reason": "经核实已停止夜间施工，系白天正常装修"},
        content_type="application/json",
        **auth(dispatcher),
    )
    twice = staff.post(
        f"/api/v1/reopen-requests/{req_id}/decision",
        {"decision": "reopen", "reason": "再看看"},
        content_type="application/json",
        **auth(dispatcher),
    )
    # then the bare refusal is refused, the reasoned one decides, a second decision conflicts
    assert bare.status_code == 422 and bare.json()["error"] == "reason_required"
    assert refused.status_code == 200, refused.content
    assert refused.json()["decision"] == "refused" and not refused.json()["waiting"]
    assert twice.status_code == 409 and twice.json()["error"] == "reopen_request_decided"
    assert Case.objects.get(pk=case.pk).status == "resolved"
    alert.refresh_from_db()
    assert alert.status == "closed" and alert.resolution == "handled"
    assert citizen.get("/api/v1/reopen-requests", **auth(dispatcher)).json() == []
    # and the applicant reads the refusal and its reason on the portal
    portal = citizen.get("/portal/case/").content.decode()
    assert "经核实已停止夜间施工" in portal


def test_reopening_the_case_decides_the_request_whoever_reopens_it(
    client, anji, dispatcher, staff_factory, frozen_now, sms_file, django_capture_on_commit_callbacks
):
    # given: a request to reopen waits in the queue
    case = _open(client, anji, sms_file, django_capture_on_commit_callbacks)
    _resolve(case, anji, staff_factory)
    client.post("/portal/case/reopen/", {"reason": "赔偿款至今未付"})
    req = ReopenRequest.objects.get()
    staff = type(client)()
    staff.force_login(dispatcher)
    # when the dispatcher reopens it from the case page's form
    page = staff.get(f"/cases/{case.number}/").content.decode()
    resp = staff.post(
        f"/reopen-requests/{req.pk}/decide/",
        {"decision": "reopen", "reason": "对方确未付款，重新调处", "next": f"/cases/{case.number}/"},
    )
    # then the case is handled again and the request is decided as reopened
    assert 'class="reopen-decide' in page
    assert resp.status_code == 302 and resp["Location"] == f"/cases/{case.number}/"
    req.refresh_from_db()
    reopened = Case.objects.get(pk=case.pk)
    assert reopened.status == "in_progress"
    assert (req.handled, req.decision, req.decided_by) == (True, "reopened", dispatcher)
    assert "对方确未付款" in req.decision_reason
    assert (
        not Alert.objects.filter(rule__code="reopen_requested", case=case).exclude(status="closed").exists()
    )


def test_a_reopen_from_the_case_itself_also_marks_the_request_decided(
    client, anji, dispatcher, staff_factory, frozen_now, sms_file, django_capture_on_commit_callbacks
):
    # given
    case = _open(client, anji, sms_file, django_capture_on_commit_callbacks)
    _resolve(case, anji, staff_factory)
    client.post("/portal/case/reopen/", {"reason": "问题没有解决"})
    # when a leader reopens the case by its own action (not through the queue)
    leader = staff_factory(anji.org("county_centre"), ["leader"])
    case_transition(case=case.number, actor=leader, action="reopen", reason="领导接访后决定重新办理")
    # then the request is no longer waiting
    req = ReopenRequest.objects.get()
    assert (req.handled, req.decision, req.decided_by) == (True, "reopened", leader)
    assert req.decision_reason == "领导接访后决定重新办理"


def test_a_handler_may_not_decide_and_another_county_does_not_see_it(
    client, anji, dispatcher, staff_factory, frozen_now, sms_file, django_capture_on_commit_callbacks
):
    # given
    case = _open(client, anji, sms_file, django_capture_on_commit_callbacks)
    _resolve(case, anji, staff_factory)
    client.post("/portal/case/reopen/", {"reason": "问题没有解决"})
    req = ReopenRequest.objects.get()
    handler = staff_factory(anji.org("county_centre"), ["handler"])
    from conftest import make_county

    other = make_county("330522", "长兴县")
    stranger = staff_factory(other.org("county_centre"), ["dispatcher"])
    # when
    by_handler = client.post(
        f"/api/v1/reopen-requests/{req.pk}/decision",
        {"decision": "refuse", "reason": "不予重新办理"},
        content_type="application/json",
        **auth(handler),
    )
    by_stranger = client.post(
        f"/api/v1/reopen-requests/{req.pk}/decision",
        {"decision": "refuse", "reason": "不予重新办理"},
        content_type="application/json",
        **auth(stranger),
    )
    # then
    assert by_handler.status_code == 403 and by_handler.json()["error"] == "permission_denied"
    assert by_stranger.status_code == 404
    assert client.get("/api/v1/reopen-requests", **auth(stranger)).json() == []
    assert not ReopenRequest.objects.get().handled
