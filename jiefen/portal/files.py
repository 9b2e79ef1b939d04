"""Uploads are judged by their first bytes, never by their name or the browser's claim."""

from __future__ import annotations

MAX_BYTES = 10 * 1024 * 1024

# (kind, extension, test on the first 16 bytes)
_SIGNATURES = (
    ("jpeg", "jpg", lambda b: b[:3] == b"\xff\xd8\xff"),
    ("png", "png", lambda b: b[:8] == b"\x89PNG\r\n\x1a\n"),
    ("gif", "gif", lambda b: b[:6] in (b"GIF87a", b"GIF89a")),
    ("webp", "webp", lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP"),
    ("pdf", "pdf", lambda b: b[:5] == b"%PDF-"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """(kind, extension) of an accepted file type, or None."""
    for kind, ext, test in _SIGNATURES:
        if test(head):
            return kind, ext
    return None
