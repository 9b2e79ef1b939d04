"""Psychological service: referral with consent, scoring, the self-harm alert, who may open."""

from __future__ import annotations

import json

import pytest

from jiefen.core import clock
from jiefen.mediators.models import Mediator
from jiefen.procedures.services import leader_take_charge
from jiefen.psych import scales
from jiefen.psych.models import PsychAccessLog, PsychAlert, PsychReferral, Screening

pytestmark = pytest.mark.django_db


def post(client, path, body, auth):
    return client.post(path, data=json.dumps(body, default=str), content_type="application/json", **auth)


def test_scales_score_and_band():
    assert scales.score("phq9", [0] * 9) == scales.Result("phq9", 0, "minimal", False)
    assert scales.score("phq9", [2, 2, 2, 2, 2, 2, 2, 0, 0]).band == "moderate"
    assert scales.score("phq9", [3] * 8 + [0]).band == "severe"
    assert scales.score("phq9", [0] * 8 + [1]).self_harm is True
    assert scales.score("gad7", [3] * 7) == scales.Result("gad7", 21, "severe", False)
    assert scales.score("gad7", [1, 1, 1, 1, 1, 0, 0]).band == "mild"
    assert scales.score("phq9", [0] * 8) is None and scales.score("gad7", [4] + [0] * 6) is None


def test_red_risk_case_referral_screening_raises_the_alert(
    anji, mediator, leader, accepted_case, counsellor, counsellor_staff, psych_officer, client, token
):
    case = accepted_case(description="邻居长期噪音，当事人说活不下去了，要跳楼")
    leader_take_charge(case=case, actor=leader)
    r = client.get(f"/api/v1/cases/{case.number}/psych-proposal", **token(mediator))
    assert r.json() == {"proposed": True, "source": "self_harm_words", "words": ["跳楼", "活不下去"]}
    party = case.parties.get(role="applicant")
    r = post(
        client,
        f"/api/v1/cases/{case.number}/psych-referrals",
        {
            "counsellor_id": counsellor.pk,
            "party_id": party.pk,
            "reason": "情绪激动，有轻生言语",
            "source": "self_harm_words",
        },
        token(mediator),
    )
    assert r.status_code == 201 and set(r.json()) == {"id", "status", "counsellor_id", "created_at"}
    pk = r.json()["id"]
    # The referring mediator cannot open it: it is the psych role's and the counsellor's.
    assert client.get(f"/api/v1/psych/referrals/{pk}", **token(mediator)).status_code == 404
    assert client.get(f"/api/v1/psych/referrals/{pk}", **token(leader)).status_code == 404
    c = token(counsellor_staff)
    r = post(client, f"/api/v1/psych/referrals/{pk}/screenings", {"scale": "phq9", "answers": [1] * 9}, c)
    assert r.status_code == 409 and r.json()["error"] == "consent_required"
    assert (
        post(
            client, f"/api/v1/psych/referrals/{pk}/consent", {"consent": True, "note": "口头同意"}, c
        ).status_code
        == 200
    )
    r = post(
        client,
        f"/api/v1/psych/referrals/{pk}/screenings",
        {"scale": "phq9", "answers": [2, 2, 1, 1, 1, 1, 1, 1, 1]},
        c,
    )
    assert r.status_code == 201
    assert r.json()["score"] == 11 and r.json()["band"] == "moderate" and r.json()["self_harm"] is True
    assert r.json()["alerts_raised"] == 2
    assert set(PsychAlert.objects.values_list("recipient__username", flat=True)) == {"leader", "counsellor"}
    alerts = client.get("/api/v1/psych/alerts", **token(leader)).json()
    assert [a["case_number"] for a in alerts] == [case.number] and "score" not in alerts[0]
    # The psych officer opens it: content decrypted, each opening logged.
    detail = client.get(f"/api/v1/psych/referrals/{pk}", **token(psych_officer)).json()
    assert detail["reason"] == "情绪激动，有轻生言语" and detail["screenings"][0]["score"] == 11
    assert PsychAccessLog.objects.filter(referral_id=pk, viewer=psych_officer).count() == 1
    # At rest: nothing readable.
    ref = PsychReferral.objects.get(pk=pk)
    assert "轻生" not in ref.reason_enc and '"score"' not in Screening.objects.get().result_enc
    # Not on the case timeline, which every handler reads.
    assert not case.events.filter(kind__startswith="psych").exists()


def test_no_self_harm_no_alert_and_bad_answers(
    anji, mediator, accepted_case, counsellor, counsellor_staff, client, token
):
    case = accepted_case()
    r = post(
        client,
        f"/api/v1/cases/{case.number}/psych-referrals",
        {"counsellor_id": counsellor.pk, "reason": "焦虑", "consent": True},
        token(mediator),
    )
    pk = r.json()["id"]
    c = token(counsellor_staff)
    r = post(client, f"/api/v1/psych/referrals/{pk}/screenings", {"scale": "gad7", "answers": [3] * 7}, c)
    assert r.json()["band"] == "severe" and r.json()["alerts_raised"] == 0
    r = post(client, f"/api/v1/psych/referrals/{pk}/screenings", {"scale": "phq9", "answers": [1] * 3}, c)
    assert r.status_code == 422 and "answers" in r.json()["fields"]
    assert not PsychAlert.objects.exists()


def test_referral_bad_input(anji, mediator, accepted_case, client, token):
    from conftest import make_county

    other = make_county("330522", "长兴县")
    far = Mediator.objects.create(name="外县", kind="counsellor", county=other.county, created_at=clock.now())
    volunteer = Mediator.objects.create(
        name="志愿者", kind="volunteer", county=anji.county, created_at=clock.now()
    )
    case = accepted_case()
    auth = token(mediator)
    url = f"/api/v1/cases/{case.number}/psych-referrals"
    r = post(client, url, {"counsellor_id": volunteer.pk, "reason": "", "party_id": 999999}, auth)
    assert r.status_code == 422 and set(r.json()["fields"]) == {"counsellor_id", "reason", "party_id"}
    r = post(client, url, {"counsellor_id": far.pk, "reason": "x"}, auth)
    assert r.status_code == 409 and r.json()["error"] == "counsellor_outside_county"
    assert not PsychReferral.objects.exists()


def test_self_harm_words_are_red_words_of_triage():
    # A description that proposes a referral is also a red-risk case: the two lists agree.
    from jiefen.triage.risk import EXTREME_WORDS

    assert set(scales.SELF_HARM_WORDS) <= set(EXTREME_WORDS)
