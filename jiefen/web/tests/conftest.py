"""Fixtures for the staff web pages: people at each level of the small test county, and cases."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

TZ = ZoneInfo("Asia/Shanghai")
VALID_ID = "330523198001010011"
VALID_PHONE = "13812345678"


@pytest.fixture
def frozen_now():
    # A working Monday inside the seeded working-day calendar; time moves on from there.
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=TZ), tick=True):
        yield


@pytest.fixture
def village_handler(anji, staff_factory):
    return staff_factory(anji.org("village_committee", anji.village), ["handler"], username="vhandler")


@pytest.fixture
def other_town_handler(anji, staff_factory):
    return staff_factory(anji.org("town_centre", anji.town2), ["handler", "clerk"], username="t2handler")


@pytest.fixture
def town_clerk(anji, staff_factory):
    return staff_factory(anji.org("town_centre", anji.town), ["clerk", "handler"], username="tclerk")


@pytest.fixture
def register():
    """Register a case through the service (as a clerk would) and return the case; the page
    tests give the region first."""
    from jiefen.cases.tests.factories import PartyFactory, RegistrationFactory

    def make(region, *, category="neighbour", description="邻居装修噪音扰民", actor=None, **party):
        applicant = PartyFactory(
            name=party.get("name", "王小明"),
            id_number=party.get("id_number", VALID_ID),
            phone=party.get("phone", VALID_PHONE),
        )
        return RegistrationFactory(
            region=region.code, description=description, category=category, parties=[applicant], actor=actor
        ).case

    return make


def register_post(anji, **overrides) -> dict:
    """The POST body of the register screen, filled in correctly; override any field."""
    data = {
        "channel": "walk_in",
        "county": anji.county.code,
        "town": anji.town.code,
        "village": anji.village.code,
        "category": "neighbour",
        "description": "楼上装修噪音，协商未果",
        "request": "要求对方停止夜间施工",
        "received_at": "",
        "party_count": "2",
        "parties-0-role": "applicant",
        "parties-0-kind": "person",
        "parties-0-name": "王小明",
        "parties-0-id_number": VALID_ID,
        "parties-0-phone": VALID_PHONE,
        "parties-1-role": "respondent",
        "parties-1-kind": "person",
        "parties-1-name": "李四",
        "parties-1-id_number": "",
        "parties-1-phone": "",
    }
    data.update(overrides)
    return data
