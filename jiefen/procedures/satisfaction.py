"""Satisfaction (满意度): the one notion, whatever the channel. Every reader goes through here —
the dashboard and its reports, the case API and page, the mediators' records, unit scorecards.

An *opinion* is one party's word on the result of a case:

- a score from 1 to 5 (`PartyFeedback`), given by the citizen on the portal (source `portal`),
  recorded by staff at the window or on the phone (`staff`), or reported by the 12345 hotline
  after its own return visit (`hotline`) — at most one per party and closure, whatever the
  channel;
- or the yes/no of the centre's return visit (回访, `ReturnVisit.satisfied`, source
  `return_visit`), which has no score.

An opinion is *satisfied* when its score is at least `SATISFIED_MIN` (4: 满意 or 非常满意) or the
return visit found the party satisfied. The satisfaction rate of a region and period is
satisfied opinions / opinions given in the period (at the time they were given), for the cases
of the region. The mean score counts only scores (return visits have none).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone

from jiefen.procedures.models import PartyFeedback, ReturnVisit

SATISFIED_MIN = 4  # a score of 4 or 5 counts as satisfied
RETURN_VISIT = "return_visit"
SOURCES = ("portal", "staff", "hotline", RETURN_VISIT)

_AREA = {"county": "case__county_id", "town": "case__town_id", "village": "case__village_id"}


@dataclass(frozen=True)
class Opinion:
    case_id: int
    source: str
    at: datetime
    satisfied: bool
    score: int | None = None
    comment: str = ""
    party_id: int | None = None
    closure_no: int | None = None


def is_satisfied(score: int) -> bool:
    return score >= SATISFIED_MIN


def _period(field: str, d0: date | None, d1: date | None) -> Q:
    q = Q()
    tz = timezone.get_current_timezone()
    if d0 is not None:
        q &= Q(**{f"{field}__gte": datetime.combine(d0, time.min, tzinfo=tz)})
    if d1 is not None:
        q &= Q(**{f"{field}__lt": datetime.combine(d1 + timedelta(days=1), time.min, tzinfo=tz)})
    return q


def _area(region) -> Q:
    return Q(**{_AREA[region.level]: region.pk}) if region is not None else Q()


def opinions(
    *, case_ids: list[int] | None = None, region=None, d0: date | None = None, d1: date | None = None
) -> list[Opinion]:
    """Every opinion of the given cases, or of the cases of `region` given between d0 and d1
    (local days, inclusive), oldest first."""
    fb = PartyFeedback.objects.filter(_area(region) & _period("at", d0, d1))
    rv = ReturnVisit.objects.filter(
        _area(region) & _period("done_at", d0, d1), satisfied__isnull=False, done_at__isnull=False
    )
    if case_ids is not None:
        fb, rv = fb.filter(case_id__in=case_ids), rv.filter(case_id__in=case_ids)
    out = [
        Opinion(
            case_id=f.case_id,
            source=f.source,
            at=f.at,
            satisfied=is_satisfied(f.score),
            score=f.score,
            comment=f.comment,
            party_id=f.party_id,
            closure_no=f.closure_no,
        )
        for f in fb.only("case_id", "source", "at", "score", "comment", "party_id", "closure_no")
    ]
    out += [
        Opinion(
            case_id=v.case_id, source=RETURN_VISIT, at=v.done_at, satisfied=bool(v.satisfied), comment=v.note
        )
        for v in rv.only("case_id", "done_at", "satisfied", "note")
        if v.done_at is not None  # already filtered out by the query; said again for the type
    ]
    out.sort(key=lambda o: (o.at, o.source))
    return out


def figures(*, region=None, d0: date | None = None, d1: date | None = None) -> dict:
    """The satisfaction of a region's cases over a period, in two aggregate queries:
    {"rate", "opinions", "satisfied", "mean_score", "scores", "by_source": {source: {"opinions",
    "satisfied"}}}. `rate` is None when nobody gave an opinion."""
    by_source = {s: {"opinions": 0, "satisfied": 0} for s in SOURCES}
    fb = (
        PartyFeedback.objects.filter(_area(region) & _period("at", d0, d1))
        .values("source")
        .annotate(n=Count("id"), yes=Count("id", filter=Q(score__gte=SATISFIED_MIN)), avg=Avg("score"))
    )
    score_total, scores = 0.0, 0
    for row in fb:
        by_source[row["source"]] = {"opinions": row["n"], "satisfied": row["yes"]}
        score_total += float(row["avg"] or 0) * row["n"]
        scores += row["n"]
    rv = ReturnVisit.objects.filter(
        _area(region) & _period("done_at", d0, d1), satisfied__isnull=False, done_at__isnull=False
    ).aggregate(n=Count("id"), yes=Count("id", filter=Q(satisfied=True)))
    by_source[RETURN_VISIT] = {"opinions": rv["n"], "satisfied": rv["yes"]}
    n = sum(v["opinions"] for v in by_source.values())
    yes = sum(v["satisfied"] for v in by_source.values())
    return {
        "rate": round(yes / n, 3) if n else None,
        "opinions": n,
        "satisfied": yes,
        "mean_score": round(score_total / scores, 2) if scores else None,
        "scores": scores,
        "by_source": by_source,
    }


def scores_by_case(case_ids: list[int]) -> dict[int, tuple[int, float]]:
    """{case id: (number of scores, mean score)} of the given cases (mediators' records)."""
    rows = (
        PartyFeedback.objects.filter(case_id__in=case_ids)
        .values("case_id")
        .annotate(n=Count("pk"), avg=Avg("score"))
        .values_list("case_id", "n", "avg")
    )
    return {cid: (n, float(avg)) for cid, n, avg in rows}


def case_satisfaction(*, case) -> dict | None:
    """A case's opinions and what they say, for the case API and page; None when nobody gave one.
    `satisfied` is the latest opinion's."""
    ops = opinions(case_ids=[case.pk])
    if not ops:
        return None
    scores = [o.score for o in ops if o.score is not None]
    return {
        "satisfied": ops[-1].satisfied,
        "mean_score": round(sum(scores) / len(scores), 2) if scores else None,
        "opinions": [{**asdict(o), "at": o.at.isoformat()} for o in ops],
    }
