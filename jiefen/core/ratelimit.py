"""A fixed-window rate limit on Django's cache, which every worker process shares (Redis with
REDIS_URL, else the database: settings.CACHES), and the client address it counts by."""

from __future__ import annotations

import functools
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted(addr: str) -> bool:
    nets = _networks(tuple(settings.JIEFEN_TRUSTED_PROXIES))
    if not nets:
        return False
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in n for n in nets)


def client_ip(request: HttpRequest) -> str:
    """The address of the client: REMOTE_ADDR; when that is a trusted reverse proxy
    (JIEFEN_TRUSTED_PROXIES), the right-most address of X-Forwarded-For that is not one.

    Without trusted proxies X-Forwarded-For is ignored: any client can write it.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    if not _trusted(remote):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a malformed header: count the proxy, not a forged name
        if not _trusted(hop):
            return hop
    return remote


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
