"""Related cases (一案一码, no double registration): the same person, the same respondent, or a
similar description in the same place and time window.

This runs inside every registration (and for every live intake proposal), so it is kept cheap:
one SQL statement (a UNION ALL of up to three parts, each bounded by its own LIMIT on an index,
written out: building and compiling three querysets cost more CPU than running them) and one
vectorised numpy pass. Bounded whatever the number of cases (figures in docs/benchmarks.md).

- Same person: equality on the keyed hashes of ID number and phone (never plaintext), on their
  indexes; the newest PER_KIND_LIMIT party rows.
- Same respondent: equality on (role, name), the newest PER_KIND_LIMIT cases of the county; with
  an index on Party (role, name, case_id) PostgreSQL reads just those, newest first.
- Similar text: character-bigram Jaccard ≥ SIMILARITY_MIN between the description and the
  newest CANDIDATES cases of the same town (of the county when there is no town) received since
  `now - window_days`, read newest first on the (town or county, -received_at) index; only the
  first TEXT_CHARS characters of each description, the part scored, leave the database.

Which reasons a case has, its score and the order of the list do not depend on the order the
database returns rows in (ties go to the newer case).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.db import connection

from jiefen.cases.choices import OPEN_STATUSES, PartyRole, Status
from jiefen.cases.models import Case, Party

WINDOW_DAYS = 180
CANDIDATES = 300
TEXT_CHARS = 300
SIMILARITY_MIN = 0.3
MIN_BIGRAMS = 4  # shorter descriptions ("漏水") are not compared: too little to go on
PER_KIND_LIMIT = 50
LIMIT = 10

SCORES = {"same_id_number": 1.0, "same_phone": 0.9, "same_respondent": 0.6}
# Reasons are listed in this order whatever order the rows came in; the first is "the" reason.
_REASON_ORDER = ("same_id_number", "same_phone", "same_respondent", "similar_text")


@dataclass
class Related:
    items: list[dict] = field(default_factory=list)  # [{case_id, number, reason, reasons, score}]
    person_cases: int = 0  # other cases of the same person (by ID number or phone)
    respondent_open_cases: int = 0  # other open cases against the same respondent (this county)


# ---------------------------------------------------------------- similar text

# Spaces and punctuation carry no similarity: bigrams touching them are left out. NUL separates
# the texts joined for one pass. One flag per code point (1.1 MB, allocated lazily by the OS).
_PUNCT = " \t\r\n\u3000，。、；：？！“”‘’（）《》【】…—·,.;:?!\"'()[]<>-_/"
_STOP = np.zeros(0x110000, dtype=bool)
_STOP[0] = True
_STOP[[ord(c) for c in _PUNCT]] = True
# A key is (first code point: 21 bits, second: 21 bits, document: 22 bits) in one uint64, so that
# sorting groups each bigram's documents together.
_DOC_BITS = 22
_DOCS_MAX = 1 << _DOC_BITS
_CHUNK = _DOCS_MAX - 1  # more candidates than that are scored in chunks
_U21, _U22, _U43 = np.uint64(21), np.uint64(_DOC_BITS), np.uint64(21 + _DOC_BITS)


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _pair_positions(codes: np.ndarray) -> np.ndarray:
    """Positions i where codes[i], codes[i + 1] is a bigram (neither is a stop character)."""
    stop = _STOP[codes]
    return np.flatnonzero(~(stop[:-1] | stop[1:]))


def text_bigrams(text: str) -> np.ndarray:
    """The distinct bigrams of a description (NFKC-normalised, first TEXT_CHARS characters,
    lower-case), sorted, each as (first << 21) | second."""
    codes = _codes(unicodedata.normalize("NFKC", text or "")[:TEXT_CHARS].lower())
    if len(codes) < 2:
        return np.zeros(0, dtype=np.uint64)
    at = _pair_positions(codes)
    wide = codes.astype(np.uint64)
    return np.unique((wide[at] << _U21) | wide[at + 1])


def bigram_count(text: str) -> int:
    return len(text_bigrams(text))


def _jaccard(mine: np.ndarray, candidates: list[str]) -> np.ndarray:
    """Jaccard similarity of the bigram set `mine` with that of each candidate (raw, first
    TEXT_CHARS characters, lower-case), in one vectorised pass: the candidates are joined with NUL
    separators into one UTF-32 array, keys (bigram, document) are sorted and made unique, giving
    each document's set size; the keys of `mine`'s bigrams are found by binary search of their
    ranges (len(mine) searches, not one per candidate bigram)."""
    n = len(candidates)
    if n == 0 or len(mine) == 0:
        return np.zeros(n)
    if n > _CHUNK:
        return np.concatenate([_jaccard(mine, candidates[i : i + _CHUNK]) for i in range(0, n, _CHUNK)])
    texts = [(c or "")[:TEXT_CHARS] for c in candidates]
    joined = "\x00".join(texts)
    if joined.count("\x00") != n - 1:  # a NUL inside a text would shift the document numbers
        joined = "\x00".join(t.replace("\x00", " ") for t in texts)
    # Lower-casing the joined text equals joining the lower-cased texts: NUL is neither cased nor
    # case-ignorable, so it also ends the context of the Greek final sigma.
    codes = _codes(joined.lower())
    if len(codes) < 2:
        return np.zeros(n)
    at = _pair_positions(codes)
    doc = np.cumsum(codes == 0, dtype=np.uint64)[at]  # separators before a position
    wide = codes.astype(np.uint64)
    keys = np.sort((wide[at] << _U43) | (wide[at + 1] << _U22) | doc)
    if len(keys) == 0:
        return np.zeros(n)
    keep = np.empty(len(keys), dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    keys = keys[keep]
    docs = (keys & np.uint64(_DOCS_MAX - 1)).astype(np.intp)
    sizes = np.bincount(docs, minlength=n)
    # The keys of one of my bigrams b are those in [b << 22, (b + 1) << 22): list their positions.
    lo = np.searchsorted(keys, mine << _U22)
    hi = np.searchsorted(keys, (mine + np.uint64(1)) << _U22)
    counts = hi - lo
    ends = np.cumsum(counts)
    shared = np.arange(ends[-1]) + np.repeat(lo - (ends - counts), counts)
    inter = np.bincount(docs[shared], minlength=n)
    union = sizes + len(mine) - inter
    return np.divide(inter, union, out=np.zeros(n), where=union > 0)


def similarities(text: str, candidates: list[str]) -> np.ndarray:
    """Jaccard similarity of the character bigrams of `text` (NFKC-normalised) with those of each
    candidate (raw), over the first TEXT_CHARS characters, lower-case; one vectorised pass."""
    return _jaccard(text_bigrams(text), candidates)


# ---------------------------------------------------------------- the lookup

_CASE = Case._meta.db_table
_PARTY = Party._meta.db_table
_MERGED = Status.MERGED.value
_RESPONDENT = PartyRole.RESPONDENT.value


def _marks(values: list) -> str:
    return ", ".join(["%s"] * len(values))


# Each part selects (kind, case id, number, a, b); they run as one statement (UNION ALL of the
# parts, each with its own ORDER BY … LIMIT on its own index): one round trip to the database.
# The party rows are read in a sorted subquery and then joined to their case: PostgreSQL then
# walks them newest first with a nested loop and stops at the limit. Joined directly, a name
# with thousands of cases (a town government, a hospital) made it merge-join with a backward
# scan of the whole case table instead (tens of milliseconds at 1,000,000 cases, hundreds cold).
_PERSON, _SAME_RESPONDENT, _RECENT = 1, 2, 3


def _person_part(
    ids: list[str], phones: list[str], exclude_case_id: int | None, limit: int | None = None
) -> tuple[str, list]:
    """The newest party rows with one of the keyed hashes: a = ID hash, b = phone hash."""
    cond, params = [], []
    if ids:
        cond.append(f"id_number_hash IN ({_marks(ids)})")
        params += ids
    if phones:
        cond.append(f"phone_hash IN ({_marks(phones)})")
        params += phones
    where = f"({' OR '.join(cond)})"
    if exclude_case_id is not None:
        where += " AND case_id <> %s"
        params.append(exclude_case_id)
    sql = (
        f"SELECT {_PERSON} AS kind, p.case_id, c.number, p.id_number_hash AS a, p.phone_hash AS b "
        f"FROM (SELECT id, case_id, id_number_hash, phone_hash FROM {_PARTY} WHERE {where} "
        f"ORDER BY case_id DESC, id DESC) p JOIN {_CASE} c ON c.id = p.case_id WHERE c.status <> %s "
        f"ORDER BY p.case_id DESC, p.id DESC LIMIT {int(limit or PER_KIND_LIMIT)}"
    )
    return sql, [*params, _MERGED]


def _respondent_part(
    names: list[str], county_id: int, exclude_case_id: int | None, limit: int | None = None
) -> tuple[str, list]:
    """The newest cases of the county against one of the names: a = status, b = the name."""
    where = f"role = %s AND name IN ({_marks(names)})"
    params = [_RESPONDENT, *names]
    if exclude_case_id is not None:
        where += " AND case_id <> %s"
        params.append(exclude_case_id)
    sql = (
        f"SELECT {_SAME_RESPONDENT} AS kind, p.case_id, c.number, c.status AS a, p.name AS b "
        f"FROM (SELECT case_id, name FROM {_PARTY} WHERE {where} ORDER BY case_id DESC) p "
        f"JOIN {_CASE} c ON c.id = p.case_id WHERE c.county_id = %s AND c.status <> %s "
        f"ORDER BY p.case_id DESC LIMIT {int(limit or PER_KIND_LIMIT)}"
    )
    return sql, [*params, county_id, _MERGED]


def _recent_part(
    county_id: int, town_id: int | None, since: datetime, exclude_case_id: int | None
) -> tuple[str, list]:
    """The newest cases of the town (or county) received since `since`: a = the first
    TEXT_CHARS characters of the description, b = the town (or county) id."""
    place = "town_id" if town_id else "county_id"
    sql = (
        f"SELECT {_RECENT} AS kind, id, number, SUBSTR(description, 1, {TEXT_CHARS}) AS a, "
        f"CAST({place} AS VARCHAR(20)) AS b "
        f"FROM {_CASE} WHERE {place} = %s AND received_at >= %s AND status <> %s"
    )
    params = [town_id or county_id, connection.ops.adapt_datetimefield_value(since), _MERGED]
    if exclude_case_id is not None:
        sql += " AND id <> %s"
        params.append(exclude_case_id)
    return sql + f" ORDER BY received_at DESC, id DESC LIMIT {CANDIDATES}", params


def _fetch(parts: list[tuple[str, list]]) -> list[tuple]:
    if not parts:
        return []
    if len(parts) == 1:
        sql, params = parts[0]
    else:
        sql = " UNION ALL ".join(f"SELECT * FROM ({part}) AS part{i}" for i, (part, _p) in enumerate(parts))
        params = [value for _part, part_params in parts for value in part_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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
    ids = sorted({h for h in id_hashes if h})
    phones = sorted({h for h in phone_hashes if h})
    names = sorted({n.strip() for n in respondent_names if n and len(n.strip()) >= 2})[:10]
    mine = text_bigrams(description)
    parts = []
    if ids or phones:
        parts.append(_person_part(ids, phones, exclude_case_id))
    if names:
        parts.append(_respondent_part(names, county_id, exclude_case_id))
    if len(mine) >= MIN_BIGRAMS:
        parts.append(_recent_part(county_id, town_id, now - timedelta(days=window_days), exclude_case_id))
    rows = _fetch(parts)
    return _assemble(rows, ids=ids, phones=phones, mine=mine, limit=limit)


def _assemble(rows, *, ids: list[str], phones: list[str], mine: np.ndarray, limit: int) -> Related:
    """Related cases from the rows of the parts (person, respondent, recent) that concern one
    intake: reasons, scores (similar text scored here), the counts the risk assessment uses."""
    found: dict[int, dict] = {}

    def add(case_id: int, number: str, reason: str, score: float) -> None:
        row = found.setdefault(case_id, {"case_id": case_id, "number": number, "reasons": [], "score": 0.0})
        if reason not in row["reasons"]:
            row["reasons"].append(reason)
        row["score"] = max(row["score"], round(score, 3))

    person_cases: set[int] = set()
    respondent_open: set[int] = set()
    recent = []
    for kind, case_id, number, a, b in rows:
        if kind == _PERSON:
            person_cases.add(case_id)
            if a and a in ids:
                add(case_id, number, "same_id_number", SCORES["same_id_number"])
            if b and b in phones:
                add(case_id, number, "same_phone", SCORES["same_phone"])
        elif kind == _SAME_RESPONDENT:
            add(case_id, number, "same_respondent", SCORES["same_respondent"])
            if a in OPEN_STATUSES:
                respondent_open.add(case_id)
        else:
            recent.append((case_id, number, a))
    if recent:
        scores = _jaccard(mine, [text for _pk, _number, text in recent])
        for (case_id, number, _text), score in zip(recent, scores, strict=True):
            if score >= SIMILARITY_MIN:
                add(case_id, number, "similar_text", float(score))
    items = sorted(found.values(), key=lambda r: (-r["score"], -r["case_id"]))[:limit]
    for row in items:
        row["reasons"].sort(key=_REASON_ORDER.index)
        row["reason"] = row["reasons"][0]
    return Related(items=items, person_cases=len(person_cases), respondent_open_cases=len(respondent_open))


@dataclass
class RelatedQuery:
    """One intake of a batch (`find_related_many`)."""

    id_hashes: list[str]
    phone_hashes: list[str]
    respondent_names: list[str]
    description: str
    county_id: int
    town_id: int | None


def find_related_many(
    queries: list[RelatedQuery], *, now: datetime, window_days: int = WINDOW_DAYS
) -> list[Related]:
    """`find_related` for the intakes of a batch (an import chunk) in one statement: one person
    part for every hash of the batch, one respondent part per county, one recent-cases part per
    town (or county); each intake then takes its own rows. Only cases already stored are found
    (the batch's own cases are not numbered yet; repeat submissions within a batch are the
    import's own duplicate check)."""
    if not queries:
        return []
    prepared = []
    all_ids: set[str] = set()
    all_phones: set[str] = set()
    names_by_county: dict[int, set[str]] = {}
    places: dict[tuple[str, int], None] = {}
    for q in queries:
        ids = sorted({h for h in q.id_hashes if h})
        phones = sorted({h for h in q.phone_hashes if h})
        names = sorted({n.strip() for n in q.respondent_names if n and len(n.strip()) >= 2})[:10]
        mine = text_bigrams(q.description)
        place = ("town", q.town_id) if q.town_id else ("county", q.county_id)
        prepared.append((q, ids, phones, names, mine, place))
        all_ids.update(ids)
        all_phones.update(phones)
        if names:
            names_by_county.setdefault(q.county_id, set()).update(names)
        if len(mine) >= MIN_BIGRAMS:
            places[place] = None
    parts = []
    keys = len(all_ids) + len(all_phones)
    if keys:
        parts.append(_person_part(sorted(all_ids), sorted(all_phones), None, limit=PER_KIND_LIMIT * keys))
    for county_id, names in sorted(names_by_county.items()):
        parts.append(_respondent_part(sorted(names), county_id, None, limit=PER_KIND_LIMIT * len(names)))
    since = now - timedelta(days=window_days)
    for kind, pk in places:  # each place its own part (its own LIMIT); b tells the place
        parts.append(_recent_part(pk, pk if kind == "town" else None, since, None))
    rows = _fetch(parts)
    recent_rows: dict[tuple[str, int], list] = {}
    towns = {pk for kind, pk in places if kind == "town"}
    for r in rows:
        if r[0] == _RECENT:
            # a county part's rows carry the county id, a town part's the town id (as text)
            pk = int(r[4])
            recent_rows.setdefault(("town" if pk in towns else "county", pk), []).append(r)
    persons = [r for r in rows if r[0] == _PERSON]
    respondents = [r for r in rows if r[0] == _SAME_RESPONDENT]
    out = []
    for _q, ids, phones, names, mine, place in prepared:
        mine_ids, mine_phones, mine_names = set(ids), set(phones), set(names)
        own = [r for r in persons if (r[3] and r[3] in mine_ids) or (r[4] and r[4] in mine_phones)][
            :PER_KIND_LIMIT
        ]
        seen: set[int] = set()
        resp = []
        for r in respondents:
            if r[4] in mine_names and r[1] not in seen and len(resp) < PER_KIND_LIMIT:
                seen.add(r[1])
                resp.append(r)
        recent = recent_rows.get(place, []) if len(mine) >= MIN_BIGRAMS else []
        out.append(_assemble([*own, *resp, *recent], ids=ids, phones=phones, mine=mine, limit=LIMIT))
    return out


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
