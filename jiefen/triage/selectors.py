"""Reads of triage, always through the viewer's jurisdiction (cases.selectors.case_scope)."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet

from jiefen.cases.choices import OPEN_STATUSES, Category, Status
from jiefen.cases.models import Case
from jiefen.cases.selectors import case_number_in_area, case_scope
from jiefen.directory.models import OrganizationKind, Staff
from jiefen.triage.models import CaseLink, CaseTriage
from jiefen.triage.related import find_related


def triage_queue(*, viewer: Staff) -> QuerySet[Case]:
    """The dispatcher's queue: open cases whose category waits for confirmation, and cases
    no organisation below the county centre owns yet (status triaged, lead = county centre)."""
    waiting = Q(triage__needs_review=True)
    unowned = Q(status=Status.TRIAGED, lead_organization__kind=OrganizationKind.COUNTY_CENTRE)
    return (
        Case.objects.filter(case_scope(viewer))
        .filter(status__in=OPEN_STATUSES)
        .filter(waiting | unowned)
        .select_related("lead_organization", "region", "triage")
        .order_by("received_at", "id")
    )


def case_triage(*, case: Case) -> CaseTriage | None:
    return CaseTriage.objects.filter(case=case).first()


def case_related(*, viewer: Staff, case: Case, limit: int = 10) -> list[dict]:
    """Related cases of a case, on demand: declared links first, then found ones; only cases the
    viewer may see are listed."""
    parties = list(case.parties.all())
    found = find_related(
        id_hashes=[p.id_number_hash for p in parties if p.id_number_hash],
        phone_hashes=[p.phone_hash for p in parties if p.phone_hash],
        respondent_names=[p.name for p in parties if p.role == "respondent"],
        description=case.description,
        county_id=case.county_id,
        town_id=case.town_id,
        now=case.received_at,
        exclude_case_id=case.pk,
        limit=limit,
    ).items
    links = list(CaseLink.objects.filter(Q(case=case) | Q(other=case)).select_related("case", "other"))
    items: dict[str, dict] = {}
    for link in links:
        other = link.other if link.case_id == case.pk else link.case
        code = "merged" if link.kind == "merged" else "linked"
        items[other.number] = {
            "case_id": other.pk,
            "number": other.number,
            "reason": code,
            "reasons": [code],
            "score": 1.0,
        }
    for row in found:
        items.setdefault(row["number"], row)
    visible = set(
        Case.objects.filter(case_scope(viewer))
        .filter(pk__in=[r["case_id"] for r in items.values()])
        .values_list("pk", flat=True)
    )
    return [r for r in items.values() if r["case_id"] in visible][:limit]


def visible_related(*, viewer: Staff | None, items: list[dict]) -> list[dict]:
    """Only the related cases the viewer may see (numbers outside one's jurisdiction reveal
    nothing, docs/security.md)."""
    if viewer is None or not items:
        return items
    unsure = [r["case_id"] for r in items if not case_number_in_area(viewer, r["number"])]
    if not unsure:
        return items
    hidden = set(unsure) - set(
        Case.objects.filter(case_scope(viewer)).filter(pk__in=unsure).values_list("pk", flat=True)
    )
    return [r for r in items if r["case_id"] not in hidden]


def returns_by_organization(*, viewer: Staff, limit: int = 50) -> list[dict]:
    """How many times each organisation returned a case to the dispatchers (推诿扯皮 is counted):
    from the `return` timeline entries of the cases the viewer sees, most first."""
    from jiefen.cases.models import CaseEvent
    from jiefen.directory.models import Organization

    rows = (
        CaseEvent.objects.filter(kind="return", case__in=Case.objects.filter(case_scope(viewer)).values("pk"))
        .values("data__returned_by")
        .annotate(n=Count("pk"))
        .order_by("-n")[:limit]
    )
    counts = {r["data__returned_by"]: r["n"] for r in rows if r["data__returned_by"] is not None}
    names = dict(Organization.objects.filter(pk__in=list(counts)).values_list("pk", "name"))
    return [{"organization_id": pk, "name": names.get(pk, str(pk)), "returns": n} for pk, n in counts.items()]


def agreement(*, viewer: Staff) -> list[dict]:
    """Per confirmed category: how many proposals a person confirmed or overrode, and how many
    the classifier got right (live agreement, learning from use)."""
    rows = (
        CaseTriage.objects.filter(case__in=Case.objects.filter(case_scope(viewer)).values("pk"))
        .exclude(confirmed_category="")
        .exclude(proposed_category="")
        .values("confirmed_category")
        .annotate(n=Count("pk"), agreed=Count("pk", filter=Q(proposed_category=F("confirmed_category"))))
    )
    by = {r["confirmed_category"]: r for r in rows}
    out = []
    for code, label in Category.choices:
        r = by.get(code)
        n = r["n"] if r else 0
        agreed = r["agreed"] if r else 0
        out.append(
            {"category": code, "label": label, "n": n, "agreed": agreed, "rate": (agreed / n) if n else None}
        )
    return out
