"""Chinese full-text case search on SQLite (FTS5) and PostgreSQL (tsvector), one selector.

Chinese has no spaces, so the indexed text is cut by `tokens`: every run of Han characters
becomes its overlapping character bigrams (a run of one character stays itself), Latin letters
and digits become lower-case words, and a case number also appears as its digits alone. A query
is cut the same way and all its tokens must occur (a phrase of n characters needs its n-1
bigrams); a single-character query matches as a prefix. This finds any words of a description,
a party's name, the case number or an external work-order id without a dictionary, on both
databases, and ranks by FTS5 bm25 / PostgreSQL ts_rank. A query that is an ID number or a phone
finds the cases of that party through the keyed hashes (never in clear, never in the index).
"""

from __future__ import annotations

import re
import unicodedata

from django.db import connection
from django.db.models import Case as When_
from django.db.models import FloatField, QuerySet, Value, When
from django.utils.translation import gettext as _

from jiefen.cases.models import Case
from jiefen.core.errors import ValidationFailed

MAX_QUERY_CHARS = 100
MAX_QUERY_TOKENS = 24
MAX_MATCHES = 2000
MAX_INDEX_CHARS = 20_000

_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[0-9a-z]+")


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    try:
        from jiefen.triage.classifier import _opencc

        text = _opencc().convert(text)
    except Exception:  # pragma: no cover - OpenCC is a dependency; search still works without it
        pass
    return text


def tokens(text: str, *, limit: int | None = None, unique: bool = True) -> list[str]:
    """Index/query terms of a text (see the module docstring), in order. Queries drop repeats;
    the indexed text keeps them (term frequency counts in the ranking)."""
    out: list[str] = []
    for run in _RUN.findall(_normal(text)):
        if run[0].isascii() or len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        if limit is not None and len(out) >= limit * 4:
            break
    if unique:
        out = list(dict.fromkeys(out))
    return out[:limit] if limit is not None else out


def search_text(
    *, number: str, description: str, request: str, names: list[str], external_ids: list[str]
) -> str:
    """The text stored in CaseTriage.search_text for one case."""
    digits = re.sub(r"\D", "", number)
    parts = [
        number,
        digits,
        *names,
        *external_ids,
        (description or "")[:MAX_INDEX_CHARS],
        (request or "")[:4000],
    ]
    return " ".join(tokens(" ".join(parts), unique=False))


def parse_query(q: str | None) -> list[str]:
    q = (q or "").strip()
    if not q:
        raise ValidationFailed(_("Type something to search for."), fields={"q": [_("empty")]})
    if len(q) > MAX_QUERY_CHARS:
        raise ValidationFailed(
            _("The search is longer than %(n)s characters.") % {"n": MAX_QUERY_CHARS},
            fields={"q": [_("too long")]},
        )
    terms = tokens(q, limit=MAX_QUERY_TOKENS)
    if not terms:
        raise ValidationFailed(
            _("Search with Chinese characters, letters or digits."),
            fields={"q": [_("nothing to search for")]},
        )
    return terms


def _single_han(term: str) -> bool:
    return len(term) == 1 and not term.isascii()


def _sqlite_matches(terms: list[str]) -> list[tuple[int, float]]:
    # Every term quoted (no FTS5 syntax can come from the user); a lone Han character is a prefix.
    expr = " ".join(f'"{t}"*' if _single_han(t) else f'"{t}"' for t in terms)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT rowid, bm25(triage_case_fts) FROM triage_case_fts WHERE triage_case_fts MATCH %s "
            "ORDER BY bm25(triage_case_fts) LIMIT %s",
            [expr, MAX_MATCHES],
        )
        # bm25 is lower-is-better: negate so that higher ranks first everywhere.
        return [(int(pk), -float(score)) for pk, score in cur.fetchall()]


def _pg_query(terms: list[str]) -> str:
    # Terms are [0-9a-z] words or Han characters only (tokens()), so quoting is enough.
    return " & ".join(f"'{t}':*" if _single_han(t) else f"'{t}'" for t in terms)


def _person_match(q: str):
    """Cases with a party whose ID number or phone is the query, found through the keyed hashes
    (core.pii.keyed_hash) on their indexes: the number itself is never compared in clear."""
    from django.db.models import Q

    from jiefen.cases.models import Party
    from jiefen.core import pii

    idn = pii.normalize_id_number(q)
    phone = pii.normalize_phone(q)
    hashes = []
    if pii.id_number_error(idn) is None:
        hashes.append(("id_number_hash", pii.keyed_hash(idn)))
    if pii.phone_error(phone) is None:
        hashes.append(("phone_hash", pii.keyed_hash(phone)))
    if not hashes:
        return None
    cond = Q()
    for column, value in hashes:
        cond |= Q(**{column: value})
    return Q(pk__in=Party.objects.filter(cond).values("case_id"))


def _id_match(q: str):
    """Cases whose number or 12345 work-order id is the query, or ends with it (a clerk reading
    the last digits of a receipt), or with a party of that ID number or phone. Only for queries
    that look like an identifier."""
    from django.db.models import Q

    q = q.strip()
    person = _person_match(q)
    if not re.fullmatch(r"[0-9A-Za-z-]{4,64}", q):
        return person
    cond = Q(number=q) | Q(number__endswith=q)
    if person is not None:
        cond |= person
    try:
        from jiefen.channels.models import HotlineOrder

        cond |= Q(pk__in=HotlineOrder.objects.filter(order_id=q).values("case_id"))
    except ImportError:  # pragma: no cover
        pass
    return cond


ID_BOOST = 1000.0


def case_search(*, viewer, q: str | None, base: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases in the viewer's jurisdiction matching every term of `q` (or whose number / work-order
    id is `q`), best first (a `rank` annotation), optionally within `base` (other filters).
    Raises ValidationFailed (422) for an empty, overlong or unsearchable query."""
    from django.db.models import Q
    from django.db.models.functions import Coalesce

    from jiefen.cases.selectors import case_scope

    terms = parse_query(q)
    qs = base if base is not None else Case.objects.all()
    qs = qs.filter(case_scope(viewer))
    by_id = _id_match(q or "")
    id_rank = (
        When_(When(by_id, then=Value(ID_BOOST)), default=Value(0.0), output_field=FloatField())
        if by_id
        else Value(0.0)
    )
    if connection.vendor == "postgresql":
        from django.db.models.expressions import RawSQL

        tsq = _pg_query(terms)
        vector = "to_tsvector('simple'::regconfig, COALESCE(search_text, ''))"
        matched = RawSQL(
            f"SELECT case_id FROM triage_casetriage WHERE {vector} @@ to_tsquery('simple', %s)",  # noqa: S608
            [tsq],
        )
        text_rank = RawSQL(
            f"SELECT ts_rank({vector}, to_tsquery('simple', %s)) FROM triage_casetriage t "  # noqa: S608
            "WHERE t.case_id = cases_case.id",
            [tsq],
            output_field=FloatField(),
        )
        cond = Q(pk__in=matched) | by_id if by_id else Q(pk__in=matched)
        return (
            qs.filter(cond)
            .annotate(rank=Coalesce(text_rank, Value(0.0), output_field=FloatField()) + id_rank)
            .order_by("-rank", "-received_at", "-id")
        )
    matches = _sqlite_matches(terms)
    if not matches and by_id is None:
        return qs.none().annotate(rank=Value(0.0, output_field=FloatField()))
    text_rank = (
        When_(
            *[When(pk=pk, then=Value(score)) for pk, score in matches],
            default=Value(0.0),
            output_field=FloatField(),
        )
        if matches
        else Value(0.0, output_field=FloatField())
    )
    cond = Q(pk__in=[pk for pk, _score in matches])
    if by_id is not None:
        cond |= by_id
    return qs.filter(cond).annotate(rank=text_rank + id_rank).order_by("-rank", "-received_at", "-id")
