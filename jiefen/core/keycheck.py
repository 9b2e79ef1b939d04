"""One database, one set of personal-data keys (see core.models.KeyFingerprint).

`pii.encrypt` calls `ensure_database_keys()` before its first write in each process: the
database's fingerprint is read (written if there is none); a different one raises
`KeyMismatch` and nothing is written. The check runs once per process and key.
"""

from __future__ import annotations

import hashlib
import hmac
import threading

from django.conf import settings

NAME = "personal-data-keys"
_checked: set[str] = set()
_lock = threading.Lock()


class KeyMismatch(RuntimeError):
    """This process's JIEFEN_PII_KEY / JIEFEN_HASH_KEY are not the ones the database was written with."""


def fingerprint(pii_key: str, hash_key: str) -> str:
    a = hmac.new(pii_key.encode(), b"jiefen key check", hashlib.sha256).digest()
    b = hmac.new(hash_key.encode(), b"jiefen key check", hashlib.sha256).digest()
    return hashlib.sha256(a + b).hexdigest()


def ensure_database_keys() -> None:
    mine = fingerprint(settings.JIEFEN_PII_KEY, settings.JIEFEN_HASH_KEY)
    if mine in _checked:
        return
    from django.db import DatabaseError, transaction

    from jiefen.core.models import KeyFingerprint

    with _lock:
        try:
            with transaction.atomic():  # a savepoint: a missing table spoils nothing around it
                row, _created = KeyFingerprint.objects.get_or_create(
                    name=NAME, defaults={"fingerprint": mine}
                )
        except DatabaseError:
            return  # not migrated yet: checked on a later write
        except RuntimeError as exc:
            if "Database access not allowed" in str(exc):  # a unit test without a database
                return
            raise
        if row.fingerprint != mine:
            raise KeyMismatch(
                "JIEFEN_PII_KEY/JIEFEN_HASH_KEY differ from the keys this database was written with "
                f"(data folder {settings.DATA_DIR}). Start with the original keys (JIEFEN_DATA_DIR or "
                "JIEFEN_SECRETS_FILE pointing at them, or the environment variables); writing now would "
                "leave personal data nobody can read."
            )
        _checked.add(mine)


def forget() -> None:
    """Check again on the next write (tests)."""
    _checked.clear()
