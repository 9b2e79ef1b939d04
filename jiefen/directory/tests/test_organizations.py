"""Seeding a county's organisations, and finding one by kind and region."""

from __future__ import annotations

import pytest

from jiefen.core.errors import ValidationFailed
from jiefen.directory.models import Organization
from jiefen.directory.selectors import organization_for_kind_at
from jiefen.directory.services import organizations_seed_for_county, village_short_name
from jiefen.regions.models import Region

# 17 county organisations, 4 per town (15), a tribunal at 8 镇 + the first 街道, one per village (218)
EXPECTED = 17 + 4 * 15 + 9 + 218


def test_seed_creates_standard_organisations(anji: Region):
    # given the imported county
    # when
    created = organizations_seed_for_county(county=anji)
    # then
    assert created == EXPECTED
    assert Organization.objects.filter(region=anji).count() == 17
    assert Organization.objects.get(kind="police", region=anji).name == "安吉县公安局"
    assert Organization.objects.filter(kind="industry_committee", region=anji).count() == 2
    assert Organization.objects.filter(kind="peoples_tribunal").count() == 9


def test_seed_is_idempotent(anji: Region):
    # given a seeded county
    organizations_seed_for_county(county=anji)
    # when
    created = organizations_seed_for_county(county=anji)
    # then
    assert created == 0
    assert Organization.objects.count() == EXPECTED


def test_seeded_names_use_real_region_names(anji: Region):
    # given
    organizations_seed_for_county(county=anji)
    # when
    names = set(Organization.objects.values_list("name", flat=True))
    # then
    assert {
        "安吉县社会矛盾纠纷调处化解中心",
        "递铺街道社会矛盾纠纷调处化解中心",
        "递铺街道人民法庭",
        "孝丰镇人民法庭",
        "溪龙乡司法所",
        "鲁家村人民调解委员会",
        "苕秀社区人民调解委员会",
        "三官村人民调解委员会",
    } <= names
    assert "昌硕街道人民法庭" not in names
    assert "溪龙乡人民法庭" not in names


def test_village_short_name():
    # given / when / then
    assert village_short_name("鲁家村委会") == "鲁家村"
    assert village_short_name("苕秀社区居委会") == "苕秀社区"
    assert village_short_name("三官村") == "三官村"


def test_seed_needs_a_county(anji: Region):
    # given a town
    town = Region.objects.get(code="330523001000")
    # when / then
    with pytest.raises(ValidationFailed):
        organizations_seed_for_county(county=town)


def test_organization_for_kind_at(anji: Region):
    # given a seeded county
    organizations_seed_for_county(county=anji)
    town = Region.objects.get(code="330523105000")
    # when
    found = organization_for_kind_at(kind="justice_office", region=town)
    missing = organization_for_kind_at(kind="justice_office", region=anji)
    # then
    assert found.name == "孝丰镇司法所"
    assert missing is None


def test_organization_for_kind_at_ignores_inactive(anji: Region):
    # given a deactivated town centre
    organizations_seed_for_county(county=anji)
    town = Region.objects.get(code="330523105000")
    Organization.objects.filter(kind="town_centre", region=town).update(is_active=False)
    # when / then
    assert organization_for_kind_at(kind="town_centre", region=town) is None
