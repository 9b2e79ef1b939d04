"""Reads for citizens: only their own case, and only what is safe to show them.

The public timeline names organisations, never staff; it shows no party's personal data and
no internal reasons, except the answers meant for the applicant (the result, the legal route
when not accepted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from jiefen.cases.models import Case
from jiefen.regions.models import Region


@dataclass
class PublicEntry:
    at: datetime
    text: str
    detail: str = ""


def _label(kind: str, data: dict) -> str | None:
    to = data.get("to") or data.get("organization_name") or data.get("organization") or ""
    labels = {
        "registered": lambda: _("Registered"),
        "routed": lambda: _("Assigned to %(org)s") % {"org": data.get("organization_name", "")},
        "route": lambda: _("Assigned to %(org)s") % {"org": to},
        "accept": lambda: _("Accepted by %(org)s") % {"org": to},
        "return": lambda: _("Being assigned again"),
        "start": lambda: _("Handling started"),
        "suspend": lambda: _("Suspended (for example for an appraisal)"),
        "resume": lambda: _("Handling resumed"),
        "escalate": lambda: _("Taken up by %(org)s") % {"org": to},
        "delegate": lambda: _("Handed to %(org)s") % {"org": to},
        "resolve": lambda: _("Resolved"),
        "transfer": lambda: _("Taken to a statutory route (arbitration or court)"),
        "close": lambda: _("Closed"),
        "reopen": lambda: _("Reopened"),
        "withdraw": lambda: _("Withdrawn"),
        "not_accept": lambda: _("Not accepted"),
    }
    make = labels.get(kind)
    return make() if make else None


def public_timeline(case: Case) -> list[PublicEntry]:
    out = []
    for ev in case.events.order_by("at", "id").only("at", "kind", "data", "reason"):
        text = _label(ev.kind, ev.data or {})
        if text is None:
            continue
        detail = ""
        if ev.kind == "resolve":
            detail = ev.reason
        elif ev.kind == "not_accept":
            detail = case.legal_route_told
        out.append(PublicEntry(at=ev.at, text=text, detail=detail))
    return out


def region_children(code: str) -> list[Region]:
    parent = Region.objects.filter(code=code).first() if code else None
    if parent is None or parent.level == "village":
        return []
    return list(Region.objects.filter(parent=parent).order_by("code").only("code", "name"))


def counties() -> list[Region]:
    return list(Region.objects.filter(level="county").order_by("code").only("code", "name"))
