"""Reads of the psychological service. Only the psychological-service role (of the case's
county) and the referral's counsellor may open a record; anyone else gets "not found"; every
opening is logged (PsychAccessLog) in the same call."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jiefen.cases.models import Case
from jiefen.core import clock, pii
from jiefen.core.errors import NotFound
from jiefen.directory.models import Staff
from jiefen.mediators.selectors import viewer_county_id
from jiefen.psych.models import PsychAccessLog, PsychAlert, PsychReferral
from jiefen.psych.scales import SELF_HARM_WORDS

PSYCH_ROLE = "psych"


def _visible(viewer: Staff) -> Q:
    q = Q(counsellor__staff_id=viewer.pk)
    if PSYCH_ROLE in (viewer.roles or []):
        county = viewer_county_id(viewer)
        if county:
            q |= Q(case__county_id=county)
    return q


def referral_list(*, viewer: Staff) -> QuerySet[PsychReferral]:
    """The frame of the referrals the viewer may open (nothing decrypted)."""
    return PsychReferral.objects.filter(_visible(viewer)).select_related("case", "counsellor")


def referral_open(*, viewer: Staff, pk: int, what: str = "referral") -> PsychReferral:
    """Open one record: allowed viewers only (else 404), logged every time."""
    ref = referral_list(viewer=viewer).filter(pk=pk).first()
    if ref is None:
        raise NotFound(_("Not found."))
    PsychAccessLog.objects.create(referral=ref, viewer=viewer, what=what[:20], at=clock.now())
    return ref


@dataclass
class Opened:
    referral: PsychReferral
    reason: str
    consent_note: str
    screenings: list[dict]
    sessions: list[dict]


def referral_detail(*, viewer: Staff, pk: int) -> Opened:
    ref = referral_open(viewer=viewer, pk=pk)
    return Opened(
        referral=ref,
        reason=pii.decrypt(ref.reason_enc) if ref.reason_enc else "",
        consent_note=pii.decrypt(ref.consent_note_enc) if ref.consent_note_enc else "",
        screenings=[
            {"id": s.pk, "at": s.at, **json.loads(pii.decrypt(s.result_enc))} for s in ref.screenings.all()
        ],
        sessions=[
            {"id": s.pk, "held_at": s.held_at, "notes": pii.decrypt(s.notes_enc) if s.notes_enc else ""}
            for s in ref.sessions.all()
        ],
    )


def my_alerts(*, viewer: Staff, open_only: bool = True) -> QuerySet[PsychAlert]:
    qs = PsychAlert.objects.filter(recipient=viewer).select_related("referral", "referral__case")
    return qs.filter(acknowledged_at__isnull=True) if open_only else qs


def referral_proposal(*, case: Case) -> tuple[str, list[str]] | None:
    """Why a referral is proposed for this case: red risk, or words of self-harm; else None."""
    words = [w for w in SELF_HARM_WORDS if w in (case.description or "")]
    if words:
        return "self_harm_words", words
    from jiefen.triage.models import CaseTriage

    if CaseTriage.objects.filter(case=case, risk_level="red").exists():
        return "red_risk", []
    return None
