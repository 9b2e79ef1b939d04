"""`jiefen backup DIR` and `jiefen restore DIR`: the database and the uploaded files, with a
manifest whose row counts and checksums are verified on both sides.

- SQLite: the online backup API copies the database while it is in use; the row counts are
  read in the same read transaction the copy is made from, then counted again in the copy.
- PostgreSQL: `pg_dump -Fc` from a snapshot exported by a REPEATABLE READ transaction, in which
  the row counts are read too: the dump and the counts are of the same moment. `pg_restore`
  brings it back; the counts are compared after the restore.
- `media/` (citizens' files) is copied beside, each file's SHA-256 in the manifest.

The keys are not in a backup (keep JIEFEN_SECRETS_FILE or the environment's keys apart): the
manifest holds only the keys' fingerprint, and a restore into a process with other keys is
refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection

from jiefen.core import clock
from jiefen.core.keycheck import fingerprint

MANIFEST = "manifest.json"
SQLITE_FILE = "jiefen.sqlite3"
PG_FILE = "database.pgdump"


class BackupError(RuntimeError):
    pass


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names(include_views=False))


def _counts_sqlite(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in sorted(names)}


def _counts_django(cursor, tables: list[str]) -> dict[str, int]:
    q = connection.ops.quote_name
    out = {}
    for t in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {q(t)}")
        out[t] = cursor.fetchone()[0]
    return out


def _pg_env() -> tuple[dict[str, str], list[str]]:
    s = connection.settings_dict
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    args = ["-h", str(s.get("HOST") or "127.0.0.1"), "-p", str(s.get("PORT") or 5432)]
    if s.get("USER"):
        args += ["-U", str(s["USER"])]
    return env, args


def _copy_media(src: Path, dst: Path) -> dict[str, str]:
    sums = {}
    if not src.exists():
        return sums
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        rel = path.relative_to(src)
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        sums[str(rel)] = _sha256(target)
    return sums


def backup(dest: Path) -> dict:
    """Write a verified backup into the empty or new folder `dest`; returns the manifest."""
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    if any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty")
    vendor = connection.vendor
    if vendor == "sqlite":
        source = str(connection.settings_dict["NAME"])
        target = dest / SQLITE_FILE
        src = sqlite3.connect(source, isolation_level=None)
        try:
            src.execute("BEGIN")  # one read snapshot for the counts and the copy
            counts = _counts_sqlite(src)
            dst = sqlite3.connect(str(target))
            try:
                src.backup(dst)
            finally:
                dst.close()
            src.execute("COMMIT")
        finally:
            src.close()
        os.chmod(target, 0o600)
        check = sqlite3.connect(str(target))
        try:
            copied = _counts_sqlite(check)
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("the copy fails SQLite's integrity check")
        finally:
            check.close()
        if copied != counts:
            raise BackupError(f"row counts differ between the database and the copy: {_diff(counts, copied)}")
        files = {SQLITE_FILE: _sha256(target)}
    elif vendor == "postgresql":
        target = dest / PG_FILE
        env, args = _pg_env()
        import psycopg

        s = connection.settings_dict
        # A connection of its own: the caller's may be inside a transaction.
        with psycopg.connect(
            host=s.get("HOST") or "127.0.0.1",
            port=s.get("PORT") or 5432,
            user=s.get("USER") or None,
            password=s.get("PASSWORD") or None,
            dbname=s["NAME"],
        ) as pg:
            pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot = pg.execute("SELECT pg_export_snapshot()").fetchone()[0]
            counts = {t: pg.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in _tables()}
            result = subprocess.run(
                ["pg_dump", *args, "-Fc", f"--snapshot={snapshot}", "-f", str(target), str(s["NAME"])],
                env=env, capture_output=True, text=True,
            )  # fmt: skip
            pg.rollback()
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")
        listing = subprocess.run(["pg_restore", "--list", str(target)], capture_output=True, text=True)
        missing = [t for t in counts if counts[t] and f"TABLE DATA public {t} " not in listing.stdout]
        if listing.returncode != 0 or missing:
            raise BackupError(f"the dump does not hold the data of {missing or 'its tables'}")
        os.chmod(target, 0o600)
        files = {PG_FILE: _sha256(target)}
    else:
        raise BackupError(f"no backup for {vendor}")
    media = _copy_media(Path(settings.MEDIA_ROOT), dest / "media")
    manifest = {
        "format": 1,
        "created_at": clock.now().isoformat(),
        "engine": vendor,
        "tables": counts,
        "files": files,
        "media": media,
        "keys": fingerprint(settings.JIEFEN_PII_KEY, settings.JIEFEN_HASH_KEY),
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return manifest


def _diff(a: dict, b: dict) -> str:
    keys = sorted(set(a) | set(b))
    return ", ".join(f"{k}: {a.get(k)} ≠ {b.get(k)}" for k in keys if a.get(k) != b.get(k))[:500]


def verify(src: Path) -> dict:
    """The manifest of a backup whose files all match their checksums (else BackupError)."""
    manifest = json.loads((src / MANIFEST).read_text())
    for name, digest in {
        **manifest["files"],
        **{f"media/{k}": v for k, v in manifest["media"].items()},
    }.items():
        path = src / name
        if not path.exists() or _sha256(path) != digest:
            raise BackupError(f"{name} is missing or does not match its checksum")
    return manifest


def restore(src: Path, *, force: bool = False) -> dict:
    """Bring a verified backup back into the configured database and media folder."""
    manifest = verify(src)
    if manifest["keys"] != fingerprint(settings.JIEFEN_PII_KEY, settings.JIEFEN_HASH_KEY):
        raise BackupError("this process's keys are not the keys of the backup: start it with those keys")
    vendor = connection.vendor
    if vendor != manifest["engine"]:
        raise BackupError(f"the backup is of {manifest['engine']}, the configured database {vendor}")
    has_data = bool(set(_tables()) & set(manifest["tables"]))
    if has_data and not force:
        raise BackupError(
            "the database is not empty: restore into an empty one, or give --force to replace it"
        )
    if vendor == "sqlite":
        target = Path(connection.settings_dict["NAME"])
        connection.close()
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".restore-")
        os.close(fd)
        shutil.copyfile(src / SQLITE_FILE, tmp)
        os.chmod(tmp, 0o600)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, target)
    else:
        env, args = _pg_env()
        connection.close()
        result = subprocess.run(
            ["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "-d", str(connection.settings_dict["NAME"]), str(src / PG_FILE)],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")
    with connection.cursor() as cur:
        restored = _counts_django(cur, sorted(manifest["tables"]))
    if restored != manifest["tables"]:
        raise BackupError(f"row counts differ after the restore: {_diff(manifest['tables'], restored)}")
    media_dst = Path(settings.MEDIA_ROOT)
    for rel in manifest["media"]:
        target = media_dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / "media" / rel, target)
    return manifest
