"""The case page proposes a referral; the record pages are the psych role's and the counsellor's."""

from __future__ import annotations

import pytest

from jiefen.procedures.services import leader_take_charge
from jiefen.psych.models import PsychAccessLog, PsychAlert, PsychReferral

pytestmark = pytest.mark.django_db


def test_refer_from_the_case_page_then_screen_and_alert(
    anji, mediator, leader, accepted_case, counsellor, counsellor_staff, psych_officer, client
):
    case = accepted_case(description="对方欠钱不还，当事人说不想活了")
    leader_take_charge(case=case, actor=leader)
    client.force_login(mediator)
    page = client.get(f"/cases/{case.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="psych-proposal" data-source="self_harm_words"' in page and "不想活" in page
    party = case.parties.get(role="applicant")
    client.post(
        f"/psych/cases/{case.number}/refer/",
        {
            "counsellor_id": counsellor.pk,
            "party_id": party.pk,
            "reason": "有轻生言语",
            "source": "self_harm_words",
        },
    )
    ref = PsychReferral.objects.get()
    assert ref.source == "self_harm_words" and ref.status == "proposed"
    # The referring mediator cannot open it, nor see it in a list.
    assert client.get(f"/psych/{ref.pk}/").status_code == 404
    assert "有轻生言语" not in client.get(f"/cases/{case.number}/").content.decode()
    assert 'id="nav-psych"' not in client.get("/cases/").content.decode()

    client.force_login(counsellor_staff)
    assert 'id="nav-psych"' in client.get("/cases/").content.decode()
    assert "有轻生言语" in client.get(f"/psych/{ref.pk}/").content.decode()
    client.post(f"/psych/{ref.pk}/consent/", {"consent": "1"})
    answers = {f"phq9-{i}": "1" for i in range(1, 10)}
    client.post(f"/psych/{ref.pk}/screening/", {"scale": "phq9", **answers})
    assert PsychAlert.objects.filter(recipient=leader).count() == 1
    client.post(f"/psych/{ref.pk}/session/", {"notes": "情绪稳定下来"})
    page = client.get(f"/psych/{ref.pk}/").content.decode()
    assert "情绪稳定下来" in page and "<strong>9</strong>" in page

    # The leader sees the alert (not the content) and acknowledges it.
    client.force_login(leader)
    listing = client.get("/psych/").content.decode()
    assert case.number in listing and "有轻生言语" not in listing
    assert client.get(f"/psych/{ref.pk}/").status_code == 404
    alert = PsychAlert.objects.get(recipient=leader)
    client.post(f"/psych/alerts/{alert.pk}/ack/")
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None

    client.force_login(psych_officer)
    assert client.get(f"/psych/{ref.pk}/").status_code == 200
    assert PsychAccessLog.objects.filter(referral=ref).values("viewer").distinct().count() == 2
