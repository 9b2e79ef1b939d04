"""Reads of the registry and the recommendation of who should mediate a case.

The registry is the county's: a viewer sees the mediators and organisations of the county of
their organisation (a superuser sees all). The recommendation is pure arithmetic over rows
read here (`score_mediator`), so every reason shown is a term of the score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from jiefen.cases.models import Case, Party
from jiefen.core.errors import NotFound
from jiefen.directory.models import Staff
from jiefen.mediators.choices import MEDIATING_KINDS
from jiefen.mediators.models import (
    ConflictDeclaration,
    Mediator,
    PreferredMediator,
    ProcedureMediator,
    ResolverOrganization,
)
from jiefen.procedures.choices import ProcedureStatus
from jiefen.procedures.satisfaction import scores_by_case
from jiefen.regions.models import Region

# The weights of the recommendation (points); reasons are shown with their points.
W_CATEGORY = 40
W_VILLAGE = 30
W_TOWN = 20
W_COUNTY_WIDE = 5
W_LOAD_PER_CASE = 4
W_RESOLVED_SHARE = 20  # × share of agreements among ended mediations (from 3 ended on)
W_PREFERRED = 15  # a party chose this mediator on the portal
W_SATISFACTION = 10  # × (average satisfaction − 3) / 2 (from 3 ratings on)
RECORD_MIN = 3


def viewer_county_id(viewer: Staff) -> int | None:
    org = viewer.organization
    if org is None:
        return None
    return org.region.county_id or org.region_id


def _in_view(viewer: Staff) -> Q:
    if viewer.is_superuser:
        return Q()
    county = viewer_county_id(viewer)
    return Q(county_id=county) if county else Q(pk__in=[])


def mediator_list(
    *, viewer: Staff, kind: str | None = None, category: str | None = None, q: str | None = None
) -> QuerySet[Mediator]:
    qs = Mediator.objects.filter(_in_view(viewer), is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q)
    qs = qs.select_related("organization", "county").prefetch_related("areas").order_by("name", "id")
    if category:
        return qs.filter(pk__in=[m.pk for m in qs if category in (m.categories or [])])
    return qs


def mediator_get(*, viewer: Staff, pk: int) -> Mediator:
    m = (
        Mediator.objects.filter(_in_view(viewer), pk=pk)
        .select_related("organization", "county")
        .prefetch_related("areas", "conflicts")
        .first()
    )
    if m is None:
        raise NotFound(_("No such mediator."))
    return m


def organization_list(*, viewer: Staff) -> QuerySet[ResolverOrganization]:
    return (
        ResolverOrganization.objects.filter(_in_view(viewer), is_active=True)
        .prefetch_related("areas")
        .annotate(member_count=Count("members", filter=Q(members__is_active=True)))
        .order_by("name", "id")
    )


def organization_get(*, viewer: Staff, pk: int) -> ResolverOrganization:
    org = ResolverOrganization.objects.filter(_in_view(viewer), pk=pk).prefetch_related("areas").first()
    if org is None:
        raise NotFound(_("No such organisation."))
    return org


def public_mediators(*, county: Region) -> QuerySet[Mediator]:
    """The public list a party may choose a preferred mediator from (no contact details)."""
    return (
        Mediator.objects.filter(county=county, is_active=True, available=True, kind__in=MEDIATING_KINDS)
        .prefetch_related("areas")
        .order_by("name", "id")
    )


# ---------------------------------------------------------------- record and load


@dataclass
class Record:
    cases: int = 0
    open: int = 0
    ended: int = 0
    agreements: int = 0
    ratings: int = 0
    satisfaction: float | None = None

    @property
    def resolved_share(self) -> float | None:
        return round(self.agreements / self.ended, 3) if self.ended else None


def records(mediator_ids: list[int]) -> dict[int, Record]:
    """Cases, open load, share resolved and satisfaction of each mediator, in three queries."""
    out = {pk: Record() for pk in mediator_ids}
    rows = (
        ProcedureMediator.objects.filter(mediator_id__in=mediator_ids)
        .values("mediator_id")
        .annotate(
            cases=Count("case", distinct=True),
            open=Count("pk", filter=~Q(procedure__status=ProcedureStatus.ENDED)),
            ended=Count("pk", filter=Q(procedure__status=ProcedureStatus.ENDED)),
            agreements=Count("pk", filter=Q(procedure__outcome="agreement")),
        )
    )
    for r in rows:
        rec = out[r["mediator_id"]]
        rec.cases, rec.open, rec.ended, rec.agreements = r["cases"], r["open"], r["ended"], r["agreements"]
    pairs = ProcedureMediator.objects.filter(mediator_id__in=mediator_ids).values_list(
        "mediator_id", "case_id"
    )
    by_case: dict[int, set[int]] = {}
    for mid, cid in pairs:
        by_case.setdefault(cid, set()).add(mid)
    if by_case:
        sums: dict[int, list[float]] = {}
        for case_id, (n, avg) in scores_by_case(list(by_case)).items():
            for mid in by_case[case_id]:
                acc = sums.setdefault(mid, [0.0, 0])
                acc[0] += avg * n
                acc[1] += n
        for mid, (total, count) in sums.items():
            out[mid].ratings = int(count)
            out[mid].satisfaction = round(total / count, 2) if count else None
    return out


# ---------------------------------------------------------------- recommendation


@dataclass
class Reason:
    code: str
    text: str
    points: int = 0


@dataclass
class Recommendation:
    mediator: Mediator
    score: int
    reasons: list[Reason] = field(default_factory=list)
    excluded: bool = False


def _party_conflicts(mediator_ids: list[int], parties: list[Party]) -> dict[int, Reason]:
    names = {p.name.strip() for p in parties if p.name.strip()}
    hashes = {p.id_number_hash for p in parties if p.id_number_hash}
    out: dict[int, Reason] = {}
    rows = ConflictDeclaration.objects.filter(mediator_id__in=mediator_ids).filter(
        Q(party_name__in=names) | Q(id_number_hash__in=hashes or {"-"})
    )
    for c in rows:
        text = _("declared a conflict of interest with the party %(name)s") % {"name": c.party_name}
        if c.note:
            text += f" ({c.note})"
        out.setdefault(c.mediator_id, Reason("conflict", text))
    return out


def conflict_with(mediator: Mediator, case: Case) -> Reason | None:
    return _party_conflicts([mediator.pk], list(case.parties.all())).get(mediator.pk)


def score_mediator(
    m: Mediator,
    case: Case,
    rec: Record,
    area_ids: set[int],
    conflict: Reason | None,
    preferred: bool = False,
) -> Recommendation:
    """The score of one mediator for one case, every term with its reason."""
    reasons: list[Reason] = []
    if conflict is not None:
        return Recommendation(m, 0, [conflict], excluded=True)
    if not m.available:
        return Recommendation(m, 0, [Reason("unavailable", _("marked unavailable"))], excluded=True)
    if rec.open >= m.max_load:
        return Recommendation(
            m,
            0,
            [Reason("full", _("at full load (%(n)d open cases)") % {"n": rec.open})],
            excluded=True,
        )
    score = 0
    if case.category in (m.categories or []):
        reasons.append(
            Reason("category", _("good at %(c)s disputes") % {"c": case.get_category_display()}, W_CATEGORY)
        )
    if case.village_id and case.village_id in area_ids:
        reasons.append(Reason("village", _("serves the village %(v)s") % {"v": case.village.name}, W_VILLAGE))
    elif case.town_id and case.town_id in area_ids:
        reasons.append(Reason("town", _("serves the town %(t)s") % {"t": case.town.name}, W_TOWN))
    elif not area_ids:
        reasons.append(Reason("county", _("serves the whole county"), W_COUNTY_WIDE))
    load = -W_LOAD_PER_CASE * rec.open
    reasons.append(
        Reason(
            "load",
            _("%(n)d open cases of at most %(max)d") % {"n": rec.open, "max": m.max_load},
            load,
        )
    )
    if rec.ended >= RECORD_MIN and rec.resolved_share is not None:
        reasons.append(
            Reason(
                "record",
                _("%(pct)d%% of %(n)d mediations ended in agreement")
                % {"pct": round(rec.resolved_share * 100), "n": rec.ended},
                round(W_RESOLVED_SHARE * rec.resolved_share),
            )
        )
    if rec.ratings >= RECORD_MIN and rec.satisfaction is not None:
        reasons.append(
            Reason(
                "satisfaction",
                _("parties' satisfaction %(s).1f of 5") % {"s": rec.satisfaction},
                round(W_SATISFACTION * (rec.satisfaction - 3) / 2),
            )
        )
    if preferred:
        reasons.append(Reason("preferred", _("chosen by a party on the portal"), W_PREFERRED))
    score = sum(r.points for r in reasons)
    return Recommendation(m, score, reasons)


def recommend(*, case: Case, limit: int = 10, include_excluded: bool = False) -> list[Recommendation]:
    """The county's mediators ranked for a case: category, place, load, record; declared
    conflicts with a party, unavailable or fully loaded mediators are excluded (listed last
    with their reason when `include_excluded`)."""
    mediators = list(
        Mediator.objects.filter(county_id=case.county_id, is_active=True, kind__in=MEDIATING_KINDS)
        .select_related("organization")
        .prefetch_related("areas")
    )
    ids = [m.pk for m in mediators]
    recs = records(ids)
    conflicts = _party_conflicts(ids, list(case.parties.all()))
    preferred = PreferredMediator.objects.filter(case=case).values_list("mediator_id", flat=True).first()
    ranked = []
    for m in mediators:
        # A mediator serving a town serves its villages: scored as "same town".
        areas = {a.pk for a in m.areas.all()}
        ranked.append(score_mediator(m, case, recs[m.pk], areas, conflicts.get(m.pk), preferred == m.pk))
    chosen = sorted(
        (r for r in ranked if not r.excluded), key=lambda r: (-r.score, r.mediator.name, r.mediator.pk)
    )
    out = chosen[:limit]
    if include_excluded:
        out += [r for r in ranked if r.excluded]
    return out


@dataclass
class OrgRecommendation:
    organization: ResolverOrganization
    score: int
    reasons: list[Reason] = field(default_factory=list)


def recommend_organizations(*, case: Case, limit: int = 5) -> list[OrgRecommendation]:
    """The county's social organisations that could take the case (调解工作室, 行业调委会…),
    ranked by the same place and category terms, with their members' load and record."""
    orgs = list(
        ResolverOrganization.objects.filter(county_id=case.county_id, is_active=True)
        .exclude(kind="psych_org")
        .prefetch_related("areas")
    )
    members: dict[int, list[int]] = {}
    for mid, oid in Mediator.objects.filter(organization__in=orgs, is_active=True).values_list(
        "pk", "organization_id"
    ):
        members.setdefault(oid, []).append(mid)
    recs = records([m for ms in members.values() for m in ms])
    out = []
    for org in orgs:
        if case.category not in (org.categories or []):
            continue  # an organisation is proposed for what it covers
        reasons = [
            Reason("category", _("good at %(c)s disputes") % {"c": case.get_category_display()}, W_CATEGORY)
        ]
        areas = {a.pk for a in org.areas.all()}
        if case.village_id and case.village_id in areas:
            reasons.append(
                Reason("village", _("serves the village %(v)s") % {"v": case.village.name}, W_VILLAGE)
            )
        elif case.town_id and case.town_id in areas:
            reasons.append(Reason("town", _("serves the town %(t)s") % {"t": case.town.name}, W_TOWN))
        elif not areas:
            reasons.append(Reason("county", _("serves the whole county"), W_COUNTY_WIDE))
        mine = [recs[m] for m in members.get(org.pk, [])]
        ended = sum(r.ended for r in mine)
        if ended >= RECORD_MIN:
            share = sum(r.agreements for r in mine) / ended
            reasons.append(
                Reason(
                    "record",
                    _("%(pct)d%% of %(n)d mediations ended in agreement")
                    % {"pct": round(share * 100), "n": ended},
                    round(W_RESOLVED_SHARE * share),
                )
            )
        if not mine:
            reasons.append(Reason("no_members", _("no registered member yet"), -10))
        out.append(OrgRecommendation(org, sum(r.points for r in reasons), reasons))
    out.sort(key=lambda r: (-r.score, r.organization.name, r.organization.pk))
    return out[:limit]
