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


def region_tree(*, viewer: Staff) -> list[tuple[str, str, int]]:
    """The regions the viewer may filter by, as a tree in code order: (code, name, depth) with
    depth 0 for the viewer's top region (a county for county staff and superusers, else the
    own town or village), then its towns and villages under it."""
    _depth: dict[str, int] = {RegionLevel.COUNTY: 0, RegionLevel.TOWN: 1, RegionLevel.VILLAGE: 2}
    if viewer.is_superuser:
        top = list(Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"))
    else:
        home = _home(viewer)
        top = [home] if home is not None else []
    out: list[tuple[str, str, int]] = []
    for root in top:
        base = _depth.get(root.level, 0)
        if root.level == RegionLevel.COUNTY:
            below = Region.objects.filter(county_id=root.pk).exclude(pk=root.pk)
        elif root.level == RegionLevel.TOWN:
            below = Region.objects.filter(town_id=root.pk).exclude(pk=root.pk)
        else:
            below = Region.objects.none()
        out.append((root.code, root.name, 0))
        out += [
            (r.code, r.name, _depth.get(r.level, 0) - base)
            for r in below.order_by("code").only("code", "name", "level")
        ]
    return out


def organizations_for_bulk(*, viewer: Staff) -> QuerySet[Organization]:
    """Organisations a bulk `route` may name: the active ones of the viewer's county (each case
    still checks that the organisation is in its own region chain)."""
    qs = Organization.objects.filter(is_active=True).select_related("region")
    if not viewer.is_superuser:
        home = _home(viewer)
        if home is None:
            return qs.none()
        county = home.county_id or home.pk
        qs = qs.filter(Q(region_id=county) | Q(region__county_id=county))
    return qs.order_by("region__code", "kind", "name")
