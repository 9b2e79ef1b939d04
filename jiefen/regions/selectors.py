"""Reads of the region tree."""

from __future__ import annotations

from jiefen.core.refcache import reference
from jiefen.regions.models import Region


@reference("regions.Region")
def region_by_code(code: str) -> Region | None:
    """The region of a 12-digit (or shorter) division code with its county and town loaded, or
    None. Cached per process (jiefen.core.refcache): intake resolves a code on every registration."""
    return Region.objects.filter(code=code).select_related("county", "town", "parent").first()
