"""Monthly unit scorecards (考核): every figure recounted from the case rows, per organisation and
per town, with the case ids behind it (the drill-down) — docs/scorecards.md.

A unit is an organisation, or a town: the organisations anchored at the town or at one of its
villages, their figures taken together. All reads go through the viewer's area: a unit is listed
when its region is in the viewer's jurisdiction, and the drill-down lists cases through
`cases.selectors.case_scope`.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.cases.choices import Status
from jiefen.cases.models import Assignment, Case, CaseEvent, CaseStep
from jiefen.cases.selectors import case_scope
from jiefen.core.errors import NotFound, ValidationFailed
from jiefen.directory.models import Organization, Staff
from jiefen.directory.selectors import region_in_jurisdiction
from jiefen.regions.models import Region
from jiefen.scorecards.choices import DEFAULT_WEIGHTS, Term

#: A case whose handling ended (the clock of its last step stopped): by result, by a statutory
#: route, or refused/withdrawn. Merged cases are counted under the case they joined.
ENDED = frozenset({Status.RESOLVED, Status.CLOSED, Status.TRANSFERRED, Status.NOT_ACCEPTED, Status.WITHDRAWN})
#: Kinds of organisation that run 排查 (their area's completion is their figure).
INSPECTING_KINDS = frozenset({"village_committee", "town_centre"})
# PartyFeedback.source → the scorecard's source column ("staff": the feedback taken at closure)
_SOURCE = {"staff": "feedback", "portal": "portal", "hotline": "hotline"}

#: The figures a unit's page links to the cases behind (drill-down).
DRILLABLE = (
    "received",
    "accepted_in_time",
    "ended",
    "ended_in_time",
    "resolved",
    "returns",
    "escalations",
    "rated",
    "satisfied",
    "return_visits_due",
    "return_visits_in_time",
    "supervisions",
    "supervisions_in_time",
)


@dataclass
class Month:
    label: str  # "2026-03"
    first: date
    last: date
    start: datetime  # local midnight of the first day
    end: datetime  # local midnight after the last day


def month_parse(text: str | None) -> Month:
    """ "YYYY-MM" → the month's bounds in local time; anything else → 422."""
    try:
        year_s, mon_s = (text or "").strip().split("-")
        year, mon = int(year_s), int(mon_s)
        if len(year_s) != 4 or not 1 <= mon <= 12 or not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        raise ValidationFailed(_("Choose a month like 2026-01."), fields={"month": [_("invalid")]}) from None
    first = date(year, mon, 1)
    last = date(year, mon, calendar.monthrange(year, mon)[1])
    start = timezone.make_aware(datetime.combine(first, dtime.min))
    nxt = date(year + (mon == 12), mon % 12 + 1, 1)
    end = timezone.make_aware(datetime.combine(nxt, dtime.min))
    return Month(label=f"{year:04d}-{mon:02d}", first=first, last=last, start=start, end=end)


@dataclass
class Raw:
    """What one organisation (or a town, as the sum of its organisations) did in the month: the
    case ids behind each figure, and the per-event lists where a case may count twice."""

    received: set = field(default_factory=set)
    accepted_in_time: set = field(default_factory=set)
    ended: set = field(default_factory=set)
    ended_in_time: set = field(default_factory=set)
    resolved: set = field(default_factory=set)
    returns: list = field(default_factory=list)  # (case id, reason) per return
    escalations: list = field(default_factory=list)  # case id per escalation
    ratings: list = field(default_factory=list)  # (case id, source, satisfied)
    visits_due: list = field(default_factory=list)  # case id per visit due
    visits_in_time: list = field(default_factory=list)
    supervisions: list = field(default_factory=list)  # case id per order due
    supervisions_in_time: list = field(default_factory=list)

    def add(self, other: Raw) -> None:
        for name in self.__dataclass_fields__:
            mine = getattr(self, name)
            if isinstance(mine, set):
                mine |= getattr(other, name)
            else:
                mine += getattr(other, name)


@dataclass
class Unit:
    key: str  # "o<organisation id>" or "t<town code>"
    kind: str  # "organization" or "town"
    name: str
    region: Region
    organization_id: int | None
    organization_ids: list[int]
    raw: Raw = field(default_factory=Raw)
    inspections: dict | None = None  # {due, done, share} from jiefen.inspections, None without data
    figures: dict = field(default_factory=dict)
    terms: dict = field(default_factory=dict)
    score: float | None = None
    rank: int | None = None


def viewer_county(viewer: Staff, county_code: str | None = None) -> Region:
    if county_code:
        region = Region.objects.filter(code=county_code, level="county").first()
        if region is None or not (region_in_jurisdiction(viewer, region) or _in_county(viewer, region)):
            raise NotFound(_("Unknown region."))
        return region
    org = viewer.organization
    if org is not None:
        return org.region.county or org.region
    region = Region.objects.filter(level="county").order_by("code").first() if viewer.is_superuser else None
    if region is None:
        raise NotFound(_("Unknown region."))
    return region


def _in_county(viewer: Staff, county: Region) -> bool:
    org = viewer.organization
    return org is not None and org.region.county_id == county.pk


def weights() -> dict[str, int]:
    from jiefen.scorecards.models import ScoreWeight

    out = {str(t): 0 for t in Term.values}
    stored = dict(ScoreWeight.objects.values_list("term", "weight"))
    if not stored:
        stored = {str(k): v for k, v in DEFAULT_WEIGHTS.items()}
    out.update(stored)
    return out


# ---------------------------------------------------------------- the counts


def raw_by_organization(org_ids: list[int], month: Month) -> dict[int, Raw]:
    """Each organisation's Raw for the month, from the case rows (a fixed number of queries)."""
    out: dict[int, Raw] = {pk: Raw() for pk in org_ids}
    start, end = month.start, month.end
    cohort = (
        Case.objects.filter(lead_organization_id__in=org_ids, received_at__gte=start, received_at__lt=end)
        .exclude(status=Status.MERGED)
        .values_list("pk", "lead_organization_id", "status", "resolved_level")
    )
    lead_of: dict[int, int] = {}
    for pk, org_id, status, resolved_level in cohort:
        raw = out[org_id]
        lead_of[pk] = org_id
        raw.received.add(pk)
        if status in ENDED:
            raw.ended.add(pk)
        if resolved_level:
            raw.resolved.add(pk)
    steps: dict[int, list] = {}
    if lead_of:
        for row in (
            CaseStep.objects.filter(case_id__in=list(lead_of))
            .order_by("started_at", "id")
            .values_list("case_id", "code", "started_at", "due_at", "ended_at")
        ):
            steps.setdefault(row[0], []).append(row[1:])
    for case_id, rows in steps.items():
        raw = out[lead_of[case_id]]
        if _accepted_in_time(rows):
            raw.accepted_in_time.add(case_id)
        if case_id in raw.ended:
            _code, _started, due, ended = rows[-1]
            if ended is not None and (due is None or ended <= due):
                raw.ended_in_time.add(case_id)
    # returns: the organisation that gave the case back is in the event (it is no longer the lead)
    for case_id, data, reason in CaseEvent.objects.filter(
        kind="return", at__gte=start, at__lt=end
    ).values_list("case_id", "data", "reason"):
        returned_by = (data or {}).get("returned_by")
        if returned_by in out:
            out[returned_by].returns.append((case_id, reason))
    # escalations: the lead assignment that ended at the moment of the escalation
    esc = list(
        CaseEvent.objects.filter(kind="escalate", at__gte=start, at__lt=end).values_list("case_id", "at")
    )
    if esc:
        ended_leads = {
            (case_id, at): org_id
            for case_id, at, org_id in Assignment.objects.filter(
                role="lead",
                ended_at__gte=start,
                ended_at__lt=end,
                organization_id__in=org_ids,
                case_id__in={c for c, _a in esc},
            ).values_list("case_id", "ended_at", "organization_id")
        }
        for case_id, at in esc:
            lead_id = ended_leads.get((case_id, at))
            if lead_id is not None:
                out[lead_id].escalations.append(case_id)
    _satisfaction(out, org_ids, start, end)
    _follow_up(out, org_ids, start, end)
    return out


def _accepted_in_time(rows: list) -> bool:
    """The case was accepted (its first handling step began) when its acceptance clock, the
    step that stopped at that moment, had not run out."""
    handling = next((r for r in rows if r[0] == "handling"), None)
    if handling is None:
        return False
    accepted_at = handling[1]
    acceptance = next((r for r in reversed(rows) if r[0] == "acceptance" and r[3] == accepted_at), None)
    if acceptance is None:
        return False
    due = acceptance[2]
    return due is None or accepted_at <= due


def _satisfaction(out: dict[int, Raw], org_ids: list[int], start, end) -> None:
    """Opinions given in the month about cases each organisation leads, in the one notion of
    satisfaction (jiefen.procedures.satisfaction): the return visits' yes/no and the parties'
    scores whatever the channel (feedback at closure, the portal's stars, the 12345 hotline's
    return visit), satisfied from `SATISFIED_MIN`."""
    from jiefen.procedures.models import PartyFeedback, ReturnVisit
    from jiefen.procedures.satisfaction import RETURN_VISIT, is_satisfied

    for case_id, org_id, satisfied in ReturnVisit.objects.filter(
        done_at__gte=start, done_at__lt=end, satisfied__isnull=False, case__lead_organization_id__in=org_ids
    ).values_list("case_id", "case__lead_organization_id", "satisfied"):
        out[org_id].ratings.append((case_id, RETURN_VISIT, bool(satisfied)))
    for case_id, org_id, source, score in PartyFeedback.objects.filter(
        at__gte=start, at__lt=end, case__lead_organization_id__in=org_ids
    ).values_list("case_id", "case__lead_organization_id", "source", "score"):
        out[org_id].ratings.append((case_id, _SOURCE.get(source, source), is_satisfied(score)))


def _follow_up(out: dict[int, Raw], org_ids: list[int], start, end) -> None:
    """Return visits and supervision orders (督办) falling due in the month, per organisation
    they were given to, and those done or answered by their due time."""
    from jiefen.procedures.models import ReturnVisit, SupervisionOrder

    for case_id, org_id, due, done in ReturnVisit.objects.filter(
        organization_id__in=org_ids, due_at__gte=start, due_at__lt=end
    ).values_list("case_id", "organization_id", "due_at", "done_at"):
        out[org_id].visits_due.append(case_id)
        if done is not None and done <= due:
            out[org_id].visits_in_time.append(case_id)
    for case_id, org_id, due, replied in SupervisionOrder.objects.filter(
        organization_id__in=org_ids, due_at__gte=start, due_at__lt=end
    ).values_list("case_id", "organization_id", "due_at", "replied_at"):
        out[org_id].supervisions.append(case_id)
        if replied is not None and replied <= due:
            out[org_id].supervisions_in_time.append(case_id)


def inspection_completion(county: Region, month: Month) -> dict[str, dict] | None:
    """排查 completion of the month per village and per town code ({due, done}), from
    `jiefen.inspections` when that app is installed; None when it is not or has nothing due."""
    from django.apps import apps

    if not apps.is_installed("jiefen.inspections"):
        return None
    from jiefen.inspections.selectors import completion

    rows = completion(county, month.first, month.last)
    if not rows:
        return None
    out: dict[str, dict] = {}
    for r in rows:
        for code in {r.village_code, r.town_code} - {""}:
            agg = out.setdefault(code, {"due": 0, "done": 0})
            agg["due"] += r.due
            agg["done"] += r.done
    return out


# ---------------------------------------------------------------- figures and score


def _share(num: int, den: int) -> float | None:
    return None if den == 0 else round(num / den, 4)


def figures_of(raw: Raw, inspections: dict | None) -> dict:
    received = len(raw.received)
    by_source = {}
    for source in ("return_visit", "feedback", "portal", "hotline"):
        rows = [s for _c, src, s in raw.ratings if src == source]
        by_source[source] = {"rated": len(rows), "satisfied": sum(rows)}
    satisfied = sum(1 for _c, _s, ok in raw.ratings if ok)
    reasons = Counter((reason or "").strip()[:80] or _("(no reason)") for _c, reason in raw.returns)
    return {
        "received": received,
        "accepted_in_time": len(raw.accepted_in_time),
        "accepted_in_time_share": _share(len(raw.accepted_in_time), received),
        "ended": len(raw.ended),
        "ended_in_time": len(raw.ended_in_time),
        "ended_in_time_share": _share(len(raw.ended_in_time), len(raw.ended)),
        "resolved": len(raw.resolved),
        "resolved_share": _share(len(raw.resolved), received),
        "returns": len(raw.returns),
        "return_reasons": [{"reason": r, "count": n} for r, n in reasons.most_common()],
        "escalations": len(raw.escalations),
        "rated": len(raw.ratings),
        "satisfied": satisfied,
        "satisfaction": _share(satisfied, len(raw.ratings)),
        "satisfaction_by_source": by_source,
        "return_visits_due": len(raw.visits_due),
        "return_visits_in_time": len(raw.visits_in_time),
        "return_visits_share": _share(len(raw.visits_in_time), len(raw.visits_due)),
        "inspections_due": inspections["due"] if inspections else None,
        "inspections_done": inspections["done"] if inspections else None,
        "inspections_share": _share(inspections["done"], inspections["due"]) if inspections else None,
        "supervisions": len(raw.supervisions),
        "supervisions_in_time": len(raw.supervisions_in_time),
        "supervisions_share": _share(len(raw.supervisions_in_time), len(raw.supervisions)),
    }


def terms_of(f: dict) -> dict[str, float | None]:
    """Each term as a share in [0, 1]; None when the unit has nothing to count for it."""
    received = f["received"]
    return {
        Term.ACCEPTED_IN_TIME: f["accepted_in_time_share"],
        Term.ENDED_IN_TIME: f["ended_in_time_share"],
        Term.RESOLVED: f["resolved_share"],
        Term.NO_RETURNS: None
        if received + f["returns"] == 0
        else round(1 - f["returns"] / (received + f["returns"]), 4),
        Term.NO_ESCALATIONS: None
        if received + f["escalations"] == 0
        else round(1 - f["escalations"] / (received + f["escalations"]), 4),
        Term.SATISFACTION: f["satisfaction"],
        Term.RETURN_VISITS: f["return_visits_share"],
        Term.INSPECTIONS: f["inspections_share"],
        Term.SUPERVISION: f["supervisions_share"],
    }


def score_of(terms: dict, w: dict[str, int]) -> float | None:
    """The weighted mean of the terms that have a figure, out of 100."""
    total = sum(w.get(str(t), 0) for t, v in terms.items() if v is not None)
    if total == 0:
        return None
    return round(100 * sum(w.get(str(t), 0) * v for t, v in terms.items() if v is not None) / total, 1)


def _rank(units: list[Unit]) -> None:
    """Standard competition ranking (1, 2, 2, 4) by score; units without a score have no rank."""
    scored = sorted((u for u in units if u.score is not None), key=lambda u: -(u.score or 0.0))
    for i, u in enumerate(scored):
        u.rank = scored[i - 1].rank if i and scored[i - 1].score == u.score else i + 1


def scorecards(*, viewer: Staff, month: str, county_code: str | None = None) -> dict:
    """Every unit of the viewer's county (in their area) for `month`, scored and ranked:
    {"month", "county", "organizations": [Unit], "towns": [Unit], "weights"}."""
    m = month_parse(month)
    county = viewer_county(viewer, county_code)
    orgs = list(
        Organization.objects.filter(region__county=county, is_active=True)
        .select_related("region")
        .order_by("region__code", "name")
    )
    raws = raw_by_organization([o.pk for o in orgs], m)
    insp = inspection_completion(county, m)
    w = weights()
    org_units = []
    for o in orgs:
        if not region_in_jurisdiction(viewer, o.region):
            continue
        u = Unit(
            key=f"o{o.pk}",
            kind="organization",
            name=o.name,
            region=o.region,
            organization_id=o.pk,
            organization_ids=[o.pk],
            raw=raws[o.pk],
        )
        if insp is not None and o.kind in INSPECTING_KINDS:
            u.inspections = insp.get(o.region.code)
        org_units.append(u)
    town_units = []
    for town in Region.objects.filter(county=county, level="town").order_by("code"):
        if not region_in_jurisdiction(viewer, town):
            continue
        members = [o.pk for o in orgs if o.region.town_id == town.pk]
        raw = Raw()
        for pk in members:
            raw.add(raws[pk])
        u = Unit(
            key=f"t{town.code}",
            kind="town",
            name=town.name,
            region=town,
            organization_id=None,
            organization_ids=members,
            raw=raw,
            inspections=insp.get(town.code) if insp else None,
        )
        town_units.append(u)
    for u in org_units + town_units:
        u.figures = figures_of(u.raw, u.inspections)
        u.terms = terms_of(u.figures)
        u.score = score_of(u.terms, w)
    _rank(org_units)
    _rank(town_units)

    def order(units):
        return sorted(units, key=lambda u: (u.rank is None, u.rank or 0, u.region.code, u.name))

    return {
        "month": m,
        "county": county,
        "organizations": order(org_units),
        "towns": order(town_units),
        "weights": w,
    }


def unit_get(data: dict, key: str) -> Unit:
    for u in data["organizations"] + data["towns"]:
        if u.key == key:
            return u
    raise NotFound(_("No such unit."))


def figure_case_ids(unit: Unit, figure: str) -> list[int]:
    """The ids of the cases behind one figure of a unit (each case once)."""
    raw = unit.raw
    if figure not in DRILLABLE:
        raise NotFound(_("No such figure."))
    ids = {
        "received": raw.received,
        "accepted_in_time": raw.accepted_in_time,
        "ended": raw.ended,
        "ended_in_time": raw.ended_in_time,
        "resolved": raw.resolved,
        "returns": [c for c, _r in raw.returns],
        "escalations": raw.escalations,
        "rated": [c for c, _s, _ok in raw.ratings],
        "satisfied": [c for c, _s, ok in raw.ratings if ok],
        "return_visits_due": raw.visits_due,
        "return_visits_in_time": raw.visits_in_time,
        "supervisions": raw.supervisions,
        "supervisions_in_time": raw.supervisions_in_time,
    }[figure]
    return sorted(set(ids))


def figure_cases(*, viewer: Staff, unit: Unit, figure: str) -> QuerySet[Case]:
    """The cases behind a figure, through the viewer's jurisdiction."""
    ids = figure_case_ids(unit, figure)
    return (
        Case.objects.filter(case_scope(viewer))
        .filter(pk__in=ids)
        .select_related("lead_organization", "region")
        .order_by("-received_at", "-id")
    )
