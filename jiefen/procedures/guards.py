"""Checks other apps call before they write (kept free of cases.services to avoid cycles)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
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
            PetitionEnded.objects.filter(person_hash__in=hashes)
            .select_related("case", "procedure")
            .order_by("-ended_at")
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


def _name(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or "").lower())


def _respondent_keys(parties) -> set[str]:
    """What identifies the respondents (PartyInput or Party rows): the keyed hashes of their ID
    numbers and phones, and their normalised names (an organisation has neither ID nor phone)."""
    out: set[str] = set()
    for p in parties:
        if getattr(p, "role", "") != "respondent":
            continue
        if hasattr(p, "id_number_hash"):
            out |= {h for h in (p.id_number_hash, p.phone_hash) if h}
        else:
            idn = pii.normalize_id_number(getattr(p, "id_number", "") or "")
            phone = pii.normalize_phone(getattr(p, "phone", "") or "")
            out |= {pii.keyed_hash(v) for v in (idn, phone) if v}
        name = _name(getattr(p, "name", ""))
        if name:
            out.add("name:" + name)
    return out


# The same subject: the same category, or a description sharing this much (character bigrams,
# Jaccard) with the ended one.
SAME_SUBJECT_SIMILARITY = 0.2


@dataclass
class RepeatOf:
    """An earlier petition of the same petitioner against the same respondent on the same
    subject, ended after 复核: shown to the clerk, who refuses or registers with a reason."""

    case_id: int
    number: str
    ending: str


def _ending(ended) -> str:
    from jiefen.procedures.definitions import OUTCOMES

    proc = ended.procedure
    label = str(OUTCOMES.get(proc.outcome, proc.outcome))
    result = (proc.data or {}).get("result") or ""
    return f"{label}: {result}" if result else label


def petition_ended_match(
    *,
    parties,
    description: str,
    candidates: dict[str, list] | None = None,
    category: str | None = None,
    repeat_reason: str = "",
) -> RepeatOf | None:
    """Refuse a registration of facts and reasons a petition already ended after 复核
    (信访工作条例 第36条: not accepted again), pointing to the ended matter. `candidates` are
    the ended petitions read for a whole batch (petition_ended_candidates).

    The facts, not only the wording: the same petitioner (keyed hashes) against the same
    respondent (keyed hashes or name) on the same subject (the category, or a similar story)
    is flagged too, with the earlier case and its ending (`petition_repeat`), even when told
    differently; the clerk then refuses it or registers it with `repeat_reason`, and gets the
    earlier case back to note on the timeline."""
    from jiefen.procedures.models import PetitionEnded

    hashes = set(person_hashes(parties))
    if not hashes:
        return None
    facts = normalize_facts(description)
    if not facts:
        return None
    if candidates is not None:
        found = sorted(
            {e.pk: e for h in hashes for e in candidates.get(h, ())}.values(),
            key=lambda e: e.ended_at,
            reverse=True,
        )
    else:
        found = list(
            PetitionEnded.objects.filter(person_hash__in=hashes)
            .select_related("case", "procedure")
            .order_by("-ended_at")[:200]
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
    respondents = _respondent_keys(parties)
    if not respondents:
        return None
    for ended in found[:200]:
        if not respondents & _respondent_keys(ended.case.parties.all()):
            continue
        same_subject = bool(category) and category == ended.case.category
        if not same_subject:
            from jiefen.triage.related import similarities

            same_subject = (
                float(similarities(description, [ended.case.description])[0]) >= SAME_SUBJECT_SIMILARITY
            )
        if not same_subject:
            continue
        repeat = RepeatOf(ended.case_id, ended.case.number, _ending(ended))
        if (repeat_reason or "").strip():
            return repeat
        raise ValidationFailed(
            _(
                "The same petitioner raised a matter against the same respondent on the same subject, "
                "ended after re-check (复核) in case %(number)s (%(ending)s). Refuse it, or register it "
                "with a reason."
            )
            % {"number": repeat.number, "ending": repeat.ending},
            code="petition_repeat",
            fields={
                "repeat_reason": [
                    _("earlier case %(number)s: give the reason to register it anyway")
                    % {"number": repeat.number}
                ]
            },
        )
    return None
