"""Related cases (一案一码, no double registration): the same person, the same respondent, or a
similar description in the same place and time window.

This runs inside every registration (and for every live intake proposal), so it is kept cheap:
one SQL statement (a UNION ALL of up to three parts, each bounded by its own LIMIT on an index,
written out: building and compiling three querysets cost more CPU than running them) and one
vectorised numpy pass. Bounded whatever the number of cases (figures in docs/benchmarks.md).
A batch (an import chunk, `find_related_many`) shares one statement and one pass per place
between its intakes, each still getting exactly what its own lookup would.

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
_DOC_MASK = np.uint64(_DOCS_MAX - 1)
_CELLS_MAX = 1 << 24  # a batch's similarity matrix of one place: at most this many cells


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


def _bigram_keys(texts: list[str]) -> np.ndarray:
    """The distinct keys (first << 43 | second << 22 | document) of the bigrams of `texts` (each
    already cut to its first TEXT_CHARS characters, at most _CHUNK of them), sorted: one
    vectorised pass over the texts joined with NUL separators into one UTF-32 array."""
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:  # a NUL inside a text would shift the documents
        joined = "\x00".join(t.replace("\x00", " ") for t in texts)
    # Lower-casing the joined text equals joining the lower-cased texts: NUL is neither cased nor
    # case-ignorable, so it also ends the context of the Greek final sigma.
    codes = _codes(joined.lower())
    if len(codes) < 2:
        return np.zeros(0, dtype=np.uint64)
    at = _pair_positions(codes)
    doc = np.cumsum(codes == 0, dtype=np.uint64)[at]  # separators before a position
    wide = codes.astype(np.uint64)
    keys = np.sort((wide[at] << _U43) | (wide[at + 1] << _U22) | doc)
    if len(keys) < 2:
        return keys
    keep = np.empty(len(keys), dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    return keys[keep]


def _documents(keys: np.ndarray) -> np.ndarray:
    return (keys & _DOC_MASK).astype(np.intp)


def _intersections(
    keys: np.ndarray, documents: np.ndarray, docs: int, bigrams: np.ndarray, owners: np.ndarray, n: int
) -> np.ndarray:
    """inter[o, d]: how many of the bigrams of owner o (`bigrams[i]` belongs to `owners[i]`, each
    bigram once per owner) document d of `keys` (from _bigram_keys, `docs` documents; `documents`:
    the document of each key) has. The keys of a bigram b are those in [b << 22, (b + 1) << 22):
    binary search of their ranges, one pair (owner, document) per key found, counted."""
    lo = np.searchsorted(keys, bigrams << _U22)
    hi = np.searchsorted(keys, (bigrams + np.uint64(1)) << _U22)
    counts = hi - lo
    ends = np.cumsum(counts)
    if len(ends) == 0 or ends[-1] == 0:
        return np.zeros((n, docs), dtype=np.intp)
    shared = np.arange(ends[-1]) + np.repeat(lo - (ends - counts), counts)
    cells = np.repeat(owners * docs, counts)
    cells += documents[shared]
    return np.bincount(cells, minlength=n * docs).reshape(n, docs)


def _jaccard(mine: np.ndarray, candidates: list[str]) -> np.ndarray:
    """Jaccard similarity of the bigram set `mine` with that of each candidate (raw, first
    TEXT_CHARS characters, lower-case), in one vectorised pass (_bigram_keys, _intersections:
    len(mine) binary searches, not one per candidate bigram)."""
    n = len(candidates)
    if n == 0 or len(mine) == 0:
        return np.zeros(n)
    if n > _CHUNK:
        return np.concatenate([_jaccard(mine, candidates[i : i + _CHUNK]) for i in range(0, n, _CHUNK)])
    keys = _bigram_keys([(c or "")[:TEXT_CHARS] for c in candidates])
    if len(keys) == 0:
        return np.zeros(n)
    documents = _documents(keys)
    sizes = np.bincount(documents, minlength=n)
    inter = _intersections(keys, documents, n, mine, np.zeros(len(mine), dtype=np.intp), 1)[0]
    union = sizes + len(mine) - inter
    return np.divide(inter, union, out=np.zeros(n), where=union > 0)


def _jaccard_many(bigrams: np.ndarray, owners: np.ndarray, lengths: np.ndarray, candidates: list[str]):
    """The Jaccard similarities of several bigram sets with the same candidates, as a matrix (one
    row per set, as _jaccard gives it): the candidates are tokenised once, each set's bigrams
    searched in them, all sets in one pass. `bigrams[i]` belongs to set `owners[i]` (0 ≤ owners
    < len(lengths)), `lengths` are the sizes of the sets."""
    n, sets = len(candidates), len(lengths)
    if n == 0 or n > _CHUNK or sets * n > _CELLS_MAX:  # (not with the limits of the lookup)
        out = np.zeros((sets, n))
        for o in range(sets):
            out[o] = _jaccard(np.sort(bigrams[owners == o]), candidates)
        return out
    keys = _bigram_keys([(c or "")[:TEXT_CHARS] for c in candidates])
    documents = _documents(keys)
    sizes = np.bincount(documents, minlength=n)
    inter = _intersections(keys, documents, n, bigrams, owners, sets)
    union = sizes[None, :] + lengths[:, None] - inter
    out = np.zeros((sets, n))
    return np.divide(inter, union, out=out, where=(union > 0) & (lengths[:, None] > 0))


def _text_bigrams_many(texts: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct bigrams of each description (text_bigrams) for many at once: (bigrams, owner
    index), in one vectorised pass per _CHUNK descriptions."""
    norm = [unicodedata.normalize("NFKC", t or "")[:TEXT_CHARS] for t in texts]
    bigrams, owners = [], []
    for start in range(0, len(norm), _CHUNK):
        keys = _bigram_keys(norm[start : start + _CHUNK])
        bigrams.append(keys >> _U22)
        owners.append(_documents(keys) + start)
    if not bigrams:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.intp)
    return np.concatenate(bigrams), np.concatenate(owners)


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
    names: list[str],
    county_id: int,
    exclude_case_id: int | None,
    limit: int | None = None,
    kind: int = _SAME_RESPONDENT,
) -> tuple[str, list]:
    """The newest cases of the county against one of the names: a = status, b = the name."""
    where = f"role = %s AND name IN ({_marks(names)})"
    params = [_RESPONDENT, *names]
    if exclude_case_id is not None:
        where += " AND case_id <> %s"
        params.append(exclude_case_id)
    sql = (
        f"SELECT {int(kind)} AS kind, p.case_id, c.number, c.status AS a, p.name AS b "
        f"FROM (SELECT case_id, name FROM {_PARTY} WHERE {where} ORDER BY case_id DESC) p "
        f"JOIN {_CASE} c ON c.id = p.case_id WHERE c.county_id = %s AND c.status <> %s "
        f"ORDER BY p.case_id DESC LIMIT {int(limit or PER_KIND_LIMIT)}"
    )
    return sql, [*params, county_id, _MERGED]


def _recent_part(
    county_id: int, town_id: int | None, since: datetime, exclude_case_id: int | None, kind: int = _RECENT
) -> tuple[str, list]:
    """The newest cases of the town (or county) received since `since`: a = the first
    TEXT_CHARS characters of the description, b = the town (or county) id."""
    place = "town_id" if town_id else "county_id"
    sql = (
        f"SELECT {int(kind)} AS kind, id, number, SUBSTR(description, 1, {TEXT_CHARS}) AS a, "
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
    names = _respondent_names(respondent_names)
    mine = text_bigrams(description)
    parts = []
    if ids or phones:
        parts.append(_person_part(ids, phones, exclude_case_id))
    if names:
        parts.append(_respondent_part(names, county_id, exclude_case_id))
    if len(mine) >= MIN_BIGRAMS:
        parts.append(_recent_part(county_id, town_id, now - timedelta(days=window_days), exclude_case_id))
    persons, respondents, recent = [], [], []
    for row in _fetch(parts):
        kind = row[0]
        (persons if kind == _PERSON else respondents if kind == _SAME_RESPONDENT else recent).append(row)
    similar = []
    if recent:
        scores = _jaccard(mine, [row[3] for row in recent])
        (hits,) = np.nonzero(scores >= SIMILARITY_MIN)
        similar = _ranked(hits, _round3(scores[hits]), recent)
    return _assemble(persons, respondents, similar, ids=ids, phones=phones, limit=limit)


def _respondent_names(respondent_names: list[str]) -> list[str]:
    return sorted({n.strip() for n in respondent_names if n and len(n.strip()) >= 2})[:10]


def _round3(values: np.ndarray) -> np.ndarray:
    """round(v, 3) of each value ≥ 0, exactly as Python rounds a float (the double nearest to the
    decimal rounding of its exact value), without a call per value: away from a half, v * 1000
    + 0.5 rounded down is that decimal (the float error is far below the margin); the few values
    near a half are left to Python."""
    thousands = values * 1000.0
    out = np.floor(thousands + 0.5) / 1000.0
    for i in np.flatnonzero(np.abs(thousands - np.floor(thousands) - 0.5) < 1e-7).tolist():
        out[i] = round(float(values[i]), 3)
    return out


def _ranked(hits: np.ndarray, rounded: np.ndarray, rows: list[tuple]) -> list[tuple[int, str, float]]:
    """[(case id, number, score)] of the candidate rows `hits` with their rounded scores, in the
    order of the list of related cases: higher score first, then the newer case."""
    case_ids = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))[hits]
    order = np.lexsort((-case_ids, -rounded))
    numbers = [rows[j][2] for j in hits[order].tolist()]
    return list(zip(case_ids[order].tolist(), numbers, rounded[order].tolist(), strict=True))


_RANK = {reason: i for i, reason in enumerate(_REASON_ORDER)}


def _assemble(
    persons: list[tuple],
    respondents: list[tuple],
    similar: list[tuple[int, str, float]],
    *,
    ids: list[str],
    phones: list[str],
    limit: int,
) -> Related:
    """Related cases from the rows that concern one intake (of its person part and respondent
    part) and its similar recent cases (_ranked: case id, number, Jaccard ≥ SIMILARITY_MIN
    rounded to 3 places, in their order): reasons, scores (a case's is the highest of its
    reasons'), the counts the risk assessment uses. Highest score first, the newer case first
    among equal scores; the strongest kind of reason first."""
    found: dict[int, list] = {}  # case id -> [score, number, reasons]
    person_cases: set[int] = set()
    respondent_open: set[int] = set()
    if persons:
        id_score, phone_score = round(SCORES["same_id_number"], 3), round(SCORES["same_phone"], 3)
        for _kind, case_id, number, a, b in persons:
            person_cases.add(case_id)
            if a and a in ids:
                _add(found, case_id, number, "same_id_number", id_score)
            if b and b in phones:
                _add(found, case_id, number, "same_phone", phone_score)
    if respondents:
        respondent_score = round(SCORES["same_respondent"], 3)
        for _kind, case_id, number, a, _b in respondents:
            _add(found, case_id, number, "same_respondent", respondent_score)
            if a in OPEN_STATUSES:
                respondent_open.add(case_id)
    if not found:  # only similar texts (the usual case in an import): ranked already
        return Related(
            items=[
                {"case_id": c, "number": n, "reasons": ["similar_text"], "score": v, "reason": "similar_text"}
                for c, n, v in similar[:limit]
            ],
            person_cases=len(person_cases),
            respondent_open_cases=len(respondent_open),
        )
    for case_id, number, score in similar:
        if case_id in found:
            _add(found, case_id, number, "similar_text", score)
    ranked = [(-row[0], -case_id, row[1], row[2]) for case_id, row in found.items()]
    others = [(-score, -case_id, number, None) for case_id, number, score in similar if case_id not in found]
    ranked = sorted(ranked + (others[:limit] if limit >= 0 else others))  # (only `limit` of them can rank)
    items = []
    for score, case_id, number, reasons in ranked[:limit]:
        if reasons is None:
            reasons = ["similar_text"]
        elif len(reasons) > 1:
            reasons.sort(key=_RANK.__getitem__)
        items.append(
            {"case_id": -case_id, "number": number, "reasons": reasons, "score": -score, "reason": reasons[0]}
        )
    return Related(items=items, person_cases=len(person_cases), respondent_open_cases=len(respondent_open))


def _add(found: dict[int, list], case_id: int, number: str, reason: str, score: float) -> None:
    row = found.get(case_id)
    if row is None:
        found[case_id] = [score, number, [reason]]
        return
    if reason not in row[2]:
        row[2].append(reason)
    if score > row[0]:
        row[0] = score


@dataclass
class RelatedQuery:
    """One intake of a batch (`find_related_many`)."""

    id_hashes: list[str]
    phone_hashes: list[str]
    respondent_names: list[str]
    description: str
    county_id: int
    town_id: int | None


# In a batch each respondent part (one per county) and each recent part (one per place) selects
# its own kind: kind * _TAG + the part's index.
_TAG = 1_000_000
_CASE_IDS = 1 << 40  # (intake, case id) pairs as one integer


def find_related_many(
    queries: list[RelatedQuery], *, now: datetime, window_days: int = WINDOW_DAYS
) -> list[Related]:
    """`find_related` for the intakes of a batch (an import chunk), each result the same as its
    own lookup's, in one statement: one person part for every hash of the batch, one respondent
    part per county, one recent-cases part per town (or county); each intake then takes its own
    rows. The descriptions of the batch are tokenised in one pass, the candidates of a place once
    and compared with all the batch's descriptions of that place in one pass. Only cases already
    stored are found (the batch's own cases are not numbered yet; repeat submissions within a
    batch are the import's own duplicate check).

    A part of the batch bounded by its LIMIT may leave out rows of an intake that its own
    lookup would have read (rows of other intakes crowding them out): such an intake, and one with
    more same-person rows than PER_KIND_LIMIT, reads that part again on its own."""
    if not queries:
        return []
    per_kind = PER_KIND_LIMIT
    keys = [
        (
            sorted({h for h in q.id_hashes if h}),
            sorted({h for h in q.phone_hashes if h}),
            _respondent_names(q.respondent_names),
        )
        for q in queries
    ]
    bigrams, owners = _text_bigrams_many([q.description for q in queries])
    lengths = np.bincount(owners, minlength=len(queries))
    all_ids: set[str] = set()
    all_phones: set[str] = set()
    names_by_county: dict[int, set[str]] = {}
    places: dict[tuple[str, int], list[int]] = {}  # place -> the intakes comparing texts there
    for i, (q, (ids, phones, names), length) in enumerate(zip(queries, keys, lengths.tolist(), strict=True)):
        all_ids.update(ids)
        all_phones.update(phones)
        if names:
            names_by_county.setdefault(q.county_id, set()).update(names)
        if length >= MIN_BIGRAMS:
            places.setdefault(("town", q.town_id) if q.town_id else ("county", q.county_id), []).append(i)
    parts = []
    person_limit = per_kind * (len(all_ids) + len(all_phones))
    if person_limit:
        parts.append(_person_part(sorted(all_ids), sorted(all_phones), None, limit=person_limit))
    counties = [(county_id, sorted(names)) for county_id, names in sorted(names_by_county.items())]
    for c, (county_id, names) in enumerate(counties):
        kind = _SAME_RESPONDENT * _TAG + c
        parts.append(_respondent_part(names, county_id, None, limit=per_kind * len(names), kind=kind))
    since = now - timedelta(days=window_days)
    for p, (place, pk) in enumerate(places):
        parts.append(_recent_part(pk, pk if place == "town" else None, since, None, kind=_RECENT * _TAG + p))
    persons: list[tuple] = []
    respondents: list[list[tuple]] = [[] for _c in counties]
    recent: list[list[tuple]] = [[] for _p in places]
    for row in _fetch(parts):
        kind = row[0]
        if kind == _PERSON:
            persons.append(row)
        elif kind >= _RECENT * _TAG:
            recent[kind - _RECENT * _TAG].append(row)
        else:
            respondents[kind - _SAME_RESPONDENT * _TAG].append(row)

    own_persons = _own_person_rows(keys, persons, person_limit, per_kind)
    own_respondents = _own_respondent_rows(queries, keys, counties, respondents, per_kind)
    own = [
        {row[1] for row in rows} | {row[1] for row in more}
        for rows, more in zip(own_persons, own_respondents, strict=True)
    ]
    similar = _similar_many(places, recent, bigrams, owners, lengths, own, LIMIT)
    return [
        _assemble(own_persons[i], own_respondents[i], similar[i], ids=ids, phones=phones, limit=LIMIT)
        for i, (ids, phones, _names) in enumerate(keys)
    ]


def _own_person_rows(keys: list, persons: list[tuple], batch_limit: int, per_kind: int) -> list[list]:
    """Each intake's rows of the batch's person part: what its own person part reads."""
    by_id: dict[str, list[int]] = {}
    by_phone: dict[str, list[int]] = {}
    for i, (_kind, _case_id, _number, a, b) in enumerate(persons):
        if a:
            by_id.setdefault(a, []).append(i)
        if b:
            by_phone.setdefault(b, []).append(i)
    cut = len(persons) >= batch_limit  # rows newer than the last one read are all there
    out: list[list] = []
    for ids, phones, _names in keys:
        if not (ids or phones):
            out.append([])
            continue
        mine: set[int] = set()
        for h in ids:
            mine.update(by_id.get(h, ()))
        for h in phones:
            mine.update(by_phone.get(h, ()))
        if len(mine) > per_kind or (cut and len(mine) < per_kind):
            out.append(_fetch([_person_part(ids, phones, None)]))  # (the order of the rows matters)
        else:
            out.append([persons[i] for i in mine])
    return out


def _own_respondent_rows(
    queries: list[RelatedQuery], keys: list, counties: list, respondents: list[list[tuple]], per_kind: int
) -> list[list]:
    """Each intake's rows of its county's respondent part: what its own respondent part reads.
    Rows are newest case first; several rows of one case are alike to the lookup (each counts
    towards the limit, as in its own part)."""
    index: dict[int, tuple] = {}  # county id -> (rows, positions by name, cut)
    for (county_id, names), rows in zip(counties, respondents, strict=True):
        rows = sorted(rows, key=lambda r: -r[1])
        by_name: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            by_name.setdefault(row[4], []).append(i)
        index[county_id] = (rows, by_name, len(rows) >= per_kind * len(names))
    out: list[list] = []
    for q, (_ids, _phones, names) in zip(queries, keys, strict=True):
        if not names:
            out.append([])
            continue
        rows, by_name, cut = index[q.county_id]
        mine = sorted(i for name in names for i in by_name.get(name, ()))
        if cut and len(mine) < per_kind:
            out.append(_fetch([_respondent_part(names, q.county_id, None)]))
        else:
            out.append([rows[i] for i in mine[:per_kind]])
    return out


def _rank_order(at: np.ndarray, rounded: np.ndarray, case_ids: np.ndarray, intakes: int) -> np.ndarray:
    """The order of the hits of several intakes (`at`: the intake of each) by intake, then as
    _ranked orders them (higher score, newer case): one sort of (intake: 12 bits, 1000 - score in
    thousandths: 11 bits, 2**40 - 1 - case id) in one integer."""
    if intakes > 1 << 12 or (len(case_ids) and int(case_ids.max()) >= 1 << 40):
        return np.lexsort((-case_ids, -rounded, at))
    thousandths = np.rint(rounded * 1000.0).astype(np.int64)
    return np.argsort((at.astype(np.int64) << 51) | ((1000 - thousandths) << 40) | ((1 << 40) - 1 - case_ids))


def _similar_many(
    places: dict, recent: list[list[tuple]], bigrams, owners, lengths, own: list[set[int]], limit: int
) -> list[list]:
    """Each intake's recent cases of its place with a similar text (_ranked), or as many of them
    as _assemble looks at: the first `limit` + as many as the intake has other related cases
    (`own`: their case ids) — those it may pass over — and those of its other related cases."""
    n = len(lengths)
    out: list[list] = [[] for _i in range(n)]
    place_of = np.full(n, -1, dtype=np.intp)
    local = np.zeros(n, dtype=np.intp)
    for p, intakes in enumerate(places.values()):
        place_of[intakes] = p
        local[intakes] = np.arange(len(intakes))
    extra = np.array([len(ids) for ids in own], dtype=np.intp)
    # the bigrams of the intakes grouped by place (those of the intakes not comparing texts first)
    by_place = np.argsort(place_of[owners], kind="stable")
    bigrams, owners = bigrams[by_place], owners[by_place]
    starts = np.searchsorted(place_of[owners], np.arange(-1, len(places) + 1)).tolist()
    for p, intakes in enumerate(places.values()):
        rows = recent[p]
        if not rows:
            continue
        mine = slice(starts[p + 1], starts[p + 2])
        texts = [row[3] for row in rows]
        scores = _jaccard_many(bigrams[mine], local[owners[mine]], lengths[intakes], texts)
        at, cols = np.nonzero(scores >= SIMILARITY_MIN)  # by intake, then candidate
        if len(at) == 0:
            continue
        case_ids = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))[cols]
        rounded = _round3(scores[at, cols])
        order = _rank_order(at, rounded, case_ids, len(intakes))
        at, cols, case_ids, rounded = at[order], cols[order], case_ids[order], rounded[order]
        if limit >= 0:
            intake = np.asarray(intakes, dtype=np.int64)[at]
            rank = np.arange(len(at)) - np.searchsorted(at, at)  # within its intake
            keep = rank < limit + extra[intake]
            pairs = [i * _CASE_IDS + case_id for i in intakes for case_id in own[i]]
            if pairs:
                keep |= np.isin(intake * _CASE_IDS + case_ids, pairs)
            at, cols, case_ids, rounded = at[keep], cols[keep], case_ids[keep], rounded[keep]
        numbers = [rows[j][2] for j in cols.tolist()]
        case_ids, values = case_ids.tolist(), rounded.tolist()
        bounds = np.searchsorted(at, np.arange(len(intakes) + 1)).tolist()
        for k, i in enumerate(intakes):
            lo, hi = bounds[k], bounds[k + 1]
            if lo < hi:
                out[i] = list(zip(case_ids[lo:hi], numbers[lo:hi], values[lo:hi], strict=True))
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
