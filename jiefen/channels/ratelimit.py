"""A fixed-window rate limit on Django's cache (Redis in production): public endpoints only."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    # Behind the reverse proxy, the proxy sets REMOTE_ADDR through its own trusted header
    # handling (docs/operations.md); X-Forwarded-For from the client is not trusted here.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(scope: str, who: str, *, limit: int, per_seconds: int) -> bool:
    """Count one hit; False when `who` has used up `limit` hits in the current window."""
    window = int(time.time() // per_seconds)
    key = f"rl:{scope}:{who}:{window}"
    if cache.add(key, 1, timeout=per_seconds + 5):
        return True
    try:
        n = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=per_seconds + 5)
        return True
    return n <= limit
