"""`jiefen backup` and `jiefen restore`: counts and checksums verified, keys never mixed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


def _jiefen(*args, data: Path, check=True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIEFEN_", "DJANGO_", "DATABASE_URL"))}
    env.update({"JIEFEN_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)})
    result = subprocess.run(
        [sys.executable, "-m", "jiefen", *args], env=env, capture_output=True, text=True, timeout=300
    )
    if check:
        assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_sqlite_backup_and_restore_with_verified_counts_and_checksums(tmp_path):
    # given: an embedded database with some rows and an uploaded file
    data = tmp_path / "data"
    _jiefen("migrate", "-v0", data=data)
    (data / "media" / "portal").mkdir(parents=True)
    (data / "media" / "portal" / "photo.jpg").write_bytes(b"\xff\xd8\xff" + b"x" * 100)
    # when
    made = _jiefen("backup", str(tmp_path / "b"), data=data)
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    occupied = _jiefen("restore", str(tmp_path / "b"), data=data, check=False)
    other_keys = _jiefen("restore", str(tmp_path / "b"), data=tmp_path / "fresh", check=False)
    (tmp_path / "same").mkdir()
    (tmp_path / "same" / "secrets.json").write_bytes((data / "secrets.json").read_bytes())
    restored = _jiefen("restore", str(tmp_path / "b"), data=tmp_path / "same")
    (tmp_path / "b" / "media" / "portal" / "photo.jpg").write_bytes(b"tampered")
    tampered = _jiefen("restore", "--verify-only", str(tmp_path / "b"), data=tmp_path / "same", check=False)
    # then
    assert "counts and checksums verified" in made.stdout
    assert manifest["tables"]["django_migrations"] > 0 and "portal/photo.jpg" in manifest["media"]
    assert occupied.returncode != 0 and "not empty" in occupied.stderr
    assert other_keys.returncode != 0 and "keys" in other_keys.stderr
    assert "counts verified" in restored.stdout
    assert (tmp_path / "same" / "media" / "portal" / "photo.jpg").read_bytes().startswith(b"\xff\xd8\xff")
    assert tampered.returncode != 0 and "checksum" in tampered.stderr


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgresql_backup_and_restore(tmp_path, settings, anji):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (pg_dump and pg_restore)")
    # given: the county with its organisations, committed
    from jiefen.directory.models import Organization

    settings.MEDIA_ROOT = str(tmp_path / "media")
    organisations = Organization.objects.count()
    # when
    call_command("backup", str(tmp_path / "b"))
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    Organization.objects.all().delete()
    call_command("restore", str(tmp_path / "b"), "--force")
    # then
    assert manifest["tables"]["directory_organization"] == organisations > 0
    assert Organization.objects.count() == organisations
