"""First routing (分流) by the RoutingRule table, and the level moves (上提/下沉).

A rule says: for cases of this category, region, minimum risk, channel and keywords (each blank
= any), the lead is an organisation of this kind at this level of the case's region chain, and
these kinds assist. Rules are tried in order; the first whose conditions hold and whose
organisation exists takes the case. A rule that cannot be evaluated is skipped and reported
(the caller raises an alert). When none applies, the county centre's dispatchers own it, so no
case is ever without an owner (管辖真空). `route` also returns the trace of every rule it looked
at: the dry-run view ("which rule would take this case, and why") shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jiefen.cases.choices import Category, Channel, Level
from jiefen.cases.models import RoutingRule
from jiefen.core.refcache import reference
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
    assist: tuple[Organization, ...] = ()
    # Every rule looked at, in order: {"rule", "order", "outcome", "why"} (the dry-run view shows it).
    trace: tuple[dict, ...] = ()
    # Rules that could not be evaluated: {"rule", "order", "error"}; the caller raises the alert.
    skipped: tuple[dict, ...] = ()


def organization_at(*, kinds: list[str], region: Region | None) -> Organization | None:
    """The active organisation of the first of `kinds` that exists at `region` (cached per process)."""
    if region is None:
        return None
    return _organization_at(tuple(kinds), region.pk)


@reference("directory.Organization")
def _organization_at(kinds: tuple[str, ...], region_id: int) -> Organization | None:
    orgs = {
        o.kind: o
        for o in Organization.objects.filter(
            region_id=region_id, kind__in=kinds, is_active=True
        ).select_related("region")
    }
    for kind in kinds:
        if kind in orgs:
            return orgs[kind]
    return None


@reference("cases.RoutingRule", "regions.Region")
def active_routing_rules() -> list[RoutingRule]:
    """The active routing table in order (cached per process; see jiefen.core.refcache)."""
    return list(RoutingRule.objects.filter(is_active=True).select_related("region").order_by("order", "id"))


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


RISK_RANK = {"": 0, "blue": 0, "yellow": 1, "orange": 2, "red": 3}
MAX_KEYWORDS = 50
MAX_KEYWORD_CHARS = 60


class RuleNotEvaluable(Exception):
    """A stored rule that cannot be evaluated (it got around the validator)."""


def rule_keywords(raw: str) -> list[str]:
    """One keyword per line or comma-separated; a line starting with `re:` is one pattern."""
    out: list[str] = []
    for line in (raw or "").splitlines():
        line = line.strip()
        if line.startswith("re:"):
            out.append(line)
        else:
            out.extend(k.strip() for k in re.split(r"[,，、;；]+", line) if k.strip())
    return out


def routing_rule_validate(
    *,
    category: str = "",
    level: str = "",
    lead_kind: str = "",
    region: Region | None = None,
    min_risk: str = "",
    channel: str = "",
    keywords: str = "",
    assist_kinds: list | None = None,
) -> dict[str, list[str]]:
    """Field errors of a rule (empty when it can be saved). The admin form and the tests call it;
    routing calls the same checks (`_check_rule`) before trusting a stored rule."""
    errors: dict[str, list[str]] = {}
    if category and category not in Category.values:
        errors.setdefault("category", []).append(_("Unknown category."))
    if level not in Level.values:
        errors.setdefault("level", []).append(_("Choose the handling level."))
    if lead_kind not in OrganizationKind.values:
        errors.setdefault("lead_kind", []).append(_("Unknown organisation kind."))
    if min_risk and min_risk not in ("yellow", "orange", "red"):
        errors.setdefault("min_risk", []).append(_("Unknown risk level."))
    if channel and channel not in Channel.values:
        errors.setdefault("channel", []).append(_("Unknown channel."))
    if region is not None and region.level not in ("county", "town", "village"):
        errors.setdefault("region", []).append(_("Choose a county, town or village."))
    words = rule_keywords(keywords)
    if len(words) > MAX_KEYWORDS:
        errors.setdefault("keywords", []).append(_("At most %(n)s keywords.") % {"n": MAX_KEYWORDS})
    for w in words:
        if len(w) > MAX_KEYWORD_CHARS:
            errors.setdefault("keywords", []).append(
                _("A keyword is longer than %(n)s characters.") % {"n": MAX_KEYWORD_CHARS}
            )
        if w.startswith("re:"):
            try:
                re.compile(w[3:])
            except re.error as exc:
                errors.setdefault("keywords", []).append(
                    _("Not a valid pattern: %(p)s (%(e)s)") % {"p": w[3:], "e": exc}
                )
    kinds = assist_kinds if assist_kinds is not None else []
    if not isinstance(kinds, list) or any(k not in OrganizationKind.values for k in kinds):
        errors.setdefault("assist_kinds", []).append(_("Unknown organisation kind."))
    elif lead_kind in kinds:
        errors.setdefault("assist_kinds", []).append(_("The lead kind cannot also assist."))
    return errors


def _check_rule(rule: RoutingRule) -> None:
    # Rules come from the per-process cache: one that passed is not validated again (an edit
    # saves a new instance, which is checked on its first use).
    if getattr(rule, "_valid", False):
        return
    errors = routing_rule_validate(
        category=rule.category,
        level=rule.level,
        lead_kind=rule.lead_kind,
        region=rule.region,
        min_risk=rule.min_risk,
        channel=rule.channel,
        keywords=rule.keywords,
        assist_kinds=rule.assist_kinds,
    )
    if errors:
        raise RuleNotEvaluable("; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in errors.items()))
    rule._valid = True  # type: ignore[attr-defined]


def _matches(rule: RoutingRule, *, category, chain, risk, channel, text) -> tuple[bool, str]:
    """Does the rule's condition hold? Returns (matched, why) — `why` names the first failed
    condition, or all the conditions that held."""
    held = []
    if rule.category:
        if rule.category != category:
            return False, _("category is not %(c)s") % {"c": Category(rule.category).label}
        held.append(str(Category(rule.category).label))
    if rule.region_id:
        if rule.region_id not in {r.pk for r in (chain.county, chain.town, chain.village) if r is not None}:
            return False, _("the case is not in %(r)s") % {"r": rule.region.name}
        held.append(rule.region.name)
    if rule.min_risk:
        if RISK_RANK.get(risk or "", 0) < RISK_RANK[rule.min_risk]:
            return False, _("risk below %(r)s") % {"r": rule.min_risk}
        held.append(_("risk %(r)s or higher") % {"r": rule.min_risk})
    if rule.channel:
        if rule.channel != channel:
            return False, _("channel is not %(c)s") % {"c": Channel(rule.channel).label}
        held.append(str(Channel(rule.channel).label))
    words = rule_keywords(rule.keywords)
    if words:
        hit = None
        for w in words:
            if w.startswith("re:"):
                if re.search(w[3:], text or ""):
                    hit = w
                    break
            elif w in (text or ""):
                hit = w
                break
        if hit is None:
            return False, _("none of the keywords occurs")
        held.append(_("keyword %(w)s") % {"w": hit})
    return True, "; ".join(held) or _("applies to every case")


def route(
    *,
    category: str,
    chain: RegionChain,
    risk: str = "",
    channel: str = "",
    text: str = "",
    rules: list[RoutingRule] | None = None,
) -> RoutingDecision:
    """The first active rule whose conditions hold and whose lead organisation exists in the
    case's region chain takes the case; its assisting kinds found in the chain assist. A rule that
    cannot be evaluated is skipped (and reported in `skipped`), never silently trusted."""
    if rules is None:
        rules = active_routing_rules()
    trace: list[dict] = []
    skipped: list[dict] = []
    for rule in rules:
        try:
            _check_rule(rule)
            ok, why = _matches(rule, category=category, chain=chain, risk=risk, channel=channel, text=text)
        except (RuleNotEvaluable, re.error, ValueError, Region.DoesNotExist) as exc:
            skipped.append({"rule": rule.pk, "order": rule.order, "error": str(exc)[:300]})
            trace.append({"rule": rule.pk, "order": rule.order, "outcome": "skipped", "why": str(exc)[:300]})
            continue
        if not ok:
            trace.append({"rule": rule.pk, "order": rule.order, "outcome": "no_match", "why": why})
            continue
        org = organization_at(kinds=[rule.lead_kind], region=chain.at(rule.level))
        if org is None:
            trace.append(
                {
                    "rule": rule.pk,
                    "order": rule.order,
                    "outcome": "no_organization",
                    "why": _("no %(kind)s at the %(level)s level of this region")
                    % {"kind": OrganizationKind(rule.lead_kind).label, "level": Level(rule.level).label},
                }
            )
            continue
        assist = _assisting(rule, chain, lead=org)
        trace.append({"rule": rule.pk, "order": rule.order, "outcome": "taken", "why": why})
        return RoutingDecision(
            organization=org,
            level=rule.level,
            rule=rule,
            explanation=_("Rule %(order)s (%(why)s) → %(org)s")
            % {"order": rule.order, "why": why, "org": org.name},
            assist=assist,
            trace=tuple(trace),
            skipped=tuple(skipped),
        )
    return RoutingDecision(
        organization=county_centre(chain.county),
        level=Level.COUNTY,
        rule=None,
        explanation=_("No routing rule owns this case: the county centre's dispatchers take it."),
        trace=tuple(trace),
        skipped=tuple(skipped),
    )


def _assisting(rule: RoutingRule, chain: RegionChain, *, lead: Organization) -> tuple[Organization, ...]:
    """Each assisting kind at the nearest level of the chain that has it (the rule's level first,
    then the levels above, then those below)."""
    out: list[Organization] = []
    levels = [Level.VILLAGE, Level.TOWN, Level.COUNTY]
    start = levels.index(rule.level)
    order = levels[start:] + list(reversed(levels[:start]))
    for kind in rule.assist_kinds or []:
        for level in order:
            org = organization_at(kinds=[kind], region=chain.at(level))
            if org is not None and org.pk != lead.pk and org not in out:
                out.append(org)
                break
    return tuple(out)


def level_target(*, chain: RegionChain, level: str) -> Organization | None:
    return organization_at(kinds=LEVEL_KINDS[level], region=chain.at(level))
