"""Fixtures for the full chain: people, an accepted case, frozen time inside the seeded calendar."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiefen.cases.services import PartyInput, case_register, case_transition
from jiefen.directory.services import api_token_create

TZ = ZoneInfo("Asia/Shanghai")
VALID_ID = "330523198001010011"
PHONE = "13812345678"


def at(y, m, d, h=10):
    return datetime(y, m, d, h, 0, tzinfo=TZ)


@pytest.fixture
def travel():
    """travel(datetime) freezes the clock there (moving it again later in a test is fine)."""
    machines = []

    def go(when: datetime):
        if machines:
            machines.pop().stop()
        tm = time_machine.travel(when, tick=False)
        tm.start()
        machines.append(tm)

    yield go
    for tm in machines:
        tm.stop()


@pytest.fixture
def mediator(anji, staff_factory):
    return staff_factory(
        anji.org("village_committee", anji.village), ["mediator", "handler"], username="mediator"
    )


@pytest.fixture
def leader(anji, staff_factory):
    return staff_factory(anji.org("county_centre"), ["leader"], username="leader", display_name="张县长")


@pytest.fixture
def accepted_case(anji, mediator):
    """Register a neighbour dispute in the village (routed to its committee) and accept it."""

    def make(
        *,
        description="楼上装修噪音，夜间施工，协商未果",
        category="neighbour",
        region=None,
        actor=None,
        parties=None,
    ):
        case = case_register(
            channel="walk_in",
            region=(region or anji.village).code,
            description=description,
            category=category,
            parties=parties
            or [
                PartyInput(role="applicant", name="王小明", id_number=VALID_ID, phone=PHONE),
                PartyInput(role="respondent", name="李四"),
            ],
        ).case
        who = actor or mediator
        if case.lead_organization_id != getattr(who.organization, "pk", None):
            case_transition(
                case=case.number, actor=_dispatcher_for(case), action="route", organization=who.organization
            )
        return case_transition(case=case.number, actor=who, action="accept")

    return make


def _dispatcher_for(case):
    from jiefen.directory.models import Organization, Staff

    centre = Organization.objects.get(kind="county_centre", region=case.county)
    staff, _ = Staff.objects.get_or_create(
        username=f"disp-{case.county.code[:6]}", defaults={"organization": centre, "roles": ["dispatcher"]}
    )
    return staff


@pytest.fixture
def token():
    def make(staff):
        return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(staff=staff)}"}

    return make


@pytest.fixture
def court(anji):
    """The county's people's court, chosen when a judicial confirmation is applied for."""
    return anji.org("court")
