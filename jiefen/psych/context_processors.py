"""The psychological service's entry in the staff menu: for the psych role, counsellors and
anyone with an open alert (one query, only for logged-in staff)."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery

from jiefen.directory.models import Staff
from jiefen.mediators.models import Mediator
from jiefen.psych.models import PsychAlert
from jiefen.psych.selectors import PSYCH_ROLE


def psych_nav(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    row = (
        Staff.objects.filter(pk=user.pk)
        .annotate(
            open_alerts=Subquery(
                PsychAlert.objects.filter(recipient_id=OuterRef("pk"), acknowledged_at__isnull=True)
                .values("recipient_id")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            counsellor=Exists(Mediator.objects.filter(staff_id=OuterRef("pk"))),
        )
        .values("open_alerts", "counsellor")
        .first()
    )
    if row is None:
        return {}
    show = PSYCH_ROLE in (user.roles or []) or row["counsellor"] or bool(row["open_alerts"])
    return {"psych_nav": show, "psych_alerts": row["open_alerts"] or 0} if show else {}
