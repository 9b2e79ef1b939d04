"""Reads of the directory: which organisation does what, where."""

from __future__ import annotations

from jiefen.directory.models import Organization
from jiefen.regions.models import Region


def organization_for_kind_at(*, kind: str, region: Region) -> Organization | None:
    """The active organisation of `kind` anchored exactly at `region` (first by name), or None."""
    return (
        Organization.objects.filter(kind=kind, region=region, is_active=True)
        .select_related("region")
        .order_by("name", "pk")
        .first()
    )
