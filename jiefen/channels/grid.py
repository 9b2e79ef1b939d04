"""Grid workers (网格员): report on the spot, log routine checks (排查), handle simple cases at
village level, act as agent (代办员) for a citizen; grid leaders (网格长) see their grid."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jiefen.cases.choices import Channel, PartyRole
from jiefen.cases.models import Case
from jiefen.cases.selectors import case_scope
from jiefen.cases.services import PartyInput, case_register
from jiefen.channels.models import GridCheck, GridMember, GridReport
from jiefen.core import clock
from jiefen.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiefen.directory.models import Staff
from jiefen.regions.models import Grid

# What a grid worker may do on the grid page; the rest is for the case page of the staff UI.
GRID_ACTIONS = ("accept", "start", "resolve")


def my_grids(staff: Staff) -> QuerySet[Grid]:
    return Grid.objects.filter(members__staff=staff).select_related("village").order_by("code").distinct()


def grid_for(staff: Staff, grid_id: int | str, *, leader: bool = False) -> Grid:
    qs = GridMember.objects.filter(staff=staff, grid_id=grid_id)
    if leader:
        qs = qs.filter(is_leader=True)
    member = qs.select_related("grid__village").first()
    if member is None:
        raise NotFound(_("Not one of your grids."))
    return member.grid


@dataclass
class Reported:
    case: Case
    query_code: str


def grid_report(
    *,
    worker: Staff,
    grid: Grid,
    description: str,
    applicant_name: str,
    applicant_phone: str = "",
    respondent: str = "",
    category: str | None = None,
    on_behalf: bool = False,
    latitude: str = "",
    longitude: str = "",
) -> Reported:
    """Register a dispute found on the spot; with `on_behalf` the worker acts as the citizen's
    agent (代办) and hands over the number and query code. An optional location is kept for
    the map (geo.ReportLocation)."""
    from jiefen.geo.services import location_parse, report_location_record

    if not worker.has_role("grid_worker"):
        raise PermissionDenied(_("Only grid workers report from the grid page."))
    grid_for(worker, grid.pk)
    location = location_parse(latitude, longitude)
    parties = [PartyInput(role=PartyRole.APPLICANT, name=applicant_name, phone=applicant_phone)]
    if (respondent or "").strip():
        parties.append(PartyInput(role=PartyRole.RESPONDENT, name=respondent.strip()[:100]))
    with transaction.atomic():
        reg = case_register(
            channel=Channel.GRID,
            region=grid.village,
            description=description,
            category=category or None,
            parties=parties,
            actor=worker,
        )
        GridReport.objects.create(
            case=reg.case, grid=grid, worker=worker, on_behalf=on_behalf, reported_at=clock.now()
        )
        report_location_record(case=reg.case, location=location, source="grid")
    return Reported(case=reg.case, query_code=reg.query_code)


def grid_check_log(*, worker: Staff, grid: Grid, found: bool, note: str = "") -> GridCheck:
    """A routine check; "nothing found" is a result too (found=False)."""
    grid_for(worker, grid.pk)
    note = (note or "").strip()
    if found and not note:
        raise ValidationFailed(_("Say what was found."), fields={"note": [_("required")]})
    return GridCheck.objects.create(
        grid=grid, worker=worker, checked_at=clock.now(), found=found, note=note[:4000]
    )


def cases_to_handle(worker: Staff) -> QuerySet[Case]:
    """Open cases led by the worker's own organisation (the village committee), in scope."""
    if worker.organization_id is None:
        return Case.objects.none()
    return (
        Case.objects.filter(case_scope(worker), lead_organization_id=worker.organization_id)
        .filter(status__in=("triaged", "accepted", "in_progress"))
        .select_related("region", "lead_organization")
        .order_by("-received_at")
    )


def grid_cases(grid: Grid) -> QuerySet[Case]:
    """What a grid leader sees: the cases reported in the grid and the village's open cases."""
    return (
        Case.objects.filter(grid_report__grid=grid)
        .select_related("region", "lead_organization", "grid_report__worker")
        .order_by("-received_at")
    )
