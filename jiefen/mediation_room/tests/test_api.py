"""The room's REST endpoints and their answers to bad input (stable codes, nothing written)."""

from __future__ import annotations

import base64

import pytest

from jiefen.cases.models import CaseEvent
from jiefen.mediation_room.models import RoomCode, RoomMessage, TermsConfirmation, TermsVersion
from jiefen.mediation_room.tests.conftest import APPLICANT_PHONE, EXE, JPEG, PDF, RESPONDENT_PHONE, last_code

pytestmark = pytest.mark.django_db

TERMS = "一、李四停止夜间施工。\n二、李四赔偿王小明五百元。"


def post(client, url, body, auth):
    return client.post(url, body, content_type="application/json", **auth)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def propose(client, procedure, auth, text=TERMS):
    resp = post(client, f"/api/v1/procedures/{procedure.pk}/terms", {"text": text}, auth)
    assert resp.status_code == 201, resp.content
    return resp.json()


def send_code(client, terms_id, party, auth):
    return post(client, f"/api/v1/terms/{terms_id}/codes", {"party_id": party.pk}, auth)


def confirm(client, terms_id, party, code, auth):
    return post(client, f"/api/v1/terms/{terms_id}/confirmations", {"party_id": party.pk, "code": code}, auth)


def test_schedule_a_session_and_invite(client, procedure, mediator, token):
    # when
    resp = post(
        client,
        f"/api/v1/procedures/{procedure.pk}/sessions",
        {"starts_at": "2026-06-20T14:00:00+08:00", "mode": "phone", "invite": True},
        token(mediator),
    )
    # then
    assert resp.status_code == 201, resp.content
    assert (resp.json()["mode"], resp.json()["invited"]) == ("phone", 2)


def test_a_session_with_bad_fields_is_refused(client, procedure, mediator, token):
    # when
    resp = post(
        client,
        f"/api/v1/procedures/{procedure.pk}/sessions",
        {
            "starts_at": "2026-06-20T14:00:00+08:00",
            "mode": "in_person",
            "meeting_link": "javascript:alert(1)",
        },
        token(mediator),
    )
    # then
    assert resp.status_code == 422
    assert set(resp.json()["fields"]) == {"place", "meeting_link"}


def test_messages_with_files_round_trip(client, procedure, mediator, token):
    # given
    auth = token(mediator)
    url = f"/api/v1/procedures/{procedure.pk}/messages"
    # when
    first = post(client, url, {"text": "请上传噪音照片"}, auth)
    second = post(client, url, {"text": "调解笔录", "file_name": "笔录.pdf", "file_base64": b64(PDF)}, auth)
    listed = client.get(url, **auth)
    after = client.get(f"{url}?after={first.json()['id']}", **auth)
    # then
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["file_kind"] == "pdf" and len(second.json()["file_sha256"]) == 64
    assert [m["text"] for m in listed.json()] == ["请上传噪音照片", "调解笔录"]
    assert [m["id"] for m in after.json()] == [second.json()["id"]]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [("照片.jpg", PDF, "file_mismatch"), ("程序.pdf", EXE, "file_refused"), ("a.exe", EXE, "file_refused")],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(
    client, procedure, mediator, token, name, content, code
):
    # when
    resp = post(
        client,
        f"/api/v1/procedures/{procedure.pk}/messages",
        {"file_name": name, "file_base64": b64(content)},
        token(mediator),
    )
    # then
    assert (resp.status_code, resp.json()["error"]) == (422, code)
    assert RoomMessage.objects.count() == 0


def test_bad_base64_and_empty_messages_are_refused(client, procedure, mediator, token):
    # given
    url = f"/api/v1/procedures/{procedure.pk}/messages"
    # when
    bad = post(client, url, {"file_name": "a.jpg", "file_base64": "@@not base64@@"}, token(mediator))
    empty = post(client, url, {"text": "   "}, token(mediator))
    # then
    assert (bad.status_code, empty.status_code) == (422, 422)
    assert RoomMessage.objects.count() == 0


def test_messages_after_the_procedure_ended_are_409(client, procedure, mediator, token):
    # given
    from jiefen.core import clock

    procedure.status, procedure.ended_at = "ended", clock.now()
    procedure.save()
    # when
    resp = post(client, f"/api/v1/procedures/{procedure.pk}/messages", {"text": "还在吗"}, token(mediator))
    # then
    assert (resp.status_code, resp.json()["error"]) == (409, "procedure_ended")


def test_terms_confirmed_by_both_parties_become_final(client, procedure, parties, mediator, token):
    # given
    auth = token(mediator)
    applicant, respondent = parties
    terms = propose(client, procedure, auth)
    # when: both parties read the code sent to them out on a phone session
    results = []
    for party, phone in ((applicant, APPLICANT_PHONE), (respondent, RESPONDENT_PHONE)):
        assert send_code(client, terms["id"], party, auth).status_code == 201
        results.append(confirm(client, terms["id"], party, last_code(phone), auth))
    # then
    assert [r.status_code for r in results] == [201, 201]
    assert [r.json()["final"] for r in results] == [False, True]
    assert results[1].json()["sha256"] == terms["sha256"]
    check = client.get(f"/api/v1/terms/{terms['id']}/check", **auth).json()
    assert check["text_intact"] and all(c["matches"] for c in check["confirmations"])


def test_a_wrong_code_is_refused_and_counted(client, procedure, parties, mediator, token):
    # given
    auth = token(mediator)
    applicant, _ = parties
    terms = propose(client, procedure, auth)
    send_code(client, terms["id"], applicant, auth)
    right = last_code(APPLICANT_PHONE)
    # when
    resp = confirm(client, terms["id"], applicant, "999999" if right != "999999" else "888888", auth)
    # then
    assert (resp.status_code, resp.json()["error"]) == (422, "code_wrong")
    assert RoomCode.objects.get(purpose="confirm").attempts == 1
    assert TermsConfirmation.objects.count() == 0


def test_an_expired_code_is_refused(client, procedure, parties, mediator, token, travel):
    # given
    from datetime import timedelta

    from jiefen.core import clock

    auth = token(mediator)
    applicant, _ = parties
    terms = propose(client, procedure, auth)
    send_code(client, terms["id"], applicant, auth)
    code = last_code(APPLICANT_PHONE)
    # when
    travel(clock.now() + timedelta(minutes=11))
    resp = confirm(client, terms["id"], applicant, code, auth)
    # then
    assert (resp.status_code, resp.json()["error"]) == (422, "code_expired")


def test_wrong_codes_are_limited_per_phone(client, procedure, parties, mediator, token):
    # given: ten wrong tries spread over codes of the same phone
    auth = token(mediator)
    applicant, _ = parties
    terms = propose(client, procedure, auth)
    for _round in range(2):
        send_code(client, terms["id"], applicant, auth)
        for _ in range(5):
            confirm(client, terms["id"], applicant, "000000", auth)
    send_code(client, terms["id"], applicant, auth)
    right = last_code(APPLICANT_PHONE)
    # when
    resp = confirm(client, terms["id"], applicant, right, auth)
    # then
    assert (resp.status_code, resp.json()["error"]) == (422, "rate_limited")


def test_codes_sent_are_limited_per_party(client, procedure, parties, mediator, token):
    # given
    auth = token(mediator)
    applicant, _ = parties
    terms = propose(client, procedure, auth)
    # when
    answers = [send_code(client, terms["id"], applicant, auth).status_code for _ in range(4)]
    # then
    assert answers == [201, 201, 201, 422]


def test_a_party_of_another_case_gets_409(client, procedure, two_party_case, mediator, token):
    # given
    auth = token(mediator)
    other_case = two_party_case(description="隔壁养狗噪音扰民，多次协商未果")
    stranger = other_case.parties.get(role="applicant")
    terms = propose(client, procedure, auth)
    # when
    code = send_code(client, terms["id"], stranger, auth)
    conf = confirm(client, terms["id"], stranger, "123456", auth)
    # then
    assert (code.status_code, code.json()["error"]) == (409, "party_other_case")
    assert (conf.status_code, conf.json()["error"]) == (409, "party_other_case")


def test_confirming_an_outdated_version_is_409(client, procedure, parties, mediator, token):
    # given
    auth = token(mediator)
    applicant, _ = parties
    v1 = propose(client, procedure, auth)
    send_code(client, v1["id"], applicant, auth)
    code = last_code(APPLICANT_PHONE)
    v2 = propose(client, procedure, auth, text=TERMS + "\n三、互谅互让。")
    # when
    resp = confirm(client, v1["id"], applicant, code, auth)
    # then
    assert (resp.status_code, resp.json()["error"]) == (409, "terms_outdated")
    assert v2["number"] == 2 and TermsConfirmation.objects.count() == 0


def test_terms_of_a_procedure_outside_the_jurisdiction_are_404(client, procedure, anji, staff_factory, token):
    # given
    outsider = staff_factory(anji.org("village_committee", anji.other_village), ["mediator"], username="far")
    # when
    resp = post(client, f"/api/v1/procedures/{procedure.pk}/terms", {"text": TERMS}, token(outsider))
    # then
    assert resp.status_code == 404
    assert TermsVersion.objects.count() == 0


def test_every_write_is_on_the_timeline(client, procedure, mediator, token):
    # given
    auth = token(mediator)
    # when
    post(
        client,
        f"/api/v1/procedures/{procedure.pk}/messages",
        {"file_name": "x.jpg", "file_base64": b64(JPEG)},
        auth,
    )
    propose(client, procedure, auth)
    # then
    kinds = set(CaseEvent.objects.filter(case=procedure.case).values_list("kind", flat=True))
    assert {"room_file", "terms_proposed"} <= kinds


def test_the_openapi_document_lists_the_room(client, mediator, token):
    # when
    paths = client.get("/api/v1/openapi.json", **token(mediator)).json()["paths"]
    # then
    assert {
        "/api/v1/procedures/{pk}/sessions",
        "/api/v1/procedures/{pk}/messages",
        "/api/v1/procedures/{pk}/terms",
        "/api/v1/terms/{pk}/confirmations",
    } <= set(paths)
