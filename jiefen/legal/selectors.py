"""Reads of the public legal service: the county's applications, consultations, the duty
roster, and the knowledge base searched in Chinese."""

from __future__ import annotations

import re
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jiefen.core import clock, pii
from jiefen.core.errors import NotFound
from jiefen.directory.models import Staff
from jiefen.legal.models import Consultation, DutyShift, KnowledgeEntry, LegalAidApplication
from jiefen.mediators.selectors import viewer_county_id

_HAN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+")


def _county_q(viewer: Staff) -> Q:
    if viewer.is_superuser:
        return Q()
    cid = viewer_county_id(viewer)
    return Q(county_id=cid) if cid else Q(pk__in=[])


def application_list(*, viewer: Staff, status: str | None = None) -> QuerySet[LegalAidApplication]:
    qs = LegalAidApplication.objects.filter(_county_q(viewer)).select_related("lawyer", "case")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("decision_due_at", "id")


def application_get(*, viewer: Staff, number: str) -> LegalAidApplication:
    app = application_list(viewer=viewer).filter(number=number).first()
    if app is None:
        raise NotFound(_("No such application."))
    return app


def application_for_applicant(*, number: str, query_code: str) -> LegalAidApplication | None:
    """The applicant's own view: number and the query code given at submission."""
    app = LegalAidApplication.objects.filter(number=number).select_related("lawyer").first()
    if app is None or not query_code or app.query_code_hash != pii.keyed_hash(query_code.strip()):
        return None
    return app


def consultation_list(*, viewer: Staff) -> QuerySet[Consultation]:
    return Consultation.objects.filter(_county_q(viewer)).select_related("lawyer", "case")


def duty_roster(*, viewer: Staff, start: date | None = None, days: int = 14) -> QuerySet[DutyShift]:
    from datetime import timedelta

    first = start or clock.today()
    return (
        DutyShift.objects.filter(_county_q(viewer), day__gte=first, day__lt=first + timedelta(days=days))
        .select_related("lawyer")
        .order_by("day", "id")
    )


def _grams(text: str) -> set[str]:
    """Character bigrams of the Chinese runs (and whole Latin words): Chinese has no spaces, and
    bigrams find 拖欠工资 from 工资被拖欠 without a dictionary."""
    out: set[str] = set()
    for run in _HAN.findall(text or ""):
        if run.isascii():
            out.add(run.lower())
        elif len(run) == 1:
            out.add(run)
        else:
            out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def knowledge_search(*, q: str, limit: int = 10) -> list[tuple[KnowledgeEntry, int]]:
    """Entries ranked by the bigrams of `q` they contain (question and keywords count twice)."""
    grams = _grams(q)
    if not grams:
        return []
    scored = []
    for e in KnowledgeEntry.objects.filter(is_active=True):
        head = _grams(e.question + " " + e.keywords)
        body = _grams(e.answer + " " + e.statute)
        score = 2 * len(grams & head) + len(grams & body)
        if score:
            scored.append((e, score))
    scored.sort(key=lambda x: (-x[1], x[0].pk))
    return scored[:limit]
