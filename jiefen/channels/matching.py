"""Explainable matching shared by every channel: duplicate submissions and address → region.

Duplicate: the same applicant (phone, compared through its keyed hash — never plaintext) has
an open case in the same county, registered in the last 90 days, whose description is
similar: the Jaccard index of the two texts' character bigrams — the measure staff intake
uses to suggest related cases (triage.related) — is at least 0.4. The answer says which case,
the score and why.

Address: the names of the county's towns and villages are looked for in the address text
(“孝丰镇横溪坞村3组” → 横溪坞村). A village must lie in the town named, if one is; a name that
fits two villages equally is not guessed. Unresolved addresses stay at the county, where the
dispatchers' queue takes them (no vacuum).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from jiefen.cases.choices import OPEN_STATUSES
from jiefen.cases.models import Case, Party
from jiefen.core import clock, pii
from jiefen.regions.models import Region

DUPLICATE_WINDOW = timedelta(days=90)
# Automatic linking is stricter than the staff's "related cases" suggestions (0.3).
DUPLICATE_THRESHOLD = 0.4


_HAN_OR_WORD = re.compile(r"[\u3400-\u9fff]+|[0-9a-z]+")


def _bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the Han runs, and the words of other runs (NFKC, lower case):
    punctuation and spaces do not count."""
    out: set[str] = set()
    for run in _HAN_OR_WORD.findall(unicodedata.normalize("NFKC", text or "")[:400].lower()):
        if run.isascii() or len(run) == 1:
            out.add(run)
        else:
            out.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(out)


def similarity(a: str, b: str) -> float:
    """Jaccard index of character bigrams, 0..1 — the measure staff intake uses to suggest
    related cases (triage.related); kept here so that this module depends on no internals."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    inter = len(x & y)
    return inter / (len(x) + len(y) - inter)


@dataclass
class Duplicate:
    case: Case
    score: float
    reason: str


def find_duplicate(*, phone: str, description: str, county: Region) -> Duplicate | None:
    """The open case this submission repeats (same applicant phone, similar text), or None."""
    return DuplicateIndex(phones=[phone], county=county).find(phone=phone, description=description)


class DuplicateIndex:
    """`find_duplicate` for a batch of submissions (an import chunk): the open cases of the
    batch's phones are read in one query, and a submission earlier in the same batch counts as
    an open case too (`add`), so that a caller who rang twice is linked, not registered twice."""

    def __init__(self, *, phones: list[str], county: Region):
        self.county = county
        self.by_hash: dict[str, list[tuple[object, str]]] = {}
        hashes = sorted(
            {
                pii.keyed_hash(p)
                for p in (pii.normalize_phone(x or "") for x in phones)
                if p and not pii.phone_error(p)
            }
        )
        if not hashes:
            return
        # From the phones (indexed) to their cases, then the cases' own conditions: the planner
        # would otherwise walk every open case of the county.
        phones_of: dict[int, set[str]] = {}
        for phone_hash, case_id in Party.objects.filter(role="applicant", phone_hash__in=hashes).values_list(
            "phone_hash", "case_id"
        ):
            phones_of.setdefault(case_id, set()).add(phone_hash)
        rows = (
            Case.objects.filter(
                pk__in=list(phones_of),
                county=county,
                status__in=OPEN_STATUSES,
                registered_at__gte=clock.now() - DUPLICATE_WINDOW,
            )
            .only("pk", "number", "description")
            .order_by("-registered_at", "-pk")
        )
        for case in rows:
            for phone_hash in phones_of[case.pk]:
                cases = self.by_hash.setdefault(phone_hash, [])
                if len(cases) < 20:
                    cases.append((case, case.description))

    @staticmethod
    def _hash(phone: str) -> str:
        phone = pii.normalize_phone(phone or "")
        return pii.keyed_hash(phone) if phone and not pii.phone_error(phone) else ""

    def find(self, *, phone: str, description: str) -> Duplicate | None:
        """The best match: a case (or the handle given to `add`) and its score, or None."""
        best: Duplicate | None = None
        for case, text in self.by_hash.get(self._hash(phone), ()):
            score = similarity(description, text)
            if score >= DUPLICATE_THRESHOLD and (best is None or score > best.score):
                best = Duplicate(
                    case=case,
                    score=round(score, 2),
                    reason=f"same applicant phone; description similarity {score:.2f} ≥ {DUPLICATE_THRESHOLD}",
                )
        return best

    def add(self, *, phone: str, description: str, handle: object) -> None:
        """A submission of this batch that will become a case (newest first)."""
        h = self._hash(phone)
        if h:
            self.by_hash.setdefault(h, []).insert(0, (handle, description))


_VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会")
_TOWN_SUFFIXES = ("街道办事处", "街道", "镇", "乡")


def _village_names(name: str) -> set[str]:
    names = {name}
    for suffix in _VILLAGE_SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            names.add(stem + ("村" if suffix.startswith("村") else ""))
            names.add(stem)
            break
    for suffix in ("社区", "村"):
        for n in list(names):
            if n.endswith(suffix) and len(n) - len(suffix) >= 2:
                names.add(n[: -len(suffix)])
    return {n for n in names if len(n) >= 2}


def _town_names(name: str) -> set[str]:
    names = {name}
    for suffix in _TOWN_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            names.add(name[: -len(suffix)])
            break
    return names


@dataclass
class Resolution:
    region: Region
    how: str  # "village", "town" or "unresolved"


class AddressResolver:
    """Built once per county and import run: the names to look for, longest first."""

    def __init__(self, county: Region):
        self.county = county
        regions = list(
            Region.objects.filter(county=county)
            .exclude(pk=county.pk)
            .only("pk", "code", "name", "level", "town_id", "county_id", "parent_id")
        )
        self.towns = {r.pk: r for r in regions if r.level == "town"}
        for r in regions:  # the chain case_register walks, without a query per order
            r.county = county
            r.town = r if r.level == "town" else self.towns.get(r.town_id)
        self.town_names = sorted(
            ((n, r) for r in self.towns.values() for n in _town_names(r.name)), key=lambda x: -len(x[0])
        )
        self.village_names = sorted(
            ((n, r) for r in regions if r.level == "village" for n in _village_names(r.name)),
            key=lambda x: -len(x[0]),
        )

    def resolve(self, address: str) -> Resolution:
        text = (address or "").strip()
        if not text:
            return Resolution(self.county, "unresolved")
        town = next((r for n, r in self.town_names if n in text), None)
        best_len, found = 0, set()
        for name, village in self.village_names:
            if len(name) < best_len:
                break
            if name in text and (town is None or village.town_id == town.pk):
                best_len = len(name)
                found.add(village.pk)
                chosen = village
        if len(found) == 1:
            return Resolution(chosen, "village")
        if town is not None:
            return Resolution(town, "town")
        return Resolution(self.county, "unresolved")
