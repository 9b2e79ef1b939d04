"""Revealing a full ID number or phone needs a role whose work needs it, and a stated reason."""

import pytest

from jiefen.cases.models import CaseEvent, PiiAccessLog
from jiefen.cases.services import PartyInput, case_register, party_pii_reveal
from jiefen.core.errors import PermissionDenied, ValidationFailed
from jiefen.directory.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def party(anji, dispatcher):
    return case_register(
        channel="walk_in",
        region=anji.village.code,
        description="邻居漏水纠纷",
        category="neighbour",
        parties=[PartyInput(role="applicant", name="王小明", phone="13812345678")],
        actor=dispatcher,
    ).case.parties.get()


@pytest.mark.parametrize("roles", [["analyst"], ["grid_worker"], ["agent"], ["grid_worker", "agent"]])
def test_roles_that_do_not_need_it_are_refused(anji, staff_factory, party, roles):
    # given
    who = staff_factory(anji.org("county_centre"), roles)
    # when / then
    with pytest.raises(PermissionDenied):
        party_pii_reveal(viewer=who, party=party, field_name="phone", reason="看看")
    assert not PiiAccessLog.objects.exists()


def test_a_reason_is_required_and_logged(dispatcher, party):
    # given / when
    with pytest.raises(ValidationFailed) as exc:
        party_pii_reveal(viewer=dispatcher, party=party, field_name="phone", reason="  ")
    value = party_pii_reveal(viewer=dispatcher, party=party, field_name="phone", reason="电话回访当事人")
    # then
    assert exc.value.code == "reason_required"
    assert value == "13812345678"
    assert CaseEvent.objects.get(kind="pii_revealed").reason == "电话回访当事人"


def test_the_api_answers_403_and_422(client, anji, staff_factory, party, dispatcher):
    # given
    analyst = api_token_create(staff=staff_factory(anji.org("county_centre"), ["analyst"]))
    mine = api_token_create(staff=dispatcher)
    url = f"/api/v1/cases/{party.case.number}/parties/{party.pk}/reveal?field=phone"
    # when
    refused = client.post(url + "&reason=x", HTTP_AUTHORIZATION=f"Bearer {analyst}")
    no_reason = client.post(url, HTTP_AUTHORIZATION=f"Bearer {mine}")
    # then
    assert refused.status_code == 403 and refused.json()["error"] == "permission_denied"
    assert no_reason.status_code == 422 and no_reason.json()["error"] == "reason_required"
