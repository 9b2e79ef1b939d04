"""Reads of cases, always through the viewer's jurisdiction (docs/security.md).

A county-level organisation sees its county, a town-level one its town, a village-level one
its village; every organisation also sees the cases it is or was assigned. Anything else is
"not found", never "forbidden", so that case numbers outside one's reach reveal nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.cases import workflow
from jiefen.cases.choices import OPEN_STATUSES, Status
from jiefen.cases.models import Assignment, Case, CaseEvent
from jiefen.cases.services import can_take
from jiefen.core import clock
from jiefen.core.errors import NotFound, ValidationFailed
from jiefen.directory.models import Staff
from jiefen.directory.selectors import region_in_jurisdiction
from jiefen.regions.models import Region


def case_scope(viewer: Staff) -> Q:
    if viewer.is_superuser:
        return Q()
    org = viewer.organization
    if org is None:
        return Q(pk__in=[])
    region = org.region
    if region.level == "county":
        area = Q(county_id=region.pk)
    elif region.level == "town":
        area = Q(town_id=region.pk)
    else:
        area = Q(village_id=region.pk)
    assigned = Exists(Assignment.objects.filter(case=OuterRef("pk"), organization_id=org.pk))
    return area | Q(assigned)


def case_number_in_area(viewer: Staff, number: str) -> bool:
    """Whether `case_scope` shows the viewer a case by area alone, known from its number without
    a query: a number begins with its county's code and a case never changes county, so
    superusers and staff of a county-level organisation see every case numbered in their
    county. False means "ask `case_scope`" (a town's or village's staff, assignments)."""
    if viewer.is_superuser:
        return True
    org = viewer.organization
    return org is not None and org.region.level == "county" and number.startswith(org.region.code[:6] + "-")


def case_list(
    *,
    viewer: Staff,
    status: str | None = None,
    region: str | None = None,
    level: str | None = None,
    overdue: bool | None = None,
    category: str | None = None,
    channel: str | None = None,
    lead_organization: int | None = None,
    q: str | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    resolved_from: date | None = None,
    resolved_to: date | None = None,
    resolved_level: str | None = None,
    order: str | None = None,
) -> QuerySet[Case]:
    """The cases the viewer may see, filtered; newest first (best match first with `q`), or in
    one of the ORDERS."""
    if order and order not in ORDERS:
        raise ValidationFailed(_("Unknown sort order."), fields={"sort": [_("invalid")]})
    qs = Case.objects.filter(case_scope(viewer))
    if status:
        if status == "open":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif status not in Status.values:
            raise ValidationFailed(_("Unknown status."), fields={"status": [_("invalid")]})
        else:
            qs = qs.filter(status=status)
    if region:
        reg = Region.objects.filter(code=region).first()
        if reg is None or not region_in_jurisdiction(viewer, reg):
            raise NotFound(_("Unknown region."))
        field = {"county": "county", "town": "town", "village": "village"}[reg.level]
        qs = qs.filter(**{f"{field}_id": reg.pk})
    if level:
        qs = qs.filter(level=level)
    if category:
        qs = qs.filter(category=category)
    if channel:
        qs = qs.filter(channel=channel)
    if lead_organization:
        qs = qs.filter(lead_organization_id=lead_organization)
    # Local calendar days, as the dashboard counts them (its figures drill down to here).
    if received_from:
        qs = qs.filter(received_at__gte=_day_start(received_from))
    if received_to:
        qs = qs.filter(received_at__lt=_day_start(received_to + timedelta(days=1)))
    if resolved_from or resolved_to or resolved_level:
        qs = qs.exclude(resolved_level="").filter(resolved_at__isnull=False)
    if resolved_from:
        qs = qs.filter(resolved_at__gte=_day_start(resolved_from))
    if resolved_to:
        qs = qs.filter(resolved_at__lt=_day_start(resolved_to + timedelta(days=1)))
    if resolved_level:
        qs = qs.filter(resolved_level=resolved_level)
    if overdue is True:
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lt=clock.now())
    elif overdue is False:
        qs = qs.exclude(status__in=OPEN_STATUSES, due_at__lt=clock.now())
    if q:
        from jiefen.triage.search import case_search

        # Full-text, ranked best first (triage.search); the other filters still apply.
        found = case_search(viewer=viewer, q=q, base=qs).select_related("lead_organization", "region")
        return found.order_by(*ORDERS[order]) if order else found
    return qs.select_related("lead_organization", "region").order_by(*ORDERS[order or "-received"])


# The sort orders of the case list (column → ORDER BY), each ending on the id so pages are stable.
ORDERS: dict[str, tuple[str | Combinable, ...]] = {
    "received": ("received_at", "id"),
    "-received": ("-received_at", "-id"),
    "due": (F("due_at").asc(nulls_last=True), "id"),
    "-due": (F("due_at").desc(nulls_last=True), "-id"),
    "number": ("number",),
    "-number": ("-number",),
    "status": ("status", "-received_at", "-id"),
    "-status": ("-status", "-received_at", "-id"),
    "category": ("category", "-received_at", "-id"),
    "-category": ("-category", "-received_at", "-id"),
    "region": ("region__code", "-received_at", "-id"),
    "-region": ("-region__code", "-received_at", "-id"),
    "level": ("level", "-received_at", "-id"),
    "-level": ("-level", "-received_at", "-id"),
}


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def case_get(*, viewer: Staff, number: str) -> Case:
    case = (
        Case.objects.filter(case_scope(viewer))
        .filter(number=number)
        .select_related("lead_organization", "region", "county", "town", "village")
        .first()
    )
    if case is None:
        raise NotFound(_("No such case."))
    return case


def case_events(*, case: Case) -> QuerySet[CaseEvent]:
    # A merged case's timeline stays readable under the survivor (triage.services.case_merge).
    # The ids are fetched first: "case_id = X OR case_id IN (subquery)" defeats the index on
    # PostgreSQL and scans the whole timeline table.
    ids = [case.pk, *Case.objects.filter(merged_into_id=case.pk).values_list("pk", flat=True)]
    return CaseEvent.objects.filter(case_id__in=ids).select_related("actor", "case").order_by("at", "id")


def allowed_actions(*, viewer: Staff, case: Case) -> list[workflow.Action]:
    return [a for a in workflow.actions_from(case.status) if can_take(viewer, case, a)]


def is_overdue(case: Case) -> bool:
    return case.status in OPEN_STATUSES and case.due_at is not None and case.due_at < clock.now()
