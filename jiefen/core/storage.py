"""Uploaded files encrypted at rest: citizens' photos and documents carry personal data.

The default storage (settings.STORAGES) writes each file as a Fernet token under the personal-
data key and decrypts it when opened; names, sizes on the model and checksums (taken of the
plain bytes at upload) are unchanged. A file written before encryption (no Fernet header) is
read as it is.
"""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

MAGIC = b"gAAAAA"  # every Fernet token begins so (version byte 0x80, base64)


def _fernet():
    from django.conf import settings

    from jiefen.core.pii import _fernet as fernet

    return fernet(settings.JIEFEN_PII_KEY)


class EncryptedFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        from jiefen.core.keycheck import ensure_database_keys

        ensure_database_keys()
        if hasattr(content, "seek"):
            content.seek(0)
        token = _fernet().encrypt(content.read())
        return super()._save(name, ContentFile(token))

    def _open(self, name, mode="rb"):
        with super()._open(name, "rb") as fh:
            raw = fh.read()
        if raw.startswith(MAGIC):
            try:
                raw = _fernet().decrypt(raw)
            except InvalidToken:
                pass  # not ours after all: as stored
        f = ContentFile(raw, name=name)
        f.mode = mode
        return f
