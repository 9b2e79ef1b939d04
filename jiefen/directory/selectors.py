"""Reads of the directory: which organisation does what, where."""

from __future__ import annotations

from jiefen.directory.models import Organization, Staff
from jiefen.regions.models import Region


def organization_for_kind_at(*, kind: str, region: Region) -> Organization | None:
    """The active organisation of `kind` anchored exactly at `region` (first by name), or None."""
    return (
        Organization.objects.filter(kind=kind, region=region, is_active=True)
        .select_related("region")
        .order_by("name", "pk")
        .first()
    )


def region_in_jurisdiction(viewer: Staff, region: Region) -> bool:
    """Is `region` inside the area of the viewer's organisation (the region itself or below it)?"""
    if viewer.is_superuser:
        return True
    org = viewer.organization
    if org is None:
        return False
    mine = org.region
    return (
        region.pk == mine.pk
        or (mine.level == "county" and region.county_id == mine.pk)
        or (mine.level == "town" and region.town_id == mine.pk)
    )
