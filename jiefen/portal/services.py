"""Writes of the citizen portal: submit (with attachments and duplicate detection), one-time
codes for tracking, rating and reopen requests. Citizens have no account: a case is theirs
by number + query code + a code sent to the applicant's phone."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.cases.choices import Channel, PartyRole, Status
from jiefen.cases.models import Case
from jiefen.cases.services import PartyInput, case_register
from jiefen.channels.matching import find_duplicate
from jiefen.core import clock, pii
from jiefen.core.errors import IllegalTransition, NotFound, ValidationFailed
from jiefen.directory.models import Staff
from jiefen.notifications.choices import Template
from jiefen.notifications.services import notify_duty_staff, outbox_enqueue
from jiefen.portal.files import MAX_BYTES, sniff
from jiefen.portal.models import Attachment, LinkedSubmission, ReopenDecision, ReopenRequest, TrackingCode
from jiefen.regions.models import Region

MAX_ATTACHMENTS = 5
CODE_TTL = timedelta(minutes=10)
CODE_ATTEMPTS = 5  # wrong tries that void one code
CODES_PER_WINDOW = 3  # codes per case in CODE_TTL
PHONE_WINDOW = timedelta(hours=1)
CODES_PER_PHONE = 5  # codes sent to one phone in PHONE_WINDOW, whatever the case
PHONE_ATTEMPTS = 10  # wrong tries on all codes of one phone in PHONE_WINDOW
RATEABLE = frozenset({Status.RESOLVED, Status.CLOSED})


@dataclass
class Upload:
    name: str
    content: bytes


@dataclass
class Submission:
    case: Case
    query_code: str = ""
    linked: bool = False
    reason: str = ""
    attachments: list[Attachment] = field(default_factory=list)


def check_uploads(uploads: list[Upload]) -> dict[str, list[str]]:
    errors: list[str] = []
    if len(uploads) > MAX_ATTACHMENTS:
        errors.append(_("At most %(n)s files.") % {"n": MAX_ATTACHMENTS})
    for up in uploads:
        if len(up.content) > MAX_BYTES:
            errors.append(_("%(name)s is larger than 10 MB.") % {"name": up.name[:60]})
        elif sniff(up.content[:16]) is None:
            errors.append(
                _("%(name)s is not an image (JPEG, PNG, GIF, WebP) or a PDF.") % {"name": up.name[:60]}
            )
    return {"attachments": errors} if errors else {}


def _attach(case: Case, uploads: list[Upload]) -> list[Attachment]:
    out = []
    now = clock.now()
    for up in uploads:
        kind, ext = sniff(up.content[:16])  # checked before
        att = Attachment(
            case=case,
            kind=kind,
            size=len(up.content),
            sha256=hashlib.sha256(up.content).hexdigest(),
            original_name=up.name[:200],
            uploaded_at=now,
        )
        # Stored under a random name with the extension of the real type.
        att.file.save(f"{secrets.token_hex(12)}.{ext}", ContentFile(up.content), save=False)
        att.save()
        out.append(att)
    return out


def portal_submit(
    *,
    region: Region | None,
    name: str,
    phone: str,
    description: str,
    request: str = "",
    respondent: str = "",
    category: str | None = None,
    uploads: list[Upload] | None = None,
    channel: str = Channel.ONLINE,
    latitude: str = "",
    longitude: str = "",
) -> Submission:
    """Register a citizen's dispute, or link a re-submission of the same matter to its case.
    An optional location (where it happened) is kept for the map (geo.ReportLocation)."""
    from jiefen.geo.services import location_parse, report_location_record

    uploads = uploads or []
    errors = check_uploads(uploads)
    try:
        location = location_parse(latitude, longitude)
    except ValidationFailed as exc:
        location = None
        errors.update(exc.fields)
    if region is None:
        errors.setdefault("region", []).append(_("Choose where it happened."))
    if not (description or "").strip():
        errors.setdefault("description", []).append(_("Describe what happened."))
    phone = pii.normalize_phone(phone or "")
    if not phone:
        errors.setdefault("phone", []).append(_("A mobile number is needed to follow the case."))
    elif pii.phone_error(phone):
        errors.setdefault("phone", []).append(str(pii.phone_error(phone)))
    if not (name or "").strip():
        errors.setdefault("name", []).append(_("Your name is required."))
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    county = region.county if region.level != "county" else region
    with transaction.atomic():
        dup = find_duplicate(phone=phone, description=description, county=county)
        if dup is not None:
            LinkedSubmission.objects.create(
                case=dup.case,
                channel=channel,
                description=description.strip()[:20000],
                score=dup.score,
                reason=dup.reason[:200],
                at=clock.now(),
            )
            return Submission(
                case=dup.case, linked=True, reason=dup.reason, attachments=_attach(dup.case, uploads)
            )
        parties = [PartyInput(role=PartyRole.APPLICANT, name=name.strip(), phone=phone)]
        if (respondent or "").strip():
            parties.append(PartyInput(role=PartyRole.RESPONDENT, name=respondent.strip()[:100]))
        reg = case_register(
            channel=channel,
            region=region,
            description=description,
            request=request,
            category=category or None,
            parties=parties,
        )
        report_location_record(case=reg.case, location=location, source="portal")
        return Submission(case=reg.case, query_code=reg.query_code, attachments=_attach(reg.case, uploads))


# ---------------------------------------------------------------- tracking


def _find(number: str, query_code: str) -> Case:
    number, query_code = (number or "").strip(), (query_code or "").strip().upper()
    case = Case.objects.filter(number=number).first() if number and query_code else None
    if case is None or not secrets.compare_digest(case.query_code_hash, pii.keyed_hash("qc:" + query_code)):
        # One answer for both: a wrong number tells nothing about which numbers exist.
        raise NotFound(_("No case with this number and query code."))
    return case


def _code_hash(case: Case, code: str) -> str:
    return pii.keyed_hash(f"otp:{case.pk}:{code}")


def tracking_code_send(*, number: str, query_code: str) -> Case:
    """Check number + query code, then send a one-time code to the applicant's phone."""
    case = _find(number, query_code)
    now = clock.now()
    with transaction.atomic():
        recent = TrackingCode.objects.filter(case=case, created_at__gte=now - CODE_TTL).count()
        if recent >= CODES_PER_WINDOW:
            raise ValidationFailed(
                _("Too many codes were sent for this case; wait ten minutes."), code="rate_limited"
            )
        phones = list(
            case.parties.filter(role=PartyRole.APPLICANT)
            .exclude(phone_enc="")
            .order_by("pk")
            .values_list("phone_enc", "phone_hash")
        )
        if not phones:
            raise ValidationFailed(
                _("No phone number is recorded for this case; ask the centre."), code="no_phone"
            )
        phone_hash = phones[0][1]
        if (
            phone_hash
            and TrackingCode.objects.filter(phone_hash=phone_hash, created_at__gte=now - PHONE_WINDOW).count()
            >= CODES_PER_PHONE
        ):
            raise ValidationFailed(
                _("Too many codes were sent to this phone; wait an hour."), code="rate_limited"
            )
        code = f"{secrets.randbelow(10**6):06d}"
        tc = TrackingCode.objects.create(
            case=case,
            code_hash=_code_hash(case, code),
            created_at=now,
            expires_at=now + CODE_TTL,
            phone_hash=phone_hash,
        )
        for i, (enc, _hash) in enumerate(phones[:3]):
            outbox_enqueue(
                template=Template.ONE_TIME_CODE,
                key=f"otp:{tc.pk}:{i}",
                context={"code": code, "minutes": int(CODE_TTL.total_seconds() // 60)},
                phone=pii.decrypt(enc),
                case=case,
                sensitive=True,
            )
    return case


def _phone_failures(phone_hash: str, now) -> int:
    if not phone_hash:
        return 0
    return (
        TrackingCode.objects.filter(phone_hash=phone_hash, created_at__gte=now - PHONE_WINDOW).aggregate(
            n=Sum("attempts")
        )["n"]
        or 0
    )


def tracking_code_verify(*, case_id: int, code: str) -> Case:
    """Accept the latest unexpired code once; a few wrong tries void it, more on one phone
    block every code of that phone for an hour.

    A wrong try is counted in its own committed transaction before the refusal is raised: a
    refusal raised inside it would roll the count back (and did: it stayed 0).
    """
    now = clock.now()
    with transaction.atomic():
        tc = (
            TrackingCode.objects.select_for_update()
            .filter(case_id=case_id, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at", "-id")
            .first()
        )
        if tc is None or tc.attempts >= CODE_ATTEMPTS:
            raise ValidationFailed(_("The code has expired; ask for a new one."), code="code_expired")
        if _phone_failures(tc.phone_hash, now) >= PHONE_ATTEMPTS:
            raise ValidationFailed(
                _("Too many wrong codes for this phone; wait an hour."), code="rate_limited"
            )
        right = secrets.compare_digest(tc.code_hash, _code_hash(tc.case, (code or "").strip()))
        if right:
            tc.used_at = now
            tc.save(update_fields=["used_at"])
            return tc.case
        TrackingCode.objects.filter(pk=tc.pk).update(attempts=F("attempts") + 1)
    # Committed above; only now the refusal.
    raise ValidationFailed(_("The code is not right."), code="code_wrong", fields={"code": [_("wrong")]})


# ---------------------------------------------------------------- feedback


def portal_rating(case: Case):
    """The applicant's rating of the current result (a PartyFeedback row from the portal or
    any other channel: one per party and closure), or None."""
    from jiefen.procedures.models import PartyFeedback
    from jiefen.procedures.services import current_closure_no

    party = _applicant(case)
    if party is None:
        return None
    return PartyFeedback.objects.filter(case=case, party=party, closure_no=current_closure_no(case)).first()


def _applicant(case: Case):
    return case.parties.filter(role=PartyRole.APPLICANT).order_by("pk").first()


def portal_rate(*, case: Case, stars: int, comment: str = ""):
    """The applicant rates the result on the portal: a satisfaction opinion like any other
    (procedures.satisfaction), on the case's timeline (`feedback_recorded`, source portal)."""
    from jiefen.core.errors import Conflict
    from jiefen.procedures.choices import FeedbackSource
    from jiefen.procedures.services import feedback_record

    if case.status not in RATEABLE:
        raise IllegalTransition(_("A case can be rated once it is resolved."))
    if not 1 <= int(stars) <= 5:
        raise ValidationFailed(_("Choose 1 to 5 stars."), fields={"stars": [_("1 to 5")]})
    party = _applicant(case)
    if party is None:
        raise IllegalTransition(_("A case can be rated once it is resolved."))
    try:
        return feedback_record(
            case=case,
            party=party,
            score=int(stars),
            comment=(comment or "").strip()[:2000],
            source=FeedbackSource.PORTAL,
        )
    except Conflict:
        raise IllegalTransition(_("This case has been rated already."), code="already_rated") from None


def portal_reopen_request(*, case: Case, reason: str) -> ReopenRequest:
    reason = (reason or "").strip()
    if case.status not in RATEABLE:
        raise IllegalTransition(_("Only a resolved or closed case can be reopened."))
    if not reason:
        raise ValidationFailed(_("Say why the matter is not settled."), fields={"reason": [_("required")]})
    with transaction.atomic():
        if ReopenRequest.objects.filter(case=case, handled=False).exists():
            raise IllegalTransition(
                _("Your request to reopen is already with the centre."), code="already_requested"
            )
        req = ReopenRequest.objects.create(case=case, reason=reason[:2000], at=clock.now())
        _event(case, "reopen_requested", None, req.at, reason=req.reason, data={"request": req.pk})
        _alert_raise(case, req)
        notify_duty_staff(
            county=case.county,
            key=f"reopen:{req.pk}",
            title=case.number,
            text=reason,
            case=case,
            template=Template.REOPEN_REQUESTED,
        )
    return req


# ---------------------------------------------------------------- reopen requests (staff side)

DECIDERS = frozenset({"dispatcher", "leader", "admin"})  # as the case's `reopen` action
DECISIONS = {"reopen": ReopenDecision.REOPENED, "refuse": ReopenDecision.REFUSED}


def _event(case: Case, kind: str, actor, at, *, reason: str = "", data: dict | None = None):
    from jiefen.procedures.services import case_event_append

    return case_event_append(case, kind, actor, at=at, reason=reason, data=data)


def _alert_raise(case: Case, req: ReopenRequest) -> None:
    from jiefen.alerts.models import RuleKind
    from jiefen.alerts.services import case_alert_raise

    on = timezone.localtime(req.at).date().isoformat()
    case_alert_raise(
        code=RuleKind.REOPEN_REQUESTED,
        case=case,
        reasons=[{"code": "reopen_requested", "on": on, "reason": req.reason[:200]}],
        episode=str(req.pk),
    )


def _alert_close(case: Case, note: str, actor) -> None:
    from jiefen.alerts.models import RuleKind
    from jiefen.alerts.services import case_alerts_close

    case_alerts_close(code=RuleKind.REOPEN_REQUESTED, case=case, note=note, actor=actor)


def reopen_request_decide(*, request_id: int, actor: Staff, decision: str, reason: str) -> ReopenRequest:
    """Decide a citizen's request to reopen, with a reason: `reopen` reopens the case (the
    case's own `reopen` action, which marks the request decided), `refuse` keeps the result and
    tells the applicant why (on the portal's timeline). Refused with a stable code: a request
    already decided (`reopen_request_decided`, 409), a case that cannot be reopened now
    (`illegal_transition`), a role that may not decide (`permission_denied`)."""
    from jiefen.cases.selectors import case_scope
    from jiefen.cases.services import case_transition
    from jiefen.core.errors import Conflict, PermissionDenied

    reason = (reason or "").strip()
    if decision not in DECISIONS:
        raise ValidationFailed(
            _("Decide to reopen or to refuse."), code="unknown_decision", fields={"decision": [_("invalid")]}
        )
    if not reason:
        raise ValidationFailed(
            _("Give the reason for the decision."), code="reason_required", fields={"reason": [_("required")]}
        )
    if len(reason) > 2000:
        raise ValidationFailed(
            _("The reason is longer than 2000 characters."), fields={"reason": [_("too long")]}
        )
    case_id = (
        ReopenRequest.objects.filter(pk=request_id, case__in=Case.objects.filter(case_scope(actor)))
        .values_list("case_id", flat=True)
        .first()
    )
    if case_id is None:
        raise NotFound(_("No such request."))
    with transaction.atomic():
        # The case row first, then the request: the order every reopen of the case takes.
        Case.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
        req = ReopenRequest.objects.select_for_update(of=("self",)).select_related("case").get(pk=request_id)
        if req.handled:
            raise Conflict(
                _("This request was decided already (%(d)s).")
                % {"d": ReopenDecision(req.decision).label if req.decision else _("handled")},
                code="reopen_request_decided",
            )
        if not (actor.is_superuser or set(actor.roles or []) & DECIDERS):
            raise PermissionDenied(_("Dispatchers and leaders decide requests to reopen."))
        if decision == "reopen":
            case_transition(
                case=req.case.number,
                actor=actor,
                action="reopen",
                reason=str(_("At the applicant's request: %(r)s") % {"r": reason}),
            )
            req.refresh_from_db()
            return req
        now = clock.now()
        req.handled, req.decision, req.decision_reason = True, ReopenDecision.REFUSED, reason
        req.decided_by, req.decided_at = actor, now
        req.save(update_fields=["handled", "decision", "decision_reason", "decided_by", "decided_at"])
        _event(req.case, "reopen_request_refused", actor, now, reason=reason, data={"request": req.pk})
        _alert_close(req.case, reason, actor)
    return req


def on_case_reopened(*, case: Case, event) -> int:
    """Called by cases.hooks in the transaction of every `reopen` (a decision here, the case
    page, the API, a recurrence at the return visit): the waiting requests are decided."""
    n = ReopenRequest.objects.filter(case=case, handled=False).update(
        handled=True,
        decision=ReopenDecision.REOPENED,
        decision_reason=event.reason[:2000],
        decided_by=event.actor,
        decided_at=event.at,
    )
    if n:
        _alert_close(case, event.reason or str(_("reopened")), event.actor)
    return n


def attachment_opened(*, attachment, staff, download: bool) -> None:
    """Log that a staff member opened (or saved) a citizen's file."""
    from jiefen.core import clock
    from jiefen.portal.models import AttachmentAccess

    AttachmentAccess.objects.create(attachment=attachment, staff=staff, at=clock.now(), download=download)


# ---------------------------------------------------------------- query code reissue

REISSUE_ROLES = frozenset({"clerk", "dispatcher", "handler", "mediator", "leader", "admin"})


@dataclass
class Reissue:
    case: Case
    query_code: str
    sms: bool


def query_code_reissue(*, case: Case, party, actor, verification: str) -> Reissue:
    """A new query code for a party whose identity staff checked (`verification` says how: ID
    card at the window, …). The old code stops at once: only the new one's keyed hash is kept,
    pending one-time codes are voided and portal sessions opened with the old code end. Logged
    on the timeline (who, for which party, how verified); the new code goes by SMS to the
    party's phone when there is one and is shown once to the staff member to print."""
    from jiefen.cases import hooks
    from jiefen.cases.models import CaseEvent
    from jiefen.cases.services import QUERY_CODE_ALPHABET
    from jiefen.core.errors import PermissionDenied

    if not actor.is_superuser and not set(actor.roles or []) & REISSUE_ROLES:
        raise PermissionDenied(_("Your role may not reissue query codes."), code="not_allowed_role")
    verification = (verification or "").strip()[:200]
    if not verification:
        raise ValidationFailed(
            _("Say how the party's identity was checked."),
            code="verification_required",
            fields={"verification": [_("required")]},
        )
    with transaction.atomic():
        locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if party.case_id != locked.pk:
            raise NotFound(_("No such party."))
        before = hooks.case_summary(locked)
        now = clock.now()
        code = "".join(secrets.choice(QUERY_CODE_ALPHABET) for _i in range(8))
        locked.query_code_hash = pii.keyed_hash("qc:" + code)
        locked.version += 1
        locked.save(update_fields=["query_code_hash", "version", "updated_at"])
        TrackingCode.objects.filter(case=locked, used_at__isnull=True).update(used_at=now)
        event = CaseEvent.objects.create(
            case=locked,
            at=now,
            actor=actor,
            kind="query_code_reissued",
            reason=verification,
            data={"party": party.pk, "party_name": party.name, "sms": bool(party.phone_enc)},
        )
        hooks.case_written(case=locked, event=event, before=before)
        if party.phone_enc:
            outbox_enqueue(
                template=Template.QUERY_CODE_REISSUED,
                key=f"qc:{locked.pk}:ev:{event.pk}",
                context={"number": locked.number, "code": code},
                phone=pii.decrypt(party.phone_enc),
                case=locked,
                sensitive=True,
            )
    return Reissue(case=locked, query_code=code, sms=bool(party.phone_enc))


def query_code_fingerprint(case: Case) -> str:
    """A short part of the query code's keyed hash: a portal session remembers it and ends
    when the code is reissued."""
    return case.query_code_hash[:16]
