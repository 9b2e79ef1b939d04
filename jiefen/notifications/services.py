"""Writes of notifications: enqueue into the outbox (inside the caller's transaction) and
deliver (one message per call, locked, idempotent, with exponential backoff).

The outbox row is written in the same transaction as the case change that causes it, so a
rolled-back change sends nothing; delivery is handed to Celery only after commit. If the
broker is down, the message stays pending and the periodic sweep (`deliver_due`) sends it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from jiefen.core import clock, pii
from jiefen.core.refcache import reference
from jiefen.notifications.choices import DEFAULT_BODIES, MessageStatus, Template
from jiefen.notifications.gateways import GatewayError, get_gateway
from jiefen.notifications.models import ContactPhone, NotificationTemplate, OutboxMessage

if TYPE_CHECKING:
    from jiefen.cases.models import Case, CaseEvent
    from jiefen.directory.models import Staff
    from jiefen.regions.models import Region

log = logging.getLogger("jiefen.notifications")

REDACTED = "[redacted after delivery]"
MAX_BACKOFF_SECONDS = 3600
# Applicants of these channels are answered by the channel itself (12345 runs its own 回访
# from the replies feed), so they get no SMS from here.
NO_APPLICANT_SMS_CHANNELS = frozenset({"hotline_12345"})
RETURN_VISIT_AFTER = timedelta(days=2)


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@reference("notifications.NotificationTemplate")
def _template_row(code: str) -> NotificationTemplate | None:
    return NotificationTemplate.objects.filter(code=code).first()


def render(template: str, context: dict) -> str | None:
    """The text of a message, or None if an administrator switched the template off."""
    row = _template_row(template)
    if row is not None and not row.is_active:
        return None
    body = row.body if row is not None else DEFAULT_BODIES[template]
    try:
        return body.format_map(_Keep({k: str(v) for k, v in context.items()}))
    except (ValueError, IndexError):
        return body  # a malformed edit must not stop the change that triggered it


def citizen_footer(case: Case | None) -> str:
    """What every SMS to a citizen ends with: where to follow the case (the portal, with the
    case number filled in) and the centre's address and phone (settings JIEFEN_PORTAL_URL,
    JIEFEN_CENTRE_ADDRESS, JIEFEN_CENTRE_PHONE)."""
    base = settings.JIEFEN_PORTAL_URL.rstrip("/") + "/"
    parts = [f"查询：{base}track/?number={case.number}" if case is not None else f"网上办理：{base}"]
    if settings.JIEFEN_CENTRE_ADDRESS:
        parts.append(f"地址：{settings.JIEFEN_CENTRE_ADDRESS}")
    if settings.JIEFEN_CENTRE_PHONE:
        parts.append(f"电话：{settings.JIEFEN_CENTRE_PHONE}")
    return "（" + "；".join(parts) + "）"


def outbox_enqueue(
    *,
    template: str,
    key: str,
    context: dict,
    phone: str = "",
    staff: Staff | None = None,
    case: Case | None = None,
    not_before: datetime | None = None,
    sensitive: bool = False,
) -> bool:
    """Add one message to the outbox; a second call with the same key adds nothing.

    Returns whether a message was written. Must be called inside the transaction of the change.
    """
    msg = _message(
        template=template,
        key=key,
        context=context,
        phone=phone,
        staff=staff,
        case=case,
        not_before=not_before,
        sensitive=sensitive,
    )
    if msg is None:
        return False
    if OutboxMessage.objects.filter(key=msg.key).exists():
        return False
    # ignore_conflicts: a concurrent enqueue of the same key between the check and here wins.
    OutboxMessage.objects.bulk_create([msg], ignore_conflicts=True)
    if msg.next_attempt_at <= msg.created_at:
        transaction.on_commit(lambda: _dispatch([msg.key]))
    return True


_TEMPLATES = frozenset(Template.values)


def _message(
    *,
    template: str,
    key: str,
    context: dict,
    phone: str = "",
    staff: Staff | None = None,
    case: Case | None = None,
    not_before: datetime | None = None,
    sensitive: bool = False,
) -> OutboxMessage | None:
    """The unsaved message, or None (template switched off, nobody to send it to)."""
    if template not in _TEMPLATES:
        raise ValueError(f"unknown template {template}")
    key = key[:200]
    body = render(template, context)
    if body is None:
        return None
    if phone and staff is None:
        body += citizen_footer(case)
    now = clock.now()
    channel = "sms"
    if not phone and staff is not None:
        contact = ContactPhone.objects.filter(staff=staff).first()
        if contact is not None:
            phone = pii.decrypt(contact.phone_enc)
        else:
            channel = "inbox"  # no phone on file: shown to the staff member in the admin only
    if not phone and channel == "sms":
        return None
    return OutboxMessage(
        key=key,
        template=template,
        channel=channel,
        case=case,
        staff=staff,
        recipient_enc=pii.encrypt(phone) if phone else "",
        recipient_masked=pii.mask_phone(phone) if phone else "",
        body=body,
        sensitive=sensitive,
        next_attempt_at=not_before or now,
        created_at=now,
    )


def _dispatch(keys: list[str]) -> None:
    ids = OutboxMessage.objects.filter(key__in=keys, status=MessageStatus.PENDING).values_list(
        "pk", flat=True
    )
    _dispatch_ids(list(ids))


def _dispatch_ids(ids: list[int]) -> None:
    """Queue delivery of committed messages (a worker sends each once; see outbox_deliver): one
    hand-over to the broker for all of them."""
    from jiefen.notifications.tasks import deliver_message, deliver_messages

    if not ids:
        return
    try:
        if len(ids) == 1:
            deliver_message.delay(ids[0])
        else:
            deliver_messages.delay(list(ids))
    except Exception:  # broker down: the messages stay pending for the sweep
        log.warning("could not queue outbox messages %s; the sweep will send them", ids[:20], exc_info=True)


@dataclass
class Outcome:
    status: str
    retry_in: int | None = None


def backoff_seconds(attempts: int) -> int:
    return min(settings.JIEFEN_NOTIFY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


def outbox_deliver(*, message_id: int) -> Outcome:
    """Send one message if it is pending and due. The row stays locked during the send, so two
    workers holding the same id send it once; a message already sent is never sent again."""
    with transaction.atomic():
        msg = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if msg is None:
            return Outcome("missing")
        if msg.status != MessageStatus.PENDING:
            return Outcome(msg.status)
        now = clock.now()
        if msg.next_attempt_at > now + timedelta(seconds=1):
            return Outcome("not_due", retry_in=int((msg.next_attempt_at - now).total_seconds()) + 1)
        msg.attempts += 1
        try:
            if msg.channel == "inbox":
                provider_id = "inbox"
            else:
                provider_id = get_gateway().send(
                    phone=pii.decrypt(msg.recipient_enc),
                    text=msg.body,
                    key=f"jiefen-{msg.key}",
                    sensitive=msg.sensitive,
                )
        except GatewayError as exc:
            msg.last_error = str(exc)[:2000]
            if exc.permanent or msg.attempts >= settings.JIEFEN_NOTIFY_MAX_ATTEMPTS:
                msg.status = MessageStatus.FAILED
                msg.save(update_fields=["attempts", "last_error", "status"])
                log.error("outbox message %s failed for good: %s", msg.pk, exc)
                return Outcome(msg.status)
            delay = backoff_seconds(msg.attempts)
            msg.next_attempt_at = now + timedelta(seconds=delay)
            msg.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            return Outcome(msg.status, retry_in=delay)
        msg.status = MessageStatus.SENT
        msg.sent_at = now
        msg.provider_id = (provider_id or "")[:100]
        msg.last_error = ""
        fields = ["attempts", "status", "sent_at", "provider_id", "last_error"]
        if msg.sensitive:
            msg.body = REDACTED
            fields.append("body")
        msg.save(update_fields=fields)
        return Outcome(msg.status)


def outbox_deliver_due(*, limit: int = 500) -> int:
    """Deliver what is pending and due (the periodic sweep); returns how many were sent."""
    ids = list(
        OutboxMessage.objects.filter(status=MessageStatus.PENDING, next_attempt_at__lte=clock.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(outbox_deliver(message_id=i).status == MessageStatus.SENT for i in ids)


def outbox_retry(*, message_ids: list[int]) -> int:
    """Put failed messages back in the queue (an administrator's action)."""
    with transaction.atomic():
        keys = list(
            OutboxMessage.objects.filter(pk__in=message_ids, status=MessageStatus.FAILED).values_list(
                "key", flat=True
            )
        )
        n = OutboxMessage.objects.filter(key__in=keys).update(
            status=MessageStatus.PENDING, attempts=0, next_attempt_at=clock.now(), last_error=""
        )
        transaction.on_commit(lambda: _dispatch(keys))
    return n


def contact_phone_set(*, staff: Staff, phone: str) -> ContactPhone:
    from jiefen.core.errors import ValidationFailed

    phone = pii.normalize_phone(phone)
    err = pii.phone_error(phone)
    if err:
        raise ValidationFailed(str(err), fields={"phone": [str(err)]})
    obj, _created = ContactPhone.objects.update_or_create(
        staff=staff, defaults={"phone_enc": pii.encrypt(phone), "phone_masked": pii.mask_phone(phone)}
    )
    return obj


# ---------------------------------------------------------------- case events → messages


def _applicant_phones(case: Case) -> list[tuple[int, str]]:
    # .all(): a case just registered answers from the parties it wrote (no query)
    return [
        (p.pk, pii.decrypt(p.phone_enc)) for p in case.parties.all() if p.role == "applicant" and p.phone_enc
    ]


def _to_applicants(case: Case, event: CaseEvent, template: str, context: dict) -> None:
    _enqueue_new(_applicant_messages(case, event, template, context))


def _enqueue_new(messages: list[OutboxMessage]) -> None:
    """Write messages whose keys name events of this very transaction (so none can have them
    yet): one INSERT, without looking for earlier ones; delivery is queued after the commit."""
    if messages:
        OutboxMessage.objects.bulk_create(messages)
        transaction.on_commit(lambda: _dispatch_ids([m.pk for m in messages]))


def _applicant_messages(case: Case, event: CaseEvent, template: str, context: dict) -> list[OutboxMessage]:
    if case.channel in NO_APPLICANT_SMS_CHANNELS:
        return []
    return [
        m
        for party_id, phone in _applicant_phones(case)
        if (
            m := _message(
                template=template,
                key=f"case:{case.pk}:ev:{event.pk}:{template}:p{party_id}",
                context=context,
                phone=phone,
                case=case,
            )
        )
        is not None
    ]


def notify_cases_registered(items: list[tuple[Case, CaseEvent]]) -> None:
    """The "registered" message of many new cases (imports): one INSERT for all."""
    messages: list[OutboxMessage] = []
    for case, event in items:
        if case.channel in NO_APPLICANT_SMS_CHANNELS:
            continue  # (as _applicant_messages decides) without building the context
        ctx = {
            "number": case.number,
            "organization": case.lead_organization.name,
            "status": case.get_status_display(),
        }
        messages += _applicant_messages(case, event, Template.CASE_REGISTERED, ctx)
    _enqueue_new(messages)


def notify_case_written(*, case: Case, event: CaseEvent, before: dict | None) -> None:
    """Called by cases.hooks.case_written inside the case's transaction."""
    ctx = {
        "number": case.number,
        "organization": case.lead_organization.name,
        "status": case.get_status_display(),
    }
    kind = event.kind
    if before is None:
        _to_applicants(case, event, Template.CASE_REGISTERED, ctx)
    elif kind == "accept":
        _to_applicants(case, event, Template.CASE_ACCEPTED, ctx)
    elif kind == "resolve":
        _to_applicants(case, event, Template.CASE_RESULT, {**ctx, "text": event.reason or _("resolved")})
        _return_visit_reminders(case, event, ctx)
    elif kind == "not_accept":
        _to_applicants(case, event, Template.CASE_RESULT, {**ctx, "text": case.legal_route_told})
    elif kind == "conclude":
        # ended without resolution: the applicant is told the decision and may still rate
        _to_applicants(case, event, Template.CASE_RESULT, {**ctx, "text": event.reason})
        _to_applicants(case, event, Template.RATE_INVITATION, ctx)
    elif kind == "close":
        _to_applicants(case, event, Template.RATE_INVITATION, ctx)


def _return_visit_reminders(case: Case, event: CaseEvent, ctx: dict) -> None:
    from jiefen.directory.models import Staff

    due = clock.now() + RETURN_VISIT_AFTER
    for staff in Staff.objects.filter(organization_id=case.lead_organization_id, is_active=True)[:20]:
        outbox_enqueue(
            template=Template.RETURN_VISIT_REMINDER,
            key=f"case:{case.pk}:ev:{event.pk}:rv:s{staff.pk}",
            context=ctx,
            staff=staff,
            case=case,
            not_before=due,
        )


def duty_staff(county: Region) -> list[Staff]:
    """The dispatchers of the county centre: who is told about alerts and citizens' requests."""
    from jiefen.directory.models import Staff

    staff = Staff.objects.filter(
        organization__region=county, organization__kind="county_centre", is_active=True
    ).order_by("pk")
    return [s for s in staff if "dispatcher" in (s.roles or [])][:20]


def notify_duty_staff(
    *, county: Region, key: str, title: str, text: str, case: Case | None = None, template: str = ""
) -> int:
    """Tell the county's duty staff (alerts engineer: call this for a new alert, with a stable
    key such as f"alert:{alert.pk}"). Returns how many messages were written."""
    template = template or Template.DUTY_ALERT
    ctx = {"title": title, "text": text[:300], "number": case.number if case else ""}
    return sum(
        outbox_enqueue(template=template, key=f"{key}:s{s.pk}", context=ctx, staff=s, case=case)
        for s in duty_staff(county)
    )
