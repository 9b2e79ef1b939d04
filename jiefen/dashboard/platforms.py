"""Figures of the centre's three resource platforms for the dashboard and the monthly report:
public legal service, psychological service, mediators and social organisations.

The platforms are the county's (one registry, one legal-aid body, one psychological service
per county), so their figures are the county's whatever town or village the dashboard shows.
Psychological figures are counts only: nothing about a person leaves psych.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.core import clock
from jiefen.regions.models import Region


def _span(d0: date, d1: date) -> tuple[datetime, datetime]:
    return (
        timezone.make_aware(datetime.combine(d0, time.min)),
        timezone.make_aware(datetime.combine(d1 + timedelta(days=1), time.min)),
    )


def platform_figures(region: Region, d0: date, d1: date) -> dict:
    county_id = region.county_id or region.pk
    a, b = _span(d0, d1)
    out: dict = {"rows": [], "mediators": []}
    if apps.is_installed("jiefen.legal"):
        from jiefen.legal.models import AidStatus, Consultation, LegalAidApplication

        c = Consultation.objects.filter(county_id=county_id, at__gte=a, at__lt=b).aggregate(
            n=Count("pk"), cases=Count("pk", filter=Q(case__isnull=False))
        )
        now = clock.now()
        aid = LegalAidApplication.objects.filter(county_id=county_id).aggregate(
            received=Count("pk", filter=Q(received_at__gte=a, received_at__lt=b)),
            granted=Count("pk", filter=Q(decided_at__gte=a, decided_at__lt=b) & ~Q(status=AidStatus.REFUSED)),
            refused=Count("pk", filter=Q(decided_at__gte=a, decided_at__lt=b, status=AidStatus.REFUSED)),
            overdue=Count("pk", filter=Q(status=AidStatus.PENDING, decision_due_at__lt=now)),
        )
        out["legal"] = {
            "consultations": c["n"],
            "consultations_to_cases": c["cases"],
            "aid_received": aid["received"],
            "aid_granted": aid["granted"],
            "aid_refused": aid["refused"],
            "aid_overdue": aid["overdue"],
        }
        out["rows"] += [
            (_("legal consultations"), c["n"]),
            (_("consultations that became cases"), c["cases"]),
            (_("legal-aid applications received"), out["legal"]["aid_received"]),
            (_("legal aid granted"), aid["granted"]),
            (_("legal aid refused (with reasons)"), aid["refused"]),
            (_("legal-aid decisions overdue now"), out["legal"]["aid_overdue"]),
        ]
    if apps.is_installed("jiefen.psych"):
        from jiefen.psych.models import PsychAlert, PsychReferral

        refs = PsychReferral.objects.filter(
            case__county_id=county_id, created_at__gte=a, created_at__lt=b
        ).aggregate(n=Count("pk"), consented=Count("pk", filter=Q(consent=True)))
        out["psych"] = {
            "referrals": refs["n"],
            "consented": refs["consented"],
            "self_harm_alerts": PsychAlert.objects.filter(
                referral__case__county_id=county_id, at__gte=a, at__lt=b
            )
            .values("referral_id")
            .distinct()
            .count(),
        }
        out["rows"] += [
            (_("psychological referrals"), out["psych"]["referrals"]),
            (_("referrals with consent"), out["psych"]["consented"]),
            (_("referrals with a self-harm alert"), out["psych"]["self_harm_alerts"]),
        ]
    if apps.is_installed("jiefen.mediators"):
        from jiefen.mediators.models import Mediator, ProcedureMediator, ResolverOrganization

        ended = ProcedureMediator.objects.filter(
            mediator__county_id=county_id, procedure__ended_at__gte=a, procedure__ended_at__lt=b
        )
        per = (
            ended.values("mediator_id", "mediator__name", "mediator__organization__name")
            .annotate(ended=Count("pk"), agreements=Count("pk", filter=Q(procedure__outcome="agreement")))
            .order_by("-agreements", "-ended", "mediator__name")
        )
        rows = list(per)
        out["mediators"] = [
            {
                "id": r["mediator_id"],
                "name": r["mediator__name"],
                "organization": r["mediator__organization__name"] or "",
                "ended": r["ended"],
                "agreements": r["agreements"],
            }
            for r in rows[:10]
        ]
        total = {"n": sum(r["ended"] for r in rows), "agreements": sum(r["agreements"] for r in rows)}
        counts = Mediator.objects.filter(county_id=county_id, is_active=True).aggregate(n=Count("pk"))
        out["registry"] = {
            "mediators": counts["n"],
            "organizations": ResolverOrganization.objects.filter(county_id=county_id, is_active=True).count(),
            "mediations_ended": total["n"],
            "agreements": total["agreements"],
        }
        out["rows"] += [
            (_("registered mediators, lawyers and counsellors"), out["registry"]["mediators"]),
            (_("social organisations"), out["registry"]["organizations"]),
            (_("mediations ended by registered mediators"), total["n"]),
            (_("of which ended in agreement"), total["agreements"]),
        ]
    out["rows"] = [{"label": str(label), "value": value} for label, value in out["rows"]]
    return out
