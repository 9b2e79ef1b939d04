"""Reads the staff web pages need beyond cases.selectors: the region picker and the
organisation choices of an action form. All of them are scoped by the viewer's jurisdiction.

(These would sit well in regions/selectors.py and cases/selectors.py; they live here so the
web app does not edit files other teams own at the same time.)
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiefen.cases.models import Case
from jiefen.cases.routing import DOWN
from jiefen.directory.models import Organization, Staff
from jiefen.directory.selectors import region_in_jurisdiction as region_visible
from jiefen.regions.models import Region, RegionLevel


def _home(viewer: Staff) -> Region | None:
    org = viewer.organization
    return org.region if org is not None else None


def _ancestors_of_home(viewer: Staff) -> set[int]:
    home = _home(viewer)
    if home is None:
        return set()
    return {pk for pk in (home.county_id, home.town_id) if pk is not None and pk != home.pk}


def region_reachable(viewer: Staff, region: Region) -> bool:
    """Visible (inside the jurisdiction) or on the path from the county down to it."""
    return region_visible(viewer, region) or region.pk in _ancestors_of_home(viewer)


def region_get(*, viewer: Staff, code: str) -> Region | None:
    """The region with this code if the viewer may pick it (or pass through it), else None."""
    code = (code or "").strip()
    if not code or len(code) > 12:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None or not region_reachable(viewer, region):
        return None
    return region


def region_counties(*, viewer: Staff) -> QuerySet[Region]:
    """The counties the picker starts from: all for a superuser, else the viewer's own."""
    qs = Region.objects.filter(level=RegionLevel.COUNTY)
    if viewer.is_superuser:
        return qs.order_by("code")
    home = _home(viewer)
    if home is None:
        return qs.none()
    return qs.filter(pk=home.county_id or home.pk).order_by("code")


def region_children(*, viewer: Staff, parent: Region) -> QuerySet[Region]:
    """Children of `parent` the viewer may pick: all inside the jurisdiction, and above it
    only the one node that leads down to the viewer's own region."""
    qs = Region.objects.filter(parent=parent).order_by("code")
    if viewer.is_superuser:
        return qs
    home = _home(viewer)
    if home is None or not region_reachable(viewer, parent):
        return qs.none()
    if region_visible(viewer, parent):
        return qs
    return qs.filter(Q(pk=home.pk) | Q(pk__in=_ancestors_of_home(viewer)))


def region_towns(*, viewer: Staff) -> QuerySet[Region]:
    """Towns inside the viewer's jurisdiction (for the list filter)."""
    qs = Region.objects.filter(level=RegionLevel.TOWN).order_by("code")
    if viewer.is_superuser:
        return qs
    home = _home(viewer)
    if home is None:
        return qs.none()
    if home.level == RegionLevel.COUNTY:
        return qs.filter(county_id=home.pk)
    if home.level == RegionLevel.TOWN:
        return qs.filter(pk=home.pk)
    return qs.none()


def organizations_for_case(*, case: Case, action: str) -> QuerySet[Organization]:
    """Organisations an action may name: any active one in the case's region chain for
    `route`; for `delegate`, those one level below the case's current level."""
    chain = [r for r in (case.county_id, case.town_id, case.village_id) if r is not None]
    qs = Organization.objects.filter(region_id__in=chain, is_active=True).select_related("region")
    if action == "delegate":
        target = DOWN.get(case.level)
        if target is None:
            return qs.none()
        qs = qs.filter(region__level=target)
    return qs.order_by("region__code", "kind", "name")
