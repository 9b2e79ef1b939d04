"""Performance of the agreement (协议履行): each term's due date, what was paid or done, and the
alert when a term is overdue.

A term belongs to the case's latest agreement: what is to be done, who performs it, by which
day, and an amount when it is money. Payments and acts are recorded against it (who, which
day, how much or what). A money term is performed when the payments reach its amount; any term
when an act recorded says it completes it. A term not performed after its due day (plus the
rule's `grace_days`) is overdue: the alerts sweep raises `term_overdue` for it (one alert per
term), and performing the term closes that alert.

Writes (`performance_terms_add`, `performance_record`) are one transaction each, lock the case
row, and append their timeline entry; reads go through the viewer's jurisdiction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.cases.models import Case
from jiefen.core import clock
from jiefen.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from jiefen.directory.models import Staff
from jiefen.procedures import definitions as d
from jiefen.procedures.models import Agreement, AgreementTerm, PerformanceRecord

MAX_TERMS = 50


@dataclass
class TermInput:
    text: str
    obligor: str
    due_on: date | None
    amount: Decimal | str | None = None


def _roles_ok(actor: Staff) -> None:
    if not (actor.is_superuser or set(actor.roles or []) & d.WORKERS):
        raise PermissionDenied(_("Your role may not record performance."), code="procedure_not_allowed_role")


def _amount(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Not an amount."), fields={field: [_("invalid")]}) from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e10"):
        raise ValidationFailed(_("The amount must be above zero."), fields={field: [_("invalid")]})
    return amount.quantize(Decimal("0.01"))


def _text(value: str | None, field: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("This field is required."), fields={field: [_("required")]})
    if len(value) > limit:
        raise ValidationFailed(
            _("Longer than %(n)s characters.") % {"n": limit}, fields={field: [_("too long")]}
        )
    return value


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("county").get(pk=case.pk)


def _event(case: Case, kind: str, actor: Staff, now: datetime, data: dict, reason: str = "") -> None:
    from jiefen.procedures.services import case_event_append

    case_event_append(case, kind, actor, at=now, reason=reason, data=data)


def performance_terms_add(*, case: Case, actor: Staff, terms: list[TermInput]) -> list[AgreementTerm]:
    """Add terms to perform to the case's latest agreement (numbered after the existing ones)."""
    _roles_ok(actor)
    if not terms:
        raise ValidationFailed(_("Add at least one term."), fields={"terms": [_("required")]})
    if len(terms) > MAX_TERMS:
        raise ValidationFailed(_("Too many terms."), fields={"terms": [_("too many")]})
    cleaned = []
    for i, t in enumerate(terms):
        if t.due_on is None:
            raise ValidationFailed(
                _("Each term needs its due date."), fields={f"terms.{i}.due_on": [_("required")]}
            )
        cleaned.append(
            (
                _text(t.text, f"terms.{i}.text", 2000),
                _text(t.obligor, f"terms.{i}.obligor", 100),
                t.due_on,
                _amount(t.amount, f"terms.{i}.amount"),
            )
        )
    with transaction.atomic():
        locked = _lock(case)
        agreement = Agreement.objects.filter(case=locked).order_by("-version").first()
        if agreement is None:
            raise IllegalTransition(_("There is no agreement on this case yet."), code="agreement_required")
        earliest = agreement.effective_on
        for i, (_t, _o, due_on, _a) in enumerate(cleaned):
            if due_on < earliest:
                raise ValidationFailed(
                    _("A term cannot fall due before the agreement takes effect (%(d)s).")
                    % {"d": earliest.isoformat()},
                    code="date_before_agreement",
                    fields={f"terms.{i}.due_on": [_("too early")]},
                )
        now = clock.now()
        last = (
            AgreementTerm.objects.filter(case=locked).order_by("-no").values_list("no", flat=True).first()
            or 0
        )
        rows = AgreementTerm.objects.bulk_create(
            [
                AgreementTerm(
                    agreement=agreement,
                    case=locked,
                    no=last + 1 + i,
                    text=text,
                    obligor=obligor,
                    due_on=due_on,
                    amount=amount,
                    created_by=actor,
                    created_at=now,
                )
                for i, (text, obligor, due_on, amount) in enumerate(cleaned)
            ]
        )
        _event(
            locked,
            "performance_terms_set",
            actor,
            now,
            {
                "agreement": agreement.pk,
                "terms": [{"no": r.no, "due_on": r.due_on.isoformat(), "obligor": r.obligor} for r in rows],
            },
        )
    return list(AgreementTerm.objects.filter(case=case, no__gt=last).order_by("no"))


def performance_record(
    *,
    case: Case,
    term_id: int,
    actor: Staff,
    by: str,
    on: date | None,
    amount=None,
    what: str = "",
    completes: bool = False,
) -> PerformanceRecord:
    """Record a payment or an act against a term: who, which day, how much or what. The term
    is performed when the payments reach its amount or the act completes it; then its
    overdue alert, if any, is closed."""
    _roles_ok(actor)
    by = _text(by, "by", 100)
    what = _text(what, "what", 2000, required=False)
    amount = _amount(amount, "amount")
    if on is None:
        raise ValidationFailed(_("Say on which day."), fields={"on": [_("required")]})
    if on > clock.today():
        raise ValidationFailed(
            _("The day is in the future."), code="date_in_future", fields={"on": [_("future")]}
        )
    if amount is None and not what:
        raise ValidationFailed(
            _("Record an amount paid or what was done."),
            fields={"amount": [_("required")], "what": [_("required")]},
        )
    with transaction.atomic():
        locked = _lock(case)
        term = AgreementTerm.objects.select_for_update().filter(pk=term_id, case=locked).first()
        if term is None:
            raise NotFound(_("No such term."))
        if term.performed_at is not None:
            raise IllegalTransition(_("This term is performed already."), code="term_performed")
        now = clock.now()
        rec = PerformanceRecord.objects.create(
            term=term,
            case=locked,
            by=by,
            on=on,
            amount=amount,
            what=what,
            completes=completes,
            recorded_by=actor,
            recorded_at=now,
        )
        paid = term.records.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        done = completes or (term.amount is not None and paid >= term.amount)
        data = {
            "term": term.no,
            "by": by,
            "on": on.isoformat(),
            "amount": str(amount) if amount is not None else None,
            "paid": str(paid),
            "performed": done,
        }
        _event(locked, "performance_recorded", actor, now, data, reason=what)
        if done:
            term.performed_at = now
            term.save(update_fields=["performed_at"])
            from jiefen.alerts.models import RuleKind
            from jiefen.alerts.services import case_alerts_close

            case_alerts_close(
                code=RuleKind.TERM_OVERDUE,
                case=locked,
                key=_term_key(term),
                note=str(_("Term %(no)s performed.") % {"no": term.no}),
                actor=actor,
            )
    return rec


def _term_key(term: AgreementTerm) -> str:
    return f"term{term.no}"


def _term_label(term: AgreementTerm) -> str:
    """The term as the alert's subject shows it, stored in the centre's language (the subject
    is stored text, read by everyone)."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return str(_("term %(no)s") % {"no": term.no})


# ---------------------------------------------------------------- the sweep


def terms_overdue_signals(*, today: date, grace_days: int) -> list[tuple[Case, AgreementTerm]]:
    """Terms not performed whose due day plus the grace has passed by `today` (an indexed range)."""
    last_due = today - timedelta(days=grace_days + 1)
    terms = (
        AgreementTerm.objects.filter(performed_at__isnull=True, due_on__lte=last_due)
        .select_related("case")
        .order_by("due_on", "id")
    )
    return [(t.case, t) for t in terms]


def terms_overdue_raise(*, now: datetime) -> int:
    """Raise `term_overdue` for every overdue term (called by alerts.services.alerts_sweep;
    idempotent: one alert per term, never raised again once closed for the same due day)."""
    from jiefen.alerts import rules as R
    from jiefen.alerts.models import RuleKind
    from jiefen.alerts.services import case_alert_raise, rules_enabled

    rule = rules_enabled().get(RuleKind.TERM_OVERDUE)
    if rule is None:
        return 0
    grace = int(R.param(rule, "grace_days") or 0)
    created = 0
    for case, term in terms_overdue_signals(today=timezone.localtime(now).date(), grace_days=grace):
        created += case_alert_raise(
            code=RuleKind.TERM_OVERDUE,
            case=case,
            key=_term_key(term),
            label=_term_label(term),
            episode=term.due_on.isoformat(),
            reasons=[
                {
                    "code": "term_overdue",
                    "no": term.no,
                    "due": term.due_on.isoformat(),
                    "term": term.text[:120],
                }
            ],
        )
    return created


# ---------------------------------------------------------------- reads


def performance_rows(*, case: Case, today: date | None = None) -> list[dict]:
    """Each term of the case with its records, what is paid and whether it is overdue."""
    today = today or clock.today()
    out = []
    terms = (
        AgreementTerm.objects.filter(case=case)
        .select_related("agreement")
        .prefetch_related("records", "records__recorded_by")
    )
    for t in terms.order_by("no"):
        records = list(t.records.all())
        paid = sum((r.amount for r in records if r.amount is not None), Decimal("0"))
        out.append(
            {
                "term": t,
                "records": records,
                "paid": paid,
                "performed": t.performed_at is not None,
                "overdue": t.performed_at is None and t.due_on < today,
            }
        )
    return out


def performance_out(*, case: Case) -> list[dict]:
    """The API's view of `performance_rows`."""
    return [
        {
            "id": r["term"].pk,
            "no": r["term"].no,
            "agreement_version": r["term"].agreement.version,
            "text": r["term"].text,
            "obligor": r["term"].obligor,
            "due_on": r["term"].due_on.isoformat(),
            "amount": str(r["term"].amount) if r["term"].amount is not None else None,
            "paid": str(r["paid"]),
            "performed": r["performed"],
            "performed_at": r["term"].performed_at.isoformat() if r["term"].performed_at else None,
            "overdue": r["overdue"],
            "records": [
                {
                    "id": rec.pk,
                    "by": rec.by,
                    "on": rec.on.isoformat(),
                    "amount": str(rec.amount) if rec.amount is not None else None,
                    "what": rec.what,
                    "completes": rec.completes,
                    "recorded_by": str(rec.recorded_by),
                    "recorded_at": rec.recorded_at.isoformat(),
                }
                for rec in r["records"]
            ],
        }
        for r in performance_rows(case=case)
    ]
