"""Registration needs an intake role: the window, dispatchers, grid workers, agents, leaders."""

import pytest

from jiefen.cases.models import Case
from jiefen.cases.services import PartyInput, case_register
from jiefen.core.errors import PermissionDenied
from jiefen.directory.services import api_token_create

pytestmark = pytest.mark.django_db


def body(anji):
    return {
        "channel": "walk_in",
        "region_code": anji.village.code,
        "description": "邻居漏水纠纷",
        "category": "neighbour",
        "parties": [{"role": "applicant", "kind": "person", "name": "王小明", "phone": "13812345678"}],
    }


@pytest.mark.parametrize("roles", [["analyst"], ["handler"], ["mediator"], ["analyst", "handler"]])
def test_roles_without_intake_may_not_register(client, anji, staff_factory, roles):
    # given
    who = staff_factory(anji.org("county_centre"), roles)
    token = api_token_create(staff=who)
    # when
    resp = client.post(
        "/api/v1/cases", body(anji), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    # then
    assert resp.status_code == 403 and resp.json()["error"] == "permission_denied"
    with pytest.raises(PermissionDenied):
        case_register(
            channel="walk_in",
            region=anji.village.code,
            description="x",
            parties=[PartyInput(role="applicant", name="王")],
            actor=who,
        )
    assert not Case.objects.exists()


@pytest.mark.parametrize("roles", [["clerk"], ["dispatcher"], ["grid_worker"], ["agent"], ["leader"]])
def test_intake_roles_register(client, anji, staff_factory, roles):
    # given
    token = api_token_create(staff=staff_factory(anji.org("county_centre"), roles))
    # when
    resp = client.post(
        "/api/v1/cases", body(anji), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    # then
    assert resp.status_code == 201
