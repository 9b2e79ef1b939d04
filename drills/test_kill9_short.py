"""The short form of the kill -9 drill for the test suite: one kill on SQLite (and on the
PostgreSQL database of JIEFEN_DRILL_DATABASE_URL when set; it is emptied)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

DRILL = Path(__file__).with_name("kill9.py")


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_kill9_loses_nothing(tmp_path, database):
    args = [sys.executable, str(DRILL), "--kills", "1", "--clients", "2", "--data-dir", str(tmp_path)]
    if database == "postgresql":
        url = os.environ.get("JIEFEN_DRILL_DATABASE_URL")
        if not url:
            pytest.skip("JIEFEN_DRILL_DATABASE_URL names no PostgreSQL database to empty")
        args += ["--reset", "--database-url", url]
    result = subprocess.run(args, capture_output=True, text=True, timeout=600)
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "acknowledged lost 0, duplicates 0, number gaps 0, counter rows differing 0" in result.stdout
