"""The list's entry in the staff menu: for leaders and for responsible officers, with the number
of new cases of their listed people they have not seen (one query, logged-in staff only)."""

from __future__ import annotations

from jiefen.watchlist.models import WatchEntry, WatchEvent


def watchlist_nav(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    unseen = WatchEvent.objects.filter(entry__officer_id=user.pk, kind="registered", seen_at__isnull=True)
    leader = "leader" in (user.roles or [])
    if leader:
        n = unseen.count()
        return {"watch_nav": True, "watch_alerts": n}
    officer = WatchEntry.objects.filter(officer_id=user.pk).exists()
    return {"watch_nav": True, "watch_alerts": unseen.count()} if officer else {}
