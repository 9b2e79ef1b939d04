"""Small builders for triage tests."""

from __future__ import annotations

from jiefen.cases.tests.factories import PartyFactory, RegistrationFactory


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
        parties = [PartyFactory(name=applicant, phone=phone, id_number=id_number)]
        if respondent:
            parties.append(PartyFactory(role="respondent", name=respondent))
    return RegistrationFactory(
        channel=channel,
        region=region or anji.village,
        description=text,
        parties=parties,
        category=category,
        actor=actor,
    )
