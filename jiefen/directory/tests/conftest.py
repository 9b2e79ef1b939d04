"""Fixtures for directory tests: the demo county, its organisations and a staff member."""

from __future__ import annotations

import pytest
from django.utils import translation

from jiefen.directory.models import Organization, Staff
from jiefen.directory.services import organizations_seed_for_county, staff_create
from jiefen.regions.importers import demo_divisions_path, read_regions
from jiefen.regions.models import Region
from jiefen.regions.services import regions_import


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted by their English msgids, whatever translations are compiled."""
    with translation.override("en"):
        yield


@pytest.fixture
def anji(db) -> Region:
    """安吉县 imported from the shipped NBS extract."""
    regions_import(rows=read_regions(demo_divisions_path()), edition="2023")
    return Region.objects.get(code="330523000000")


@pytest.fixture
def centre(anji: Region) -> Organization:
    """The county centre, after seeding the county's organisations."""
    organizations_seed_for_county(county=anji)
    return Organization.objects.get(kind="county_centre", region=anji)


@pytest.fixture
def clerk(centre: Organization) -> Staff:
    return staff_create(username="zhang", password="correct horse 1", organization=centre, roles=["clerk"])
