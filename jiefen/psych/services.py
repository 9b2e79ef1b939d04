"""Writes of the psychological service: referral (with consent), consent, screening (with
the self-harm alert), session. One transaction each; the content is encrypted (core.pii)."""

from __future__ import annotations

import json
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from jiefen.cases.models import Case, Party
from jiefen.core import clock, pii
from jiefen.core.errors import DomainError, IllegalTransition, PermissionDenied, ValidationFailed
from jiefen.directory.models import Staff
from jiefen.mediators.choices import MediatorKind
from jiefen.mediators.models import Mediator
from jiefen.procedures import definitions as d
from jiefen.procedures.models import LeaderCharge
from jiefen.psych import scales
from jiefen.psych.models import CounsellingSession, PsychAlert, PsychReferral, ReferralStatus, Screening
from jiefen.psych.selectors import PSYCH_ROLE, referral_open

SOURCES = ("manual", "red_risk", "self_harm_words")


class CounsellorNotAssignable(DomainError):
    code = "counsellor_not_assignable"
    status = 409


def referral_create(
    *,
    case: Case,
    actor: Staff,
    counsellor_id: int | None,
    party_id: int | None = None,
    reason: str = "",
    consent: bool | None = None,
    consent_note: str = "",
    source: str = "manual",
) -> PsychReferral:
    """Refer a party of a case to a counsellor of the registry. Anyone who works the case may
    refer; afterwards only the psychological-service role and the counsellor can open it."""
    roles = set(actor.roles or [])
    if not (actor.is_superuser or roles & (d.WORKERS | {PSYCH_ROLE})):
        raise PermissionDenied(_("Your role may not refer."), code="psych_not_allowed_role")
    errors: dict[str, list] = {}
    counsellor = Mediator.objects.filter(pk=counsellor_id).first() if counsellor_id else None
    if counsellor is None or counsellor.kind != MediatorKind.COUNSELLOR:
        errors["counsellor_id"] = [_("Unknown counsellor.")]
    party = None
    if party_id is not None:
        party = Party.objects.filter(pk=party_id, case=case).first()
        if party is None:
            errors["party_id"] = [_("Not a party of this case.")]
    if source not in SOURCES:
        errors["source"] = [_("unknown")]
    reason = (reason or "").strip()[:5000]
    if not reason:
        errors["reason"] = [_("required")]
    if errors:
        raise ValidationFailed(_("The referral has invalid fields."), fields=errors)
    if counsellor.county_id != case.county_id:
        raise CounsellorNotAssignable(
            _("%(m)s is registered in another county.") % {"m": counsellor.name},
            code="counsellor_outside_county",
        )
    now = clock.now()
    status = {True: ReferralStatus.ACTIVE, False: ReferralStatus.DECLINED, None: ReferralStatus.PROPOSED}[
        consent
    ]
    with transaction.atomic():
        return PsychReferral.objects.create(
            case=case,
            party=party,
            counsellor=counsellor,
            source=source,
            reason_enc=pii.encrypt(reason),
            consent=consent,
            consent_at=now if consent is not None else None,
            consent_note_enc=pii.encrypt(consent_note.strip()[:2000]) if consent_note.strip() else "",
            status=status,
            created_by=actor,
            created_at=now,
        )


def consent_record(*, referral_id: int, actor: Staff, consent: bool, note: str = "") -> PsychReferral:
    with transaction.atomic():
        ref = referral_open(viewer=actor, pk=referral_id, what="consent")
        ref = PsychReferral.objects.select_for_update().get(pk=ref.pk)
        if ref.status == ReferralStatus.CLOSED:
            raise IllegalTransition(_("The referral is closed."), code="referral_closed")
        ref.consent, ref.consent_at = consent, clock.now()
        ref.consent_note_enc = pii.encrypt(note.strip()[:2000]) if note.strip() else ""
        ref.status = ReferralStatus.ACTIVE if consent else ReferralStatus.DECLINED
        ref.save()
    return ref


def _needs_consent(ref: PsychReferral) -> None:
    if ref.status != ReferralStatus.ACTIVE:
        raise IllegalTransition(_("The party's consent is needed first."), code="consent_required")


def alert_recipients(ref: PsychReferral) -> list[Staff]:
    """The case's leader(s) in charge (包案), else the leaders of the lead organisation, else
    of the county centre; and the counsellor when they have a login."""
    case = ref.case
    ids = list(
        LeaderCharge.objects.filter(case=case, ended_at__isnull=True).values_list("leader_id", flat=True)
    )
    people = list(Staff.objects.filter(pk__in=ids))
    if not people:
        for org_q in (
            {"organization_id": case.lead_organization_id},
            {"organization__kind": "county_centre", "organization__region_id": case.county_id},
        ):
            people = [s for s in Staff.objects.filter(is_active=True, **org_q) if "leader" in (s.roles or [])]
            if people:
                break
    if ref.counsellor.staff_id and all(p.pk != ref.counsellor.staff_id for p in people):
        people.append(ref.counsellor.staff)
    return people


def screening_record(
    *, referral_id: int, actor: Staff, scale: str, answers: list[int]
) -> tuple[Screening, scales.Result, int]:
    """Score a screening; a positive self-harm item alerts the leader and the counsellor at
    once, in the same transaction. Returns the screening, its result and the alerts raised."""
    result = scales.score(scale, list(answers or []))
    if result is None:
        size = scales.SCALES[scale].items if scale in scales.SCALES else None
        raise ValidationFailed(
            _("The answers do not fit the scale."),
            fields={"scale": [_("phq9 or gad7")]}
            if size is None
            else {"answers": [_("%(n)d answers of 0 to 3") % {"n": size}]},
        )
    with transaction.atomic():
        ref = referral_open(viewer=actor, pk=referral_id, what="screening")
        _needs_consent(ref)
        now = clock.now()
        payload = {
            "answers": list(answers),
            "score": result.score,
            "band": result.band,
            "self_harm": result.self_harm,
        }
        s = Screening.objects.create(
            referral=ref, scale=scale, result_enc=pii.encrypt(json.dumps(payload)), by=actor, at=now
        )
        raised = 0
        if result.self_harm:
            alerts = [PsychAlert(referral=ref, recipient=p, at=now) for p in alert_recipients(ref)]
            PsychAlert.objects.bulk_create(alerts)
            raised = len(alerts)
    return s, result, raised


def session_record(
    *, referral_id: int, actor: Staff, held_at: datetime, notes: str = ""
) -> CounsellingSession:
    with transaction.atomic():
        ref = referral_open(viewer=actor, pk=referral_id, what="session")
        _needs_consent(ref)
        return CounsellingSession.objects.create(
            referral=ref,
            held_at=held_at,
            notes_enc=pii.encrypt(notes.strip()[:5000]) if notes.strip() else "",
            by=actor,
        )


def alert_acknowledge(*, alert_id: int, actor: Staff) -> PsychAlert:
    alert = PsychAlert.objects.filter(pk=alert_id, recipient=actor).first()
    if alert is None:
        from jiefen.core.errors import NotFound

        raise NotFound(_("Not found."))
    if alert.acknowledged_at is None:
        alert.acknowledged_at = clock.now()
        alert.save(update_fields=["acknowledged_at"])
    return alert
