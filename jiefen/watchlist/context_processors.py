"""The list's entry in the staff menu: for leaders and for responsible officers, with the number
of new cases of their listed people they have not seen (one query, logged-in staff only)."""

from __future__ import annotations

from django.db.models import Count, Q

from jiefen.watchlist.models import WatchEntry


def watchlist_nav(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    mine = WatchEntry.objects.filter(officer_id=user.pk).aggregate(
        entries=Count("pk", distinct=True),
        unseen=Count("events", filter=Q(events__kind="registered", events__seen_at__isnull=True)),
    )
    if "leader" not in (user.roles or []) and not mine["entries"]:
        return {}
    return {"watch_nav": True, "watch_alerts": mine["unseen"] or 0}
