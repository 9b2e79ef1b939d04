"""Reads of the portal.

For citizens: only their own case, and only what is safe to show them. The public timeline
names organisations, never staff; it shows no party's personal data and no internal reasons,
except the answers meant for the applicant (the result, the legal route when not accepted).

For staff: what citizens sent about a case (files, rating, reopen requests, re-submissions),
always through the viewer's jurisdiction (`cases.selectors.case_get`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from jiefen.cases import selectors as case_selectors
from jiefen.cases.models import Case
from jiefen.core.errors import NotFound
from jiefen.directory.models import Staff
from jiefen.portal.models import Attachment, LinkedSubmission, ReopenRequest
from jiefen.procedures.choices import FeedbackSource
from jiefen.procedures.models import PartyFeedback
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
        "conclude": lambda: _("Ended (办结)"),
        "reopen_requested": lambda: _("You asked to reopen the case"),
        "reopen_request_refused": lambda: _("Your request to reopen was not granted"),
        "feedback_recorded": lambda: _("Your rating was received"),
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
        if ev.kind in ("resolve", "conclude", "reopen_request_refused"):
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


# ---------------------------------------------------------------- for staff

# The content type of each accepted kind (portal.files judges the kind by the file's bytes).
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp", "pdf": "pdf"}


@dataclass
class CitizenInput:
    """What citizens sent about a case through the portal, for the staff case page."""

    attachments: list[Attachment]
    ratings: list  # procedures.PartyFeedback rows given on the portal
    reopen_requests: list[ReopenRequest]
    resubmissions: list[LinkedSubmission]

    @property
    def empty(self) -> bool:
        return not (self.attachments or self.ratings or self.reopen_requests or self.resubmissions)


def _case_ids(case: Case) -> list[int]:
    # What was sent about a case merged into this one stays visible here, as its timeline does.
    return [case.pk, *Case.objects.filter(merged_into_id=case.pk).values_list("pk", flat=True)]


def citizen_input(*, case: Case) -> CitizenInput:
    """Everything citizens sent about `case` (already read through the viewer's jurisdiction)."""
    ids = _case_ids(case)
    return CitizenInput(
        attachments=list(
            Attachment.objects.filter(case_id__in=ids).select_related("case").order_by("uploaded_at", "id")
        ),
        ratings=list(
            PartyFeedback.objects.filter(case_id__in=ids, source=FeedbackSource.PORTAL)
            .select_related("case")
            .order_by("at", "id")
        ),
        reopen_requests=list(
            ReopenRequest.objects.filter(case_id__in=ids).select_related("case").order_by("-at", "-id")
        ),
        resubmissions=list(
            LinkedSubmission.objects.filter(case_id__in=ids).select_related("case").order_by("-at", "-id")
        ),
    )


def attachment_get(*, viewer: Staff, number: str, attachment_id: int) -> Attachment:
    """A file of case `number` (or of a case merged into it) if the viewer may see the case;
    otherwise NotFound, as for the case itself."""
    case = case_selectors.case_get(viewer=viewer, number=number)
    att = (
        Attachment.objects.filter(pk=attachment_id, case_id__in=_case_ids(case))
        .select_related("case")
        .first()
    )
    if att is None:
        raise NotFound(_("No such file."))
    return att


def attachment_filename(att: Attachment) -> str:
    """The name to save the file under: the citizen's name for it, with the extension of its
    real type (never the one the citizen's name claimed)."""
    ext = EXTENSIONS.get(att.kind, "bin")
    stem = (att.original_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = "".join(ch for ch in stem if ch.isprintable() and ch not in '"<>:|?*').strip(" .")
    return f"{stem or f'{att.case.number}-{att.pk}'}.{ext}"


# ---------------------------------------------------------------- reopen requests (staff)


def reopen_requests(*, viewer: Staff, waiting: bool = True, limit: int = 200) -> list[ReopenRequest]:
    """Citizens' requests to reopen in the viewer's jurisdiction: the waiting ones oldest
    first (the dispatchers' queue), or the decided ones newest first."""
    qs = ReopenRequest.objects.filter(
        case__in=Case.objects.filter(case_selectors.case_scope(viewer)), handled=not waiting
    ).select_related("case", "case__lead_organization", "decided_by")
    qs = qs.order_by("at", "id") if waiting else qs.order_by("-decided_at", "-id")
    return list(qs[:limit])


def reopen_waiting_count(*, viewer: Staff) -> int:
    return ReopenRequest.objects.filter(
        case__in=Case.objects.filter(case_selectors.case_scope(viewer)), handled=False
    ).count()


def reopen_request_out(r: ReopenRequest) -> dict:
    return {
        "id": r.pk,
        "case_number": r.case.number,
        "reason": r.reason,
        "at": r.at.isoformat(),
        "waiting": not r.handled,
        "decision": r.decision,
        "decision_label": str(r.get_decision_display()) if r.decision else "",
        "decision_reason": r.decision_reason,
        "decided_by": str(r.decided_by) if r.decided_by_id else None,
        "decided_at": r.decided_at.isoformat() if r.decided_at else None,
    }


def reopen_requests_out(*, case: Case) -> list[dict]:
    """The requests to reopen of a case (read through the viewer's jurisdiction already)."""
    return [
        reopen_request_out(r)
        for r in ReopenRequest.objects.filter(case=case)
        .select_related("case", "decided_by")
        .order_by("at", "id")
    ]
