"""Secrets and keys: production never generates them, one database has one set of keys, the
SQLite file is private."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from jiefen.core import keycheck, pii
from jiefen.core.models import KeyFingerprint

ROOT = Path(__file__).resolve().parents[3]


def _run(code: str, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("JIEFEN_", "DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_its_secrets(tmp_path):
    # given: production settings, no keys, started from an empty folder
    env = {"DJANGO_SETTINGS_MODULE": "jiefen.settings.production", "PYTHONPATH": str(ROOT)}
    # when
    result = _run("import django; django.setup()", env, tmp_path)
    # then: refused, and no key generated anywhere
    assert result.returncode != 0
    assert "JIEFEN_PII_KEY" in result.stderr
    assert not (tmp_path / "var").exists()


def test_secrets_can_live_outside_the_data_folder(tmp_path):
    # given
    from cryptography.fernet import Fernet

    secrets = tmp_path / "etc" / "secrets.json"
    secrets.parent.mkdir()
    secrets.write_text(
        json.dumps({"secret_key": "s", "pii_key": Fernet.generate_key().decode(), "hash_key": "h"})
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "jiefen.settings.production",
        "JIEFEN_SECRETS_FILE": str(secrets),
        "JIEFEN_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(ROOT),
    }
    # when
    result = _run(
        "import django; django.setup(); from django.conf import settings; print(settings.JIEFEN_HASH_KEY)",
        env,
        tmp_path,
    )
    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "h"
    assert not (tmp_path / "data" / "secrets.json").exists()


def test_the_sqlite_file_is_readable_by_its_user_only(tmp_path):
    # given
    env = {
        "DJANGO_SETTINGS_MODULE": "jiefen.settings.local",
        "JIEFEN_DATA_DIR": str(tmp_path / "d"),
        "PYTHONPATH": str(ROOT),
    }
    # when
    result = _run(
        "import os; os.umask(0o022); import django; django.setup(); from django.db import connection; "
        "connection.ensure_connection(); connection.cursor().execute('create table t (x int)')",
        env,
        tmp_path,
    )
    # then
    assert result.returncode == 0, result.stderr
    mode = stat.S_IMODE((tmp_path / "d" / "jiefen.sqlite3").stat().st_mode)
    assert mode & 0o077 == 0
    assert stat.S_IMODE((tmp_path / "d").stat().st_mode) & 0o077 == 0


@pytest.mark.django_db
def test_a_process_with_other_keys_writes_no_personal_data(settings):
    # given: the database was written with other keys
    KeyFingerprint.objects.create(name=keycheck.NAME, fingerprint=keycheck.fingerprint("other", "keys"))
    keycheck.forget()
    try:
        # when / then
        with pytest.raises(keycheck.KeyMismatch):
            pii.encrypt("13812345678")
    finally:
        keycheck.forget()


@pytest.mark.django_db
def test_the_first_write_records_the_keys():
    # given
    keycheck.forget()
    # when
    pii.encrypt("13812345678")
    # then
    assert KeyFingerprint.objects.get(name=keycheck.NAME).fingerprint == keycheck.fingerprint(
        pii.settings.JIEFEN_PII_KEY, pii.settings.JIEFEN_HASH_KEY
    )
