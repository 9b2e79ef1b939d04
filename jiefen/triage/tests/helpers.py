"""Small builders for triage tests."""

from __future__ import annotations

from jiefen.cases.services import PartyInput, case_register


def register(
    anji,
    actor=None,
    *,
    text="邻居家空调外机噪音很大，晚上睡不着",
    region=None,
    category="neighbour",
    applicant="王小明",
    phone="",
    id_number="",
    respondent="",
    channel="walk_in",
    parties=None,
):
    if parties is None:
        parties = [PartyInput(role="applicant", name=applicant, phone=phone, id_number=id_number)]
        if respondent:
            parties.append(PartyInput(role="respondent", name=respondent))
    return case_register(
        channel=channel,
        region=region or anji.village,
        description=text,
        parties=parties,
        category=category,
        actor=actor,
    )
