"""Related cases (一案一码, no double registration): the same person, the same respondent, or a
similar description in the same place and time window.

Cheap by construction: the same person is an indexed equality on the keyed hashes of ID number
and phone (never plaintext); the same respondent an indexed equality on (role, name) within the
county; similar text a character-bigram Jaccard (one vectorised numpy pass) over at most CANDIDATES recent cases of the same
town (or county), fetched newest first by the (town, received_at) index. Three bounded queries,
whatever the number of cases.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.db.models import Q

from jiefen.cases.choices import OPEN_STATUSES, PartyRole
from jiefen.cases.models import Case, Party

WINDOW_DAYS = 180
CANDIDATES = 300
TEXT_CHARS = 300
SIMILARITY_MIN = 0.3
PER_KIND_LIMIT = 50
LIMIT = 10

SCORES = {"same_id_number": 1.0, "same_phone": 0.9, "same_respondent": 0.6}


@dataclass
class Related:
    items: list[dict] = field(default_factory=list)  # [{case_id, number, reason, reasons, score}]
    person_cases: int = 0  # other cases of the same person (by ID number or phone)
    respondent_open_cases: int = 0  # other open cases against the same respondent (this county)


# Spaces and punctuation carry no similarity: bigrams touching them are left out.
_PUNCT = " \t\r\n\u3000，。、；：？！“”‘’（）《》【】…—·,.;:?!\"'()[]<>-_/"
_MASK42 = (1 << 42) - 1


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


_PUNCT_CODES = tuple(sorted({int(c) for c in _codes(_PUNCT)}))


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    # Sort-based (numpy's hash-based unique is slower on these small arrays).
    if len(a) == 0:
        return a
    a = np.sort(a)
    keep = np.empty(len(a), dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def _bigram_keys(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(document index, bigram code) of the distinct character bigrams of each text, vectorised:
    the texts are joined with NUL separators into one UTF-32 array; a bigram is two adjacent code
    points (21 bits each, so 42 bits), and a pair touching a separator or punctuation is dropped.
    Sorted by (document, bigram)."""
    n = len(texts)
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64))
    if n == 0:
        return empty
    codes = _codes("\x00".join(texts)).astype(np.uint64)
    if len(codes) < 2:
        return empty
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=n)
    doc = np.repeat(np.arange(n, dtype=np.uint64), lengths)[: len(codes)]
    stop = codes == 0
    for c in _PUNCT_CODES:
        stop |= codes == c
    ok = ~(stop[:-1] | stop[1:])
    keys = (doc[:-1][ok] << np.uint64(42)) | (codes[:-1][ok] << np.uint64(21)) | codes[1:][ok]
    keys = _sorted_unique(keys)
    return (keys >> np.uint64(42)).astype(np.int64), keys & np.uint64(_MASK42)


def similarities(text: str, candidates: list[str]) -> np.ndarray:
    """Jaccard similarity of the character bigrams of `text` (NFKC-normalised) with those of each
    candidate (raw), over the first TEXT_CHARS characters; one vectorised pass for all."""
    _doc, mine = _bigram_keys([unicodedata.normalize("NFKC", text or "")[:TEXT_CHARS].lower()])
    n = len(candidates)
    if n == 0 or len(mine) == 0:
        return np.zeros(n)
    doc, big = _bigram_keys([(c or "")[:TEXT_CHARS].lower() for c in candidates])
    sizes = np.bincount(doc, minlength=n)
    at = np.minimum(np.searchsorted(mine, big), len(mine) - 1)
    inter = np.bincount(doc[mine[at] == big], minlength=n)
    union = sizes + len(mine) - inter
    return np.divide(inter, union, out=np.zeros(n), where=union > 0)


def bigram_count(text: str) -> int:
    return len(_bigram_keys([unicodedata.normalize("NFKC", text or "")[:TEXT_CHARS].lower()])[1])


def find_related(
    *,
    id_hashes: list[str],
    phone_hashes: list[str],
    respondent_names: list[str],
    description: str,
    county_id: int,
    town_id: int | None,
    now: datetime,
    exclude_case_id: int | None = None,
    window_days: int = WINDOW_DAYS,
    limit: int = LIMIT,
) -> Related:
    found: dict[int, dict] = {}

    def add(case_id: int, number: str, reason: str, score: float) -> None:
        row = found.setdefault(case_id, {"case_id": case_id, "number": number, "reasons": [], "score": 0.0})
        if reason not in row["reasons"]:
            row["reasons"].append(reason)
        row["score"] = max(row["score"], round(score, 3))

    person_cases: set[int] = set()
    ids = [h for h in id_hashes if h]
    phones = [h for h in phone_hashes if h]
    if ids or phones:
        cond = Q()
        if ids:
            cond |= Q(id_number_hash__in=ids)
        if phones:
            cond |= Q(phone_hash__in=phones)
        rows = (
            Party.objects.filter(cond)
            .exclude(case_id=exclude_case_id)
            .exclude(case__status="merged")
            .values_list("case_id", "case__number", "id_number_hash", "phone_hash")
            .order_by("-case_id")[:PER_KIND_LIMIT]
        )
        for case_id, number, idh, ph in rows:
            person_cases.add(case_id)
            if idh and idh in ids:
                add(case_id, number, "same_id_number", SCORES["same_id_number"])
            if ph and ph in phones:
                add(case_id, number, "same_phone", SCORES["same_phone"])
    respondent_open: set[int] = set()
    names = sorted({n.strip() for n in respondent_names if n and len(n.strip()) >= 2})[:10]
    if names:
        rows = (
            Party.objects.filter(role=PartyRole.RESPONDENT, name__in=names, case__county_id=county_id)
            .exclude(case_id=exclude_case_id)
            .exclude(case__status="merged")
            .values_list("case_id", "case__number", "case__status")
            .order_by("-case_id")[:PER_KIND_LIMIT]
        )
        for case_id, number, status in rows:
            add(case_id, number, "same_respondent", SCORES["same_respondent"])
            if status in OPEN_STATUSES:
                respondent_open.add(case_id)
    if bigram_count(description) >= 4:
        place = Q(town_id=town_id) if town_id else Q(county_id=county_id)
        rows = list(
            Case.objects.filter(place, received_at__gte=now - timedelta(days=window_days))
            .exclude(pk=exclude_case_id)
            .exclude(status="merged")
            .order_by("-received_at")
            .values_list("pk", "number", "description")[:CANDIDATES]
        )
        scores = similarities(description, [r[2] for r in rows])
        for (pk, number, _text), score in zip(rows, scores, strict=True):
            if score >= SIMILARITY_MIN:
                add(pk, number, "similar_text", float(score))
    items = sorted(found.values(), key=lambda r: (-r["score"], -r["case_id"]))[:limit]
    for row in items:
        row["reason"] = row["reasons"][0]
    return Related(items=items, person_cases=len(person_cases), respondent_open_cases=len(respondent_open))


def reason_label(code: str) -> str:
    from django.utils.translation import gettext as _

    return {
        "same_id_number": _("same person (ID number)"),
        "same_phone": _("same person (phone)"),
        "same_respondent": _("same respondent"),
        "similar_text": _("similar description nearby"),
        "linked": _("linked by staff"),
        "merged": _("merged"),
    }.get(code, code)
