from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiefen.cases.models import Case, CaseEvent, Party
from jiefen.cases.services import PartyInput, case_register
from jiefen.core import pii
from jiefen.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
VALID_ID = "330523198001010011"  # check digit computed by GB 11643


def applicant(**kw):
    return PartyInput(role="applicant", name=kw.pop("name", "王小明"), **kw)


def test_valid_id_number_fixture_is_valid():
    # given / when / then
    assert pii.id_number_error(VALID_ID) is None


def test_register_gives_number_query_code_and_routes_to_village(anji, dispatcher):
    # given
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=TZ), tick=False):
        # when
        reg = case_register(
            channel="walk_in",
            region=anji.village.code,
            description="邻居装修噪音扰民",
            category="neighbour",
            parties=[applicant(), PartyInput(role="respondent", name="李四")],
            actor=dispatcher,
        )
    # then
    case = Case.objects.get(pk=reg.case.pk)
    assert case.number == "330523-2026-000001"
    assert len(reg.query_code) == 8
    assert case.status == "triaged"
    assert case.level == "village"
    assert case.lead_organization.kind == "village_committee"
    assert case.lead_organization.region == anji.village
    assert [e.kind for e in CaseEvent.objects.filter(case=case)] == ["registered", "routed"]
    assert case.assignments.get(is_active=True).organization == case.lead_organization


def test_numbers_are_sequential_per_county_and_year(anji):
    # given
    kwargs = dict(
        channel="hotline_12345",
        region=anji.town.code,
        description="欠薪",
        category="labour",
        parties=[applicant()],
    )
    # when
    numbers = [case_register(**kwargs).case.number for _ in range(3)]
    # then
    year = numbers[0].split("-")[1]
    assert numbers == [f"330523-{year}-00000{i}" for i in (1, 2, 3)]


def test_received_at_is_kept_and_deadline_counts_from_it(anji):
    # given: a letter received on 2026-02-10 registered later
    received = datetime(2026, 2, 10, 10, 0, tzinfo=TZ)
    with time_machine.travel(datetime(2026, 2, 12, 9, 0, tzinfo=TZ), tick=False):
        # when
        case = case_register(
            channel="letter",
            region=anji.village.code,
            description="赡养纠纷",
            category="family",
            parties=[applicant()],
            received_at=received,
        ).case
    # then: acceptance is 3 working days after the receipt day (11, 12, 13 Feb)
    assert case.received_at == received
    assert case.due_at.astimezone(TZ).date().isoformat() == "2026-02-13"


def test_pii_is_encrypted_hashed_and_masked(anji):
    # given / when
    case = case_register(
        channel="walk_in",
        region=anji.village.code,
        description="借款不还",
        parties=[applicant(id_number=VALID_ID, phone="13812345678")],
    ).case
    # then
    party = Party.objects.get(case=case)
    assert party.id_number_masked == "3305**********0011"
    assert party.phone_masked == "138****5678"
    assert VALID_ID not in party.id_number_enc
    assert pii.decrypt(party.id_number_enc) == VALID_ID
    assert party.phone_hash == pii.keyed_hash("13812345678")


def test_no_rule_owner_falls_back_to_county_centre(anji):
    # given: a medical case registered for the whole county, which has no medical committee
    anji.org("medical_committee").delete()
    # when
    case = case_register(
        channel="online",
        region=anji.county.code,
        description="医疗纠纷",
        category="medical",
        parties=[applicant()],
    ).case
    # then
    assert case.lead_organization.kind == "county_centre"
    assert case.level == "county"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"region": "999999999999"}, "region_code"),
        ({"description": "   "}, "description"),
        ({"description": "长" * 20001}, "description"),
        ({"channel": "pigeon"}, "channel"),
        ({"category": "astrology"}, "category"),
        ({"parties": [applicant(id_number="330523198001010015")]}, "parties[0].id_number"),
        ({"parties": [applicant(phone="12345")]}, "parties[0].phone"),
        ({"parties": [PartyInput(role="respondent", name="李四")]}, "parties"),
        ({"parties": []}, "parties"),
    ],
)
def test_bad_input_is_refused_with_field_errors_and_nothing_written(anji, changes, field):
    # given
    kwargs = dict(
        channel="walk_in",
        region=anji.village.code,
        description="纠纷",
        category="other",
        parties=[applicant()],
    )
    kwargs.update(changes)
    # when
    with pytest.raises(ValidationFailed) as err:
        case_register(**kwargs)
    # then
    assert field in err.value.fields
    assert err.value.code == "validation_failed"
    assert Case.objects.count() == 0
    assert Party.objects.count() == 0


def test_future_received_at_is_refused(anji):
    # given
    future = datetime(2099, 1, 1, tzinfo=TZ)
    # when / then
    with pytest.raises(ValidationFailed) as err:
        case_register(
            channel="letter",
            region=anji.village.code,
            description="x",
            parties=[applicant()],
            received_at=future,
        )
    assert "received_at" in err.value.fields


@pytest.mark.parametrize(
    "channel",
    [
        "walk_in",
        "hotline_12345",
        "online",
        "grid",
        "letter",
        "leader_reception",
        "police_referral",
        "court_referral",
        "petition",
        "other",
    ],
)
def test_every_channel_registers(anji, channel):
    # given / when
    case = case_register(
        channel=channel, region=anji.village.code, description="纠纷", parties=[applicant()]
    ).case
    # then
    assert case.channel == channel
    assert case.lead_organization_id is not None
