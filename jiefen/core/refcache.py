"""Per-process copies of the reference data that every intake reads.

Registration reads the routing table, the organisations of the region chain, the time-limit
rules, the alert rules, the themes and the message templates. They change a few times a year
(by an administrator, in the admin or the rule editor) but are read hundreds of times a second
under load, so each process keeps what it read for `JIEFEN_REFERENCE_TTL` seconds (default 30).

A write to one of the models a cached reader depends on clears that reader in the writing
process at once (post_save / post_delete / m2m), and every other process sees the change within
the TTL. Callers must treat what they get as read-only: it is shared by every request of the
process. Tests clear everything between tests (`refcache_clear_all`).

    @reference("cases.RoutingRule")
    def routing_rules() -> list[RoutingRule]: ...
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings

_MISSING = object()
_readers: list[_Reader] = []
_by_model: dict[str, list[_Reader]] = {}
_MAX_KEYS = 20_000


class _Reader:
    def __init__(self, func: Callable, models: tuple[str, ...]):
        self.func = func
        self.models = models
        self.entries: dict[Any, tuple[float, Any]] = {}
        self.lock = threading.Lock()

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        now = time.monotonic()
        hit = self.entries.get(key, _MISSING)
        if hit is not _MISSING and now - hit[0] < _ttl():
            return hit[1]
        value = compute()
        with self.lock:
            if len(self.entries) >= _MAX_KEYS:
                self.entries.clear()
            self.entries[key] = (now, value)
        return value

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def _ttl() -> float:
    return float(getattr(settings, "JIEFEN_REFERENCE_TTL", 30.0))


def reference(*models: str) -> Callable[[Callable], Callable]:
    """Cache a reader of reference data per process, keyed by its (hashable) arguments, and
    forget it when one of `models` ("app_label.ModelName") is written in this process."""

    def wrap(func: Callable) -> Callable:
        reader = _Reader(func, tuple(m.lower() for m in models))
        _readers.append(reader)
        for label in reader.models:
            _by_model.setdefault(label, []).append(reader)

        @functools.wraps(func)
        def cached(*args, **kwargs):
            key = (args, tuple(sorted(kwargs.items())))
            return reader.get(key, lambda: func(*args, **kwargs))

        cached.cache_clear = reader.clear  # type: ignore[attr-defined]
        return cached

    return wrap


def refcache_clear_all() -> None:
    for reader in _readers:
        reader.clear()


def _on_write(sender, **_kwargs) -> None:
    meta = getattr(sender, "_meta", None)
    if meta is None:
        return
    for reader in _by_model.get(meta.label_lower, ()):
        reader.clear()


def connect_signals() -> None:
    """Called once from CoreConfig.ready."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    post_save.connect(_on_write, dispatch_uid="jiefen.refcache.save")
    post_delete.connect(_on_write, dispatch_uid="jiefen.refcache.delete")
    m2m_changed.connect(_on_write, dispatch_uid="jiefen.refcache.m2m")
