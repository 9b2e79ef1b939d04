"""Checks other apps call before they write (kept free of cases.services to avoid cycles)."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from django.db import connection
from django.utils.translation import gettext as _

from jiefen.core import pii, rawsql
from jiefen.core.errors import ValidationFailed

# Two descriptions this similar (after normalisation) state the same facts and reasons.
SAME_FACTS_RATIO = 0.85
_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def normalize_facts(text: str) -> str:
    """Lower-cased NFKC text without spaces or punctuation: what is compared for 'same facts'."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or "").lower())


def person_hashes(parties) -> list[str]:
    """Keyed hashes of the applicants' ID numbers and phones (PartyInput or Party rows)."""
    out: list[str] = []
    for p in parties:
        if getattr(p, "role", "") != "applicant":
            continue
        if hasattr(p, "id_number_hash"):
            out += [h for h in (p.id_number_hash, p.phone_hash) if h]
            continue
        idn = pii.normalize_id_number(getattr(p, "id_number", "") or "")
        phone = pii.normalize_phone(getattr(p, "phone", "") or "")
        if idn:
            out.append(pii.keyed_hash(idn))
        if phone:
            out.append(pii.keyed_hash(phone))
    return out


def petition_ended_candidates(parties_lists: list) -> dict[str, list]:
    """The ended petitions of every applicant in `parties_lists` (one list of parties per
    registration), by person hash, newest first: one query for a whole import."""
    from jiefen.procedures.models import PetitionEnded

    hashes = sorted({h for parties in parties_lists for h in person_hashes(parties)})
    out: dict[str, list] = {}
    if hashes and _any_ended(hashes):
        for ended in (
            PetitionEnded.objects.filter(person_hash__in=hashes).select_related("case").order_by("-ended_at")
        ):
            out.setdefault(ended.person_hash, []).append(ended)
    return out


def _any_ended(hashes: list[str]) -> bool:
    """Whether any of these people has an ended petition: one plain statement, since nearly
    every registration asks and nearly none has one (the petitions themselves are then read
    with the ORM)."""
    from jiefen.procedures.models import PetitionEnded

    match, params = rawsql.any_of("person_hash", hashes)
    with connection.cursor() as cur:
        cur.execute(f"SELECT 1 FROM {rawsql.table(PetitionEnded)} WHERE {match} LIMIT 1", params)
        return cur.fetchone() is not None


def petition_ended_match(*, parties, description: str, candidates: dict[str, list] | None = None) -> None:
    """Refuse a registration of facts and reasons a petition already ended after 复核
    (信访工作条例 第36条: not accepted again), pointing to the ended matter. `candidates` are
    the ended petitions read for a whole batch (petition_ended_candidates)."""
    from jiefen.procedures.models import PetitionEnded

    hashes = set(person_hashes(parties))
    if not hashes:
        return
    facts = normalize_facts(description)
    if not facts:
        return
    if candidates is not None:
        found = sorted(
            {e.pk: e for h in hashes for e in candidates.get(h, ())}.values(),
            key=lambda e: e.ended_at,
            reverse=True,
        )
    else:
        found = (
            PetitionEnded.objects.filter(person_hash__in=hashes).select_related("case").order_by("-ended_at")
        )
    for ended in found[:200]:
        if SequenceMatcher(None, facts, ended.facts).ratio() >= SAME_FACTS_RATIO:
            raise ValidationFailed(
                _(
                    "The same facts and reasons were ended after re-check (复核) in case %(number)s; "
                    "they are not accepted again."
                )
                % {"number": ended.case.number},
                code="petition_ended",
                fields={"description": [_("ended in case %(number)s") % {"number": ended.case.number}]},
            )
