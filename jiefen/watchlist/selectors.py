"""Reads of the list: only leaders of the entry's area and the responsible officer see an
entry; anyone else gets "not found". Every showing is logged (`WatchAccessLog`)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jiefen.cases.models import Party
from jiefen.core import clock
from jiefen.core.errors import NotFound
from jiefen.directory.models import Staff
from jiefen.directory.selectors import region_in_jurisdiction
from jiefen.watchlist.models import WatchAccessLog, WatchEntry, WatchEvent
from jiefen.watchlist.services import is_leader


def visible(viewer: Staff, entry: WatchEntry) -> bool:
    if entry.officer_id == viewer.pk:
        return True
    return is_leader(viewer) and region_in_jurisdiction(viewer, entry.region)


def entry_scope(viewer: Staff) -> Q:
    mine = Q(officer_id=viewer.pk)
    if not is_leader(viewer) or viewer.organization is None:
        return mine
    region = viewer.organization.region
    if region.level == "county":
        area = Q(county_id=region.pk)
    elif region.level == "town":
        area = Q(region__town_id=region.pk)
    else:
        area = Q(region_id=region.pk)
    return mine | area


def may_use_list(viewer: Staff) -> bool:
    return is_leader(viewer) or WatchEntry.objects.filter(officer_id=viewer.pk).exists()


def _log(viewer: Staff, entries: list[WatchEntry], *, via: str, what: str) -> None:
    now = clock.now()
    WatchAccessLog.objects.bulk_create(
        [WatchAccessLog(staff=viewer, entry=e, at=now, via=via, what=what) for e in entries]
    )


def entry_list(*, viewer: Staff, status: str | None = "active", via: str = "web") -> list[WatchEntry]:
    qs: QuerySet[WatchEntry] = (
        WatchEntry.objects.filter(entry_scope(viewer))
        .select_related("officer", "region", "created_by")
        .prefetch_related("cases")
        .order_by("review_on", "id")
    )
    if status:
        qs = qs.filter(status=status)
    entries = list(qs[:500])
    _log(viewer, entries, via=via, what="list")
    return entries


def entry_get(*, viewer: Staff, entry_id: int, via: str = "web") -> WatchEntry:
    entry = (
        WatchEntry.objects.filter(pk=entry_id)
        .select_related("officer", "officer__organization", "region", "county", "created_by")
        .first()
    )
    if entry is None or not visible(viewer, entry):
        raise NotFound(_("No such entry."))
    _log(viewer, [entry], via=via, what="page")
    return entry


def person_of(entry: WatchEntry) -> Party | None:
    """The person as the newest linked case records them (name and masked ID only are shown)."""
    return (
        Party.objects.filter(case__in=entry.cases.all(), id_number_hash=entry.person_hash)
        .order_by("-case__received_at", "-id")
        .first()
    )


def who_may_see(entry: WatchEntry) -> list[Staff]:
    """The responsible officer and the leaders whose area holds the entry (shown on the page)."""
    leaders = [
        s
        for s in Staff.objects.filter(is_active=True, organization__region__county_id=entry.county_id)
        .select_related("organization__region")
        .order_by("username")
        if "leader" in (s.roles or []) and region_in_jurisdiction(s, entry.region)
    ]
    return [entry.officer, *[s for s in leaders if s.pk != entry.officer_id]]


def entry_events(entry: WatchEntry) -> QuerySet[WatchEvent]:
    return entry.events.select_related("actor", "case").order_by("at", "id")


def unseen_alerts(viewer: Staff) -> int:
    return WatchEvent.objects.filter(entry__officer=viewer, kind="registered", seen_at__isnull=True).count()


def purpose_text() -> str:
    """What every page and answer about an entry says about its purpose (PIPL art. 6)."""
    return _(
        "Listed only so that the responsible officer can follow up the cases named here; "
        "seen only by the responsible officer and the leaders of the area; every viewing is recorded."
    )
