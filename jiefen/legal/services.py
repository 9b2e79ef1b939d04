"""Writes of the public legal service: consultations, legal-aid applications (apply, decide,
assign a lawyer). One transaction each; a linked case gets its timeline entry."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.cases.choices import Category
from jiefen.cases.models import Case
from jiefen.core import clock, pii
from jiefen.core.errors import DomainError, IllegalTransition, PermissionDenied, ValidationFailed
from jiefen.deadlines.calendar import deadline
from jiefen.deadlines.selectors import time_limit_rule, work_calendar
from jiefen.directory.models import Staff
from jiefen.legal import rules
from jiefen.legal.models import (
    AidChannel,
    AidStatus,
    Consultation,
    ConsultationChannel,
    LegalAidApplication,
    MeansStandard,
)
from jiefen.mediators.choices import MediatorKind
from jiefen.mediators.models import Mediator
from jiefen.mediators.selectors import conflict_with, viewer_county_id
from jiefen.procedures.services import case_event_append
from jiefen.regions.models import Region

DECIDE_RULE = "legal_aid.decide"  # 法律援助法 第43条
ASSIGN_RULE = "legal_aid.assign"
STAFF_ROLES = frozenset({"clerk", "handler", "dispatcher", "leader", "admin", "agent"})


class LawyerNotAssignable(DomainError):
    code = "lawyer_not_assignable"
    status = 409


def _staff(actor: Staff) -> None:
    if not (actor.is_superuser or set(actor.roles or []) & STAFF_ROLES):
        raise PermissionDenied(_("Your role may not do this."), code="legal_not_allowed_role")


def _county_of(actor: Staff) -> Region:
    cid = viewer_county_id(actor)
    county = Region.objects.filter(pk=cid).first() if cid else None
    if county is None:
        raise ValidationFailed(_("Your account has no county."), fields={"county": [_("required")]})
    return county


def _due(code: str, province: str, start: date):
    rule = time_limit_rule(code, province)
    d = deadline(start, rule.days, rule.unit, work_calendar())
    return clock.end_of_day(d.day), d.provisional


# ---------------------------------------------------------------- consultations


def consultation_record(
    *,
    actor: Staff,
    channel: str,
    topic: str,
    question: str,
    answer: str = "",
    lawyer_id: int | None = None,
    case: Case | None = None,
) -> Consultation:
    _staff(actor)
    county = _county_of(actor)
    errors: dict[str, list] = {}
    if channel not in ConsultationChannel.values:
        errors["channel"] = [_("Unknown channel.")]
    if topic not in Category.values:
        errors["topic"] = [_("Unknown category.")]
    question = (question or "").strip()
    if not question:
        errors["question"] = [_("required")]
    lawyer = None
    if lawyer_id is not None:
        lawyer = Mediator.objects.filter(pk=lawyer_id, county=county, kind=MediatorKind.LAWYER).first()
        if lawyer is None:
            errors["lawyer_id"] = [_("Unknown lawyer in this county.")]
    if errors:
        raise ValidationFailed(_("The consultation has invalid fields."), fields=errors)
    with transaction.atomic():
        c = Consultation.objects.create(
            county=county,
            channel=channel,
            topic=topic,
            question=question[:5000],
            answer=(answer or "")[:10000],
            lawyer=lawyer,
            case=case,
            recorded_by=actor,
            at=clock.now(),
        )
        if case is not None:
            case_event_append(
                case,
                "legal_consultation",
                actor,
                data={"consultation": c.pk, "topic": topic, "channel": channel},
            )
    return c


# ---------------------------------------------------------------- legal aid


@dataclass
class AidInput:
    applicant_name: str = ""
    id_number: str = ""
    phone: str = ""
    matter: str = ""
    facts: str = ""
    exempt_person: str = ""
    household_size: int | None = None
    household_monthly_income: str | Decimal | None = None
    received_on: date | None = None


@dataclass
class AidApplied:
    application: LegalAidApplication
    query_code: str  # shown once, to the applicant


def means_standard(province: str) -> MeansStandard | None:
    return MeansStandard.objects.filter(province=province).first()


def aid_apply(
    *,
    county: Region,
    channel: str,
    data: AidInput,
    actor: Staff | None = None,
    case: Case | None = None,
) -> AidApplied:
    """Receive an application: validate, assess by the rules, set the decision's due date.

    Missing required facts → 422 listing every one of them; an application the rules would
    refuse is still received (the applicant has a right to a reasoned decision, 第44条)."""
    if actor is not None:
        _staff(actor)
    if channel not in AidChannel.values:
        raise ValidationFailed(_("Unknown channel."), fields={"channel": [_("unknown")]})
    errors: dict[str, list] = {}
    name = (data.applicant_name or "").strip()
    id_number = pii.normalize_id_number(data.id_number or "")
    if id_number and pii.id_number_error(id_number):
        errors["id_number"] = [pii.id_number_error(id_number)]
    phone = pii.normalize_phone(data.phone or "")
    if phone and pii.phone_error(phone):
        errors["phone"] = [pii.phone_error(phone)]
    income = None
    if data.household_monthly_income not in (None, ""):
        try:
            income = Decimal(str(data.household_monthly_income))
            if income < 0 or income > Decimal("100000000"):
                raise InvalidOperation
        except InvalidOperation:
            errors["household_monthly_income"] = [_("Not an amount of yuan.")]
    size = data.household_size
    if size is not None and not 1 <= int(size) <= 50:
        errors["household_size"] = [_("Between 1 and 50.")]
    province = county.code[:2]
    standard = means_standard(province)
    facts = rules.Facts(
        applicant_name=name,
        id_number=id_number,
        matter=(data.matter or "").strip(),
        facts=(data.facts or "").strip(),
        exempt_person=(data.exempt_person or "").strip(),
        household_size=size,
        household_monthly_income=income,
    )
    result = rules.assess(
        facts,
        means_standard=standard.monthly_income_per_person if standard else None,
        standard_source=standard.source if standard else "",
    )
    for name_ in result.missing:
        if name_ == "means_standard":
            continue
        errors.setdefault(name_, [_("required")])
    if errors:
        raise ValidationFailed(
            _("The application is missing facts or has invalid ones: %(f)s") % {"f": ", ".join(errors)},
            code="legal_aid_facts_missing",
            fields=errors,
        )
    now = clock.now()
    received_on = data.received_on or timezone.localtime(now).date()
    if received_on > timezone.localtime(now).date():
        raise ValidationFailed(
            _("The day received is in the future."), fields={"received_on": [_("invalid")]}
        )
    due_at, provisional = _due(DECIDE_RULE, province, received_on)
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        app = LegalAidApplication.objects.create(
            number=f"tmp-{secrets.token_hex(8)}",
            county=county,
            channel=channel,
            case=case,
            applicant_name=name[:50],
            id_number_enc=pii.encrypt(id_number),
            id_number_hash=pii.keyed_hash(id_number),
            id_number_masked=pii.mask_id_number(id_number),
            phone_enc=pii.encrypt(phone) if phone else "",
            phone_masked=pii.mask_phone(phone) if phone else "",
            matter=facts.matter,
            facts=facts.facts[:10000],
            exempt_person=facts.exempt_person,
            household_size=size,
            household_monthly_income=income,
            assessment={
                "eligible": result.eligible,
                "basis": result.basis,
                "refusal": result.refusal,
                "means_checked": result.means_checked,
                "income_per_person": str(result.income_per_person) if result.income_per_person else None,
                "standard_missing": "means_standard" in result.missing,
            },
            received_at=now
            if received_on == timezone.localtime(now).date()
            else clock.end_of_day(received_on),
            decision_due_at=due_at,
            due_provisional=provisional,
            query_code_hash=pii.keyed_hash(code),
            recorded_by=actor,
        )
        app.number = f"{county.code[:6]}-FY-{received_on.year}-{app.pk:06d}"
        app.save(update_fields=["number"])
        if case is not None:
            case_event_append(
                case,
                "legal_aid_applied",
                actor,
                data={
                    "application": app.number,
                    "decision_due_at": due_at.isoformat(),
                    "provisional": provisional,
                },
            )
    return AidApplied(app, code)


def _lock(app: LegalAidApplication) -> LegalAidApplication:
    return LegalAidApplication.objects.select_for_update().get(pk=app.pk)


def aid_decide(
    *, application: LegalAidApplication, actor: Staff, grant: bool, reason: str = ""
) -> LegalAidApplication:
    """Grant or refuse. A refusal states its reasons (法律援助法 第44条: 书面告知理由); when
    none is typed, the rules' reasons are used, and there must be some."""
    _staff(actor)
    reason = (reason or "").strip()[:5000]
    with transaction.atomic():
        app = _lock(application)
        if app.status != AidStatus.PENDING:
            raise IllegalTransition(_("This application has already been decided."), code="legal_aid_decided")
        if not grant and not reason:
            reason = "；".join(app.assessment.get("refusal") or [])
        if not grant and not reason:
            raise ValidationFailed(
                _("A refusal needs its reasons."), code="reason_required", fields={"reason": [_("required")]}
            )
        now = clock.now()
        app.status = AidStatus.GRANTED if grant else AidStatus.REFUSED
        app.decided_at, app.decided_by = now, actor
        app.decision_reason = reason or "；".join(app.assessment.get("basis") or [])
        if grant:
            app.assign_due_at, app.assign_due_provisional = _due(
                ASSIGN_RULE, app.county.code[:2], timezone.localtime(now).date()
            )
        app.save()
        if app.case_id:
            case_event_append(
                app.case,
                "legal_aid_decided",
                actor,
                reason=app.decision_reason if not grant else "",
                data={"application": app.number, "granted": grant},
            )
    return app


def aid_assign_lawyer(
    *, application: LegalAidApplication, actor: Staff, lawyer_id: int | None
) -> LegalAidApplication:
    """Assign a lawyer of the county's registry to a granted application."""
    _staff(actor)
    lawyer = Mediator.objects.select_related("county").filter(pk=lawyer_id).first() if lawyer_id else None
    if lawyer is None or lawyer.kind != MediatorKind.LAWYER:
        raise ValidationFailed(_("Unknown lawyer."), fields={"lawyer_id": [_("unknown")]})
    with transaction.atomic():
        app = _lock(application)
        if app.status != AidStatus.GRANTED:
            raise IllegalTransition(
                _("A lawyer is assigned once legal aid is granted."), code="legal_aid_not_granted"
            )
        if lawyer.county_id != app.county_id:
            raise LawyerNotAssignable(
                _("%(m)s is registered in another county.") % {"m": lawyer.name}, code="lawyer_outside_county"
            )
        if not lawyer.available or not lawyer.is_active:
            raise LawyerNotAssignable(
                _("%(m)s is not available.") % {"m": lawyer.name}, code="lawyer_unavailable"
            )
        if app.case_id:
            conflict = conflict_with(lawyer, app.case)
            if conflict is not None:
                raise LawyerNotAssignable(
                    _("%(m)s cannot act: %(why)s.") % {"m": lawyer.name, "why": conflict.text},
                    code="lawyer_conflict",
                )
        app.lawyer, app.assigned_at, app.status = lawyer, clock.now(), AidStatus.ASSIGNED
        app.save(update_fields=["lawyer", "assigned_at", "status"])
        if app.case_id:
            case_event_append(
                app.case,
                "legal_aid_lawyer_assigned",
                actor,
                data={"application": app.number, "lawyer": lawyer.pk},
            )
    return app


def aid_deadlines_recompute(*, years: list[int] | None = None, **_signal) -> int:
    """Receiver of `deadlines.signals.calendar_changed`: recompute the provisional decision
    (pending) and assignment (granted) due dates, in the caller's transaction; a linked case
    gets a `deadline_recomputed` entry. Returns how many changed."""
    changed = 0
    rows = LegalAidApplication.objects.filter(
        Q(status=AidStatus.PENDING, due_provisional=True)
        | Q(status=AidStatus.GRANTED, assign_due_provisional=True)
    ).select_related("county", "case")
    for app in rows:
        province = app.county.code[:2]
        if app.status == AidStatus.PENDING:
            fields = ("decision_due_at", "due_provisional")
            due = _due(DECIDE_RULE, province, timezone.localtime(app.received_at).date())
        else:
            fields = ("assign_due_at", "assign_due_provisional")
            due = _due(ASSIGN_RULE, province, timezone.localtime(app.decided_at).date())
        old = getattr(app, fields[0])
        if (old, getattr(app, fields[1])) == due:
            continue
        setattr(app, fields[0], due[0])
        setattr(app, fields[1], due[1])
        app.save(update_fields=list(fields))
        changed += 1
        if app.case_id:
            case_event_append(
                app.case,
                "deadline_recomputed",
                None,
                data={
                    "legal_aid": app.number,
                    "from": timezone.localtime(old).date().isoformat() if old else None,
                    "to": timezone.localtime(due[0]).date().isoformat(),
                    "provisional": due[1],
                    "years": list(years or []),
                },
            )
    return changed
