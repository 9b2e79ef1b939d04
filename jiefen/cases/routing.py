"""First routing (分流) by the RoutingRule table, and the level moves (上提/下沉).

A rule says: for this category (or any), the lead is an organisation of this kind at this
level of the case's region chain. Rules are tried in order; the first whose organisation
exists takes the case. When none does, the county centre's dispatchers own it, so no case is
ever without an owner (管辖真空).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from jiefen.cases.choices import Category, Level
from jiefen.cases.models import RoutingRule
from jiefen.directory.models import Organization, OrganizationKind
from jiefen.regions.models import Region

# Where a case goes when it moves up or down a level (the centre of that level first).
LEVEL_KINDS: dict[str, list[str]] = {
    Level.VILLAGE: [OrganizationKind.VILLAGE_COMMITTEE],
    Level.TOWN: [
        OrganizationKind.TOWN_CENTRE,
        OrganizationKind.TOWN_COMMITTEE,
        OrganizationKind.JUSTICE_OFFICE,
    ],
    Level.COUNTY: [OrganizationKind.COUNTY_CENTRE],
}
UP = {Level.VILLAGE: Level.TOWN, Level.TOWN: Level.COUNTY}
DOWN = {Level.COUNTY: Level.TOWN, Level.TOWN: Level.VILLAGE}


@dataclass(frozen=True)
class RegionChain:
    county: Region
    town: Region | None
    village: Region | None

    @classmethod
    def of(cls, region: Region) -> RegionChain:
        if region.level == "county":
            return cls(county=region, town=None, village=None)
        if region.level == "town":
            return cls(county=region.county or region.parent, town=region, village=None)
        return cls(county=region.county, town=region.town or region.parent, village=region)

    def at(self, level: str) -> Region | None:
        return {Level.COUNTY: self.county, Level.TOWN: self.town, Level.VILLAGE: self.village}[level]


@dataclass(frozen=True)
class RoutingDecision:
    organization: Organization
    level: str
    rule: RoutingRule | None
    explanation: str


def organization_at(*, kinds: list[str], region: Region | None) -> Organization | None:
    if region is None:
        return None
    orgs = {o.kind: o for o in Organization.objects.filter(region=region, kind__in=kinds, is_active=True)}
    for kind in kinds:
        if kind in orgs:
            return orgs[kind]
    return None


def county_centre(county: Region) -> Organization:
    org = organization_at(kinds=[OrganizationKind.COUNTY_CENTRE], region=county)
    if org is None:
        # Without a county centre nobody could own an unrouted case: refuse loudly.
        from jiefen.core.errors import ValidationFailed

        raise ValidationFailed(
            _("The county %(county)s has no dispute-resolution centre; an administrator must create it.")
            % {"county": county.name},
            code="no_county_centre",
        )
    return org


def route(*, category: str, chain: RegionChain) -> RoutingDecision:
    rules = RoutingRule.objects.filter(is_active=True).order_by("order", "id")
    for rule in rules:
        if rule.category and rule.category != category:
            continue
        org = organization_at(kinds=[rule.lead_kind], region=chain.at(rule.level))
        if org is not None:
            return RoutingDecision(
                organization=org,
                level=rule.level,
                rule=rule,
                explanation=_("Rule %(order)s: %(category)s → %(org)s")
                % {"order": rule.order, "category": Category(category).label, "org": org.name},
            )
    return RoutingDecision(
        organization=county_centre(chain.county),
        level=Level.COUNTY,
        rule=None,
        explanation=_("No routing rule owns this case: the county centre's dispatchers take it."),
    )


def level_target(*, chain: RegionChain, level: str) -> Organization | None:
    return organization_at(kinds=LEVEL_KINDS[level], region=chain.at(level))
