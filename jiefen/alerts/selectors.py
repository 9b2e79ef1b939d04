"""Reads of early warning, always through the viewer's jurisdiction (like cases)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from jiefen.alerts.models import Alert, AlertStatus, RuleKind
from jiefen.cases.models import Assignment
from jiefen.core.errors import NotFound, ValidationFailed
from jiefen.directory.models import Staff
from jiefen.regions.models import Region


def alert_scope(viewer: Staff) -> Q:
    """The alerts a viewer may see: those placed in their area, and those about cases their
    organisation is or was assigned (the same reach as cases.selectors.case_scope)."""
    if viewer.is_superuser:
        return Q()
    org = viewer.organization
    if org is None:
        return Q(pk__in=[])
    region = org.region
    area = {"county": Q(county_id=region.pk), "town": Q(town_id=region.pk)}.get(
        region.level, Q(village_id=region.pk)
    )
    assigned = Exists(Assignment.objects.filter(case_id=OuterRef("case_id"), organization_id=org.pk))
    return area | Q(assigned)


def _region_q(region: Region) -> Q:
    return {"county": Q(county_id=region.pk), "town": Q(town_id=region.pk)}.get(
        region.level, Q(village_id=region.pk)
    )


def alert_list(
    *,
    viewer: Staff,
    rule: str | None = None,
    status: str | None = None,
    case: str | None = None,
    region: Region | None = None,
) -> QuerySet[Alert]:
    qs = Alert.objects.filter(alert_scope(viewer))
    if rule:
        if rule not in RuleKind.values:
            raise ValidationFailed(_("Unknown rule."), fields={"rule": [_("invalid")]})
        qs = qs.filter(rule__code=rule)
    if status:
        if status == "active":
            qs = qs.exclude(status=AlertStatus.CLOSED)
        elif status not in AlertStatus.values:
            raise ValidationFailed(_("Unknown status."), fields={"status": [_("invalid")]})
        else:
            qs = qs.filter(status=status)
    if case:
        qs = qs.filter(case__number=case)
    if region is not None:
        qs = qs.filter(_region_q(region))
    return qs.select_related("rule", "case", "county", "town").order_by("-opened_at", "-id")


def alert_get(*, viewer: Staff, alert_id: int, for_update: bool = False) -> Alert:
    qs = Alert.objects.filter(alert_scope(viewer)).filter(pk=alert_id)
    if for_update:
        qs = Alert.objects.select_for_update(of=("self",)).filter(pk__in=qs.values("pk"))
    alert = qs.select_related("rule", "case").first()
    if alert is None:
        raise NotFound(_("No such alert."))
    return alert


def open_alerts_by_rule(*, viewer: Staff, region: Region) -> list[dict]:
    """Alerts not closed, per rule, in a region the viewer may see."""
    labels = dict(RuleKind.choices)
    rows = (
        Alert.objects.filter(alert_scope(viewer))
        .filter(_region_q(region))
        .exclude(status=AlertStatus.CLOSED)
        .values("rule__code")
        .annotate(n=Count("id"))
        .values_list("rule__code", "n")
    )
    out = [{"rule": code, "label": str(labels.get(code, code)), "count": n} for code, n in rows]
    return sorted(out, key=lambda r: (-r["count"], r["rule"]))


RED_WATCH_LIMIT = 20


def red_watch(*, viewer: Staff, case=None, limit: int = RED_WATCH_LIMIT) -> dict:
    """What must not be missed: the open cases assessed red (triage risk) and the red alerts
    not closed, in the viewer's jurisdiction (or of one case), most recent first."""
    from jiefen.cases.choices import OPEN_STATUSES, RiskLevel
    from jiefen.cases.models import Case
    from jiefen.cases.selectors import case_scope

    alerts = Alert.objects.filter(alert_scope(viewer), severity="red").exclude(status=AlertStatus.CLOSED)
    cases = Case.objects.filter(
        case_scope(viewer), status__in=OPEN_STATUSES, triage__risk_level=RiskLevel.RED
    )
    if case is not None:
        alerts = alerts.filter(case=case)
        cases = cases.filter(pk=case.pk)
    alert_rows = list(alerts.select_related("rule", "case").order_by("-opened_at", "-id")[:limit])
    case_rows = list(cases.select_related("lead_organization").order_by("due_at", "-id")[:limit])
    return {
        "alerts": alert_rows,
        "alert_count": alerts.count() if len(alert_rows) == limit else len(alert_rows),
        "cases": case_rows,
        "case_count": cases.count() if len(case_rows) == limit else len(case_rows),
    }
