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
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from jiefen.cases.choices import RISK_RANK, Category, Channel, Level, risk_label
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
DOWN: dict[str, Level] = {Level.COUNTY: Level.TOWN, Level.TOWN: Level.VILLAGE}


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
            return False, _("risk below %(r)s") % {"r": risk_label(rule.min_risk)}
        held.append(_("risk %(r)s or higher") % {"r": risk_label(rule.min_risk)})
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
    cannot be evaluated is skipped (and reported in `skipped`), never silently trusted.

    With the cached rule set (`rules` not given), decisions are memoised (`_RouteMemo`): a batch
    of cases of the same kind and place pays for the rules once."""
    if rules is None:
        memo = _route_memo()
        if memo is not None:
            return memo.route(category=category, chain=chain, risk=risk, channel=channel, text=text)
        rules = active_routing_rules()
    conditions = {"category": category, "chain": chain, "risk": risk, "channel": channel, "text": text}
    return _decision(
        _walk(
            rules,
            chain,
            lambda i, rule: _evaluate(rule, conditions),
            lambda i, rule: _no_organization_why(rule),
        )
    )


_SKIPPED_ERRORS = (RuleNotEvaluable, re.error, ValueError, Region.DoesNotExist)


def _evaluate(rule: RoutingRule, conditions: dict) -> tuple[bool | None, str]:
    """(matched, why) of one rule for a case, or (None, error) when the rule cannot be evaluated."""
    try:
        _check_rule(rule)
        return _matches(rule, **conditions)
    except _SKIPPED_ERRORS as exc:
        return None, str(exc)[:300]


def _no_organization_why(rule: RoutingRule) -> str:
    return _("no %(kind)s at the %(level)s level of this region") % {
        "kind": OrganizationKind(rule.lead_kind).label,
        "level": Level(rule.level).label,
    }


# What `_walk` returns: (organization, level, rule, explanation, assist, trace, skipped), the trace
# as (rule, order, outcome, why) rows and skipped as (rule, order, error) rows. Immutable, so a
# memoised one is shared; `_decision` gives each caller its own dicts.
_Walked = tuple


def _walk(rules: list[RoutingRule], chain: RegionChain, outcome, no_organization_why) -> _Walked:
    """Try the rules in order. `outcome(i, rule)` is `_evaluate` of the i-th rule for the case;
    `no_organization_why(i, rule)` the trace's reason when its organisation does not exist."""
    trace: list[tuple] = []
    skipped: list[tuple] = []
    for i, rule in enumerate(rules):
        ok, why = outcome(i, rule)
        if ok is None:
            skipped.append((rule.pk, rule.order, why))
            trace.append((rule.pk, rule.order, "skipped", why))
            continue
        if not ok:
            trace.append((rule.pk, rule.order, "no_match", why))
            continue
        org = organization_at(kinds=[rule.lead_kind], region=chain.at(rule.level))
        if org is None:
            trace.append((rule.pk, rule.order, "no_organization", no_organization_why(i, rule)))
            continue
        assist = _assisting(rule, chain, lead=org)
        trace.append((rule.pk, rule.order, "taken", why))
        explanation = _("Rule %(order)s (%(why)s) → %(org)s") % {
            "order": rule.order,
            "why": why,
            "org": org.name,
        }
        return org, rule.level, rule, explanation, assist, tuple(trace), tuple(skipped)
    return (
        county_centre(chain.county),
        Level.COUNTY,
        None,
        _("No routing rule owns this case: the county centre's dispatchers take it."),
        (),
        tuple(trace),
        tuple(skipped),
    )


def _decision(walked: _Walked) -> RoutingDecision:
    org, level, rule, explanation, assist, trace, skipped = walked
    return RoutingDecision(
        organization=org,
        level=level,
        rule=rule,
        explanation=explanation,
        assist=assist,
        trace=tuple({"rule": r, "order": o, "outcome": out, "why": why} for r, o, out, why in trace),
        skipped=tuple({"rule": r, "order": o, "error": e} for r, o, e in skipped),
    )


# ---------------------------------------------------------------------------------------- memo
#
# A decision depends on the category, the pks of the region chain, the risk rank, the channel,
# the text only through the keyword rules (which keyword of each hits), the rule set, the
# organisations of the chain and the active language. `_RouteMemo` keeps decisions under that key
# for one rule set (the list `active_routing_rules()` returns), bounded (LRU of ROUTE_MEMO_SIZE).
#
# Invalidation: the memo lives in a refcache reader (`_route_memo_box`) over the models the
# decision reads (rules, regions, organisations), so a write of any of them in this process, and
# `refcache_clear_all`, drop it at once. It also expires after the TTL like any reference; a new
# one empties the rule and organisation readers first, so nothing it memoises was read before it:
# a change made by another process is seen within the TTL, as without the memo. A rule set other
# than the memo's (the rule reader was refreshed on its own) starts a new memo.

ROUTE_MEMO_SIZE = 4096
_MATCHED = "="  # a rule whose conditions all hold (and that has no keywords)
_NO_REGION = object()  # a level the chain does not have, in a memo key


class _RulePlan:
    """What the memo reads of one rule, once per rule set: its conditions, and its keywords with
    `re:` patterns compiled (`valid` is False when the rule cannot be evaluated: always skipped)."""

    __slots__ = ("category", "channel", "min_rank", "region_id", "valid", "words")

    def __init__(self, rule: RoutingRule):
        try:
            _check_rule(rule)
        except _SKIPPED_ERRORS:
            self.valid = False
            return
        self.valid = True
        self.category = rule.category
        self.region_id = rule.region_id
        self.min_rank = RISK_RANK[rule.min_risk] if rule.min_risk else None
        self.channel = rule.channel
        self.words = tuple(
            (w, re.compile(w[3:]) if w.startswith("re:") else None) for w in rule_keywords(rule.keywords)
        )

    def state(self, category, region_pks, rank, channel, text):
        """`_matches` without its messages: the first condition that fails ("category",
        "region", "risk", "channel"), the index of the keyword that hits (-1: none does), or
        _MATCHED. Same conditions in the same order: a regex runs only when `_matches` would."""
        if not self.valid:
            return "invalid"
        if self.category and self.category != category:
            return "category"
        if self.region_id and self.region_id not in region_pks:
            return "region"
        if self.min_rank is not None and rank < self.min_rank:
            return "risk"
        if self.channel and self.channel != channel:
            return "channel"
        if not self.words:
            return _MATCHED
        for j, (w, pattern) in enumerate(self.words):
            if pattern.search(text) if pattern is not None else w in text:
                return j
        return -1


class _RouteMemo:
    """Decisions of one rule set (see above). Reads are lock-free dict reads; the lock guards only
    the LRU bookkeeping, never a database read."""

    def __init__(self, rules: list[RoutingRule]):
        self.rules = rules
        self.plans = [_RulePlan(rule) for rule in rules]
        # The rules with keywords: the only ones whose outcome depends on the text.
        self.keyworded = [p for p in self.plans if p.valid and p.words]
        self.decisions: OrderedDict[tuple, _Walked] = OrderedDict()
        # (rule index, language, state) -> (matched, why) of `_evaluate`; bounded by the rule set.
        self.outcomes: dict[tuple, tuple[bool | None, str]] = {}
        self.lock = threading.Lock()

    def route(self, *, category, chain: RegionChain, risk, channel, text) -> RoutingDecision:
        pks = tuple(_NO_REGION if r is None else r.pk for r in (chain.county, chain.town, chain.village))
        region_pks = set(pks)
        region_pks.discard(_NO_REGION)
        if None in region_pks or not (isinstance(category, str) and isinstance(channel, str)):
            # An unsaved region or an odd argument: not worth a key of its own.
            return route(
                category=category, chain=chain, risk=risk, channel=channel, text=text, rules=self.rules
            )
        rank = RISK_RANK.get(risk or "", 0)
        text = text or ""
        lang = translation.get_language()
        key = (
            lang,
            category,
            pks,
            rank,
            channel,
            tuple(p.state(category, region_pks, rank, channel, text) for p in self.keyworded),
        )
        walked = self.decisions.get(key)
        if walked is not None:
            with self.lock:
                if key in self.decisions:
                    self.decisions.move_to_end(key)
            return _decision(walked)
        conditions = {"category": category, "chain": chain, "risk": risk, "channel": channel, "text": text}
        plans = self.plans

        def outcome(i: int, rule: RoutingRule) -> tuple[bool | None, str]:
            k = (i, lang, plans[i].state(category, region_pks, rank, channel, text))
            hit = self.outcomes.get(k)
            if hit is None:
                hit = self.outcomes[k] = _evaluate(rule, conditions)
            return hit

        def no_organization_why(i: int, rule: RoutingRule) -> str:
            k = (i, lang, "no_organization")
            why = self.outcomes.get(k)
            if why is None:
                why = self.outcomes[k] = _no_organization_why(rule)
            return why

        walked = _walk(self.rules, chain, outcome, no_organization_why)
        with self.lock:
            self.decisions[key] = walked
            while len(self.decisions) > ROUTE_MEMO_SIZE:
                self.decisions.popitem(last=False)
        return _decision(walked)


class _MemoBox:
    __slots__ = ("memo",)

    def __init__(self):
        self.memo: _RouteMemo | None = None


@reference("cases.RoutingRule", "regions.Region", "directory.Organization")
def _route_memo_box() -> _MemoBox:
    # A new box starts the readers its decisions read afresh, so none of them is older than it.
    active_routing_rules.cache_clear()
    _organization_at.cache_clear()
    return _MemoBox()


def _route_memo() -> _RouteMemo | None:
    """The memo of the current rule set (None if a rule breaks `_check_rule` unexpectedly: route
    then evaluates every case and raises exactly where it would have)."""
    box = _route_memo_box()
    rules = active_routing_rules()
    memo = box.memo
    if memo is None or memo.rules is not rules:
        try:
            memo = _RouteMemo(rules)
        except Exception:
            return None
        box.memo = memo
    return memo


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
