"""The admin pages of regions, grids, organisations, staff and tokens render for a superuser."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jiefen.directory.models import ApiToken, Organization, Staff
from jiefen.directory.services import api_token_create
from jiefen.regions.models import Region
from jiefen.regions.services import grid_create

CHANGELISTS = (
    "admin:regions_region_changelist",
    "admin:regions_grid_changelist",
    "admin:directory_organization_changelist",
    "admin:directory_staff_changelist",
    "admin:directory_apitoken_changelist",
)


@pytest.fixture
def admin_client_seeded(client, clerk: Staff):
    grid_create(village=Region.objects.get(code="330523001211"), code="G1", name="一网格")
    api_token_create(staff=clerk, name="script")
    admin = Staff.objects.create_superuser(username="root", password="correct horse 1")
    client.force_login(admin)
    return client


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelists_render(admin_client_seeded, name: str):
    # given a superuser and one object of each kind
    # when
    response = admin_client_seeded.get(reverse(name), {"q": "3305"})
    # then
    assert response.status_code == 200


def test_staff_change_page_offers_roles(admin_client_seeded, clerk: Staff):
    # given / when
    response = admin_client_seeded.get(reverse("admin:directory_staff_change", args=[clerk.pk]))
    # then
    assert response.status_code == 200
    assert b'value="dispatcher"' in response.content


def test_token_page_hides_the_hash(admin_client_seeded):
    # given
    token = ApiToken.objects.get()
    # when
    response = admin_client_seeded.get(reverse("admin:directory_apitoken_change", args=[token.pk]))
    # then
    assert response.status_code == 200
    assert token.key_hash.encode() not in response.content


def test_organization_change_page(admin_client_seeded, centre: Organization):
    # given / when
    response = admin_client_seeded.get(reverse("admin:directory_organization_change", args=[centre.pk]))
    # then
    assert response.status_code == 200
