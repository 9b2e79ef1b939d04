"""Writes of the online mediation room: sessions and invitations, messages and evidence files,
terms versions and each party's confirmation with a one-time code.

Every write is one transaction that locks the case (then the procedure), checks everything
before changing anything and appends its CaseEvent. A wrong one-time code is counted in its own
committed transaction before the refusal, as in the portal.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.cases.models import Case, Party
from jiefen.core import clock, pii
from jiefen.core.errors import Conflict, IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from jiefen.mediation_room.choices import Author, CodePurpose, SessionMode
from jiefen.mediation_room.models import (
    RoomCode,
    RoomMessage,
    RoomSession,
    TermsConfirmation,
    TermsVersion,
    text_sha256,
)
from jiefen.notifications.choices import Template
from jiefen.notifications.services import outbox_enqueue
from jiefen.portal.files import MAX_BYTES, sniff
from jiefen.procedures import definitions as d
from jiefen.procedures.choices import ProcedureStatus
from jiefen.procedures.models import Procedure
from jiefen.procedures.services import case_event_append

log = logging.getLogger("jiefen.mediation_room")

CODE_TTL = timedelta(minutes=10)
CODE_ATTEMPTS = 5  # wrong tries that void one code
CODES_PER_WINDOW = 3  # codes per party and purpose in CODE_TTL
PHONE_WINDOW = timedelta(hours=1)
CODES_PER_PHONE = 8  # codes sent to one phone in PHONE_WINDOW, whatever the case
PHONE_ATTEMPTS = 10  # wrong tries on all codes of one phone in PHONE_WINDOW
MAX_MESSAGE = 4000
MAX_TERMS = 20000

# The names a file may carry for each kind its content shows.
EXTENSIONS = {
    "jpeg": {"jpg", "jpeg"},
    "png": {"png"},
    "gif": {"gif"},
    "webp": {"webp"},
    "pdf": {"pdf"},
}


@dataclass
class Upload:
    name: str
    content: bytes


# ---------------------------------------------------------------- shared checks


def _roles(actor) -> set[str]:
    if actor.is_superuser:
        return set(d.WORKERS)
    return set(actor.roles or [])


def _require_worker(actor) -> None:
    if not _roles(actor) & d.WORKERS:
        raise PermissionDenied(
            _("Your role may not run a mediation room."), code="procedure_not_allowed_role"
        )


def _lock(procedure: Procedure | int) -> Procedure:
    """Lock the case, then the procedure (the fixed order of every write of a case)."""
    pk = procedure.pk if isinstance(procedure, Procedure) else procedure
    case_id = Procedure.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound(_("No such procedure."))
    list(Case.objects.select_for_update().filter(pk=case_id).values_list("pk", flat=True))
    return Procedure.objects.select_for_update(of=("self",)).select_related("case", "organization").get(pk=pk)


def _require_open(proc: Procedure) -> None:
    if proc.status == ProcedureStatus.ENDED or proc.ended_at is not None:
        raise IllegalTransition(_("This procedure has ended; the room is closed."), code="procedure_ended")


def _text(value: str | None, field: str, *, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("This field is required."), fields={field: [_("required")]})
    if len(value) > limit:
        raise ValidationFailed(_("Too long."), fields={field: [_("at most %(n)s characters") % {"n": limit}]})
    return value


def _local(dt: datetime) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------- sessions and invitations


def session_schedule(
    *,
    procedure: Procedure,
    actor,
    starts_at: datetime | None,
    mode: str,
    place: str = "",
    meeting_link: str = "",
    note: str = "",
) -> RoomSession:
    """Schedule a session: a time, a mode (online, phone, at a place), a place or a meeting link."""
    _require_worker(actor)
    errors: dict[str, list[str]] = {}
    if mode not in SessionMode.values:
        errors["mode"] = [_("Choose online, by phone or at a place.")]
    if starts_at is None:
        errors["starts_at"] = [_("required")]
    elif timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    place = (place or "").strip()[:200]
    link = (meeting_link or "").strip()
    if link:
        parsed = urlparse(link)
        if parsed.scheme not in ("https", "http") or not parsed.netloc or len(link) > 500:
            errors["meeting_link"] = [_("A meeting link starts with https:// (the centre's video service).")]
    if mode == SessionMode.IN_PERSON and not place:
        errors["place"] = [_("Say where the session is held.")]
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)
    assert starts_at is not None  # checked above
    note = _text(note, "note", limit=2000)
    with transaction.atomic():
        proc = _lock(procedure)
        _require_open(proc)
        session = RoomSession.objects.create(
            procedure=proc,
            case=proc.case,
            starts_at=starts_at,
            mode=mode,
            place=place,
            meeting_link=link,
            note=note,
            created_by=actor,
            created_at=clock.now(),
        )
        case_event_append(
            proc.case,
            "room_session_scheduled",
            actor,
            data={
                "procedure": proc.pk,
                "session": session.pk,
                "starts_at": starts_at.isoformat(),
                "mode": mode,
            },
        )
    return session


def parties_invite(*, procedure: Procedure, actor, link: str) -> int:
    """Send each party with a phone an SMS with the next session and the room's link; returns
    how many were written to the outbox (a second call for the same session sends nothing new)."""
    _require_worker(actor)
    with transaction.atomic():
        proc = _lock(procedure)
        _require_open(proc)
        session = (
            RoomSession.objects.filter(procedure=proc, starts_at__gte=clock.now() - timedelta(hours=12))
            .order_by("starts_at", "id")
            .first()
        ) or RoomSession.objects.filter(procedure=proc).order_by("-starts_at", "-id").first()
        if session is None:
            raise IllegalTransition(_("Schedule a session before inviting the parties."), code="no_session")
        sent = 0
        for party in proc.case.parties.exclude(phone_enc="").order_by("pk"):
            sent += outbox_enqueue(
                template=Template.ROOM_INVITATION,
                key=f"room:{proc.pk}:s{session.pk}:invite:p{party.pk}",
                context={
                    "name": party.name,
                    "number": proc.case.number,
                    "when": _local(session.starts_at),
                    "mode": session.get_mode_display(),
                    "url": link,
                },
                phone=pii.decrypt(party.phone_enc),
                case=proc.case,
            )
        case_event_append(
            proc.case,
            "room_parties_invited",
            actor,
            data={"procedure": proc.pk, "session": session.pk, "messages": sent},
        )
    return sent


# ---------------------------------------------------------------- one-time codes


def _code_hash(party_id: int, purpose: str, code: str) -> str:
    return pii.keyed_hash(f"room:{party_id}:{purpose}:{code}")


def _phone_failures(phone_hash: str, now) -> int:
    return (
        RoomCode.objects.filter(phone_hash=phone_hash, created_at__gte=now - PHONE_WINDOW).aggregate(
            n=Sum("attempts")
        )["n"]
        or 0
    )


def _code_send(party: Party, purpose: str, terms: TermsVersion | None = None) -> RoomCode:
    """Inside the caller's transaction: a new code to the party's own phone, within the limits."""
    if not party.phone_enc:
        raise ValidationFailed(
            _("No phone number is recorded for this party; ask the centre."), code="no_phone"
        )
    now = clock.now()
    recent = RoomCode.objects.filter(party=party, purpose=purpose, created_at__gte=now - CODE_TTL).count()
    if recent >= CODES_PER_WINDOW:
        raise ValidationFailed(_("Too many codes were sent; wait ten minutes."), code="rate_limited")
    if (
        RoomCode.objects.filter(phone_hash=party.phone_hash, created_at__gte=now - PHONE_WINDOW).count()
        >= CODES_PER_PHONE
    ):
        raise ValidationFailed(
            _("Too many codes were sent to this phone; wait an hour."), code="rate_limited"
        )
    code = f"{secrets.randbelow(10**6):06d}"
    rc = RoomCode.objects.create(
        case_id=party.case_id,
        party=party,
        purpose=purpose,
        terms=terms,
        code_hash=_code_hash(party.pk, purpose, code),
        phone_hash=party.phone_hash,
        created_at=now,
        expires_at=now + CODE_TTL,
    )
    what = (
        _("Mediation room")
        if purpose == CodePurpose.JOIN or terms is None
        else _("Confirm terms v%(n)s") % {"n": terms.number}
    )
    outbox_enqueue(
        template=Template.ROOM_CODE,
        key=f"roomcode:{rc.pk}",
        context={"code": code, "minutes": int(CODE_TTL.total_seconds() // 60), "purpose": what},
        phone=pii.decrypt(party.phone_enc),
        case=party.case,
        sensitive=True,
    )
    return rc


def _code_check(party: Party, purpose: str, code: str, terms: TermsVersion | None = None) -> RoomCode:
    """Use the party's latest unexpired code once. A wrong try is committed before the refusal
    is raised (call this outside any other transaction)."""
    now = clock.now()
    with transaction.atomic():
        rc = (
            RoomCode.objects.select_for_update()
            .filter(party=party, purpose=purpose, terms=terms, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at", "-id")
            .first()
        )
        if rc is None or rc.attempts >= CODE_ATTEMPTS:
            raise ValidationFailed(_("The code has expired; ask for a new one."), code="code_expired")
        if _phone_failures(rc.phone_hash, now) >= PHONE_ATTEMPTS:
            raise ValidationFailed(
                _("Too many wrong codes for this phone; wait an hour."), code="rate_limited"
            )
        if secrets.compare_digest(rc.code_hash, _code_hash(party.pk, purpose, (code or "").strip())):
            return rc
        RoomCode.objects.filter(pk=rc.pk).update(attempts=F("attempts") + 1)
    raise ValidationFailed(_("The code is not right."), code="code_wrong", fields={"code": [_("wrong")]})


def _party_by_phone(procedure: Procedure, number: str, phone: str) -> Party:
    phone = pii.normalize_phone(phone or "")
    case = procedure.case
    party = None
    if phone and (number or "").strip() == case.number:
        party = case.parties.filter(phone_hash=pii.keyed_hash(phone)).order_by("pk").first()
    if party is None:
        # One answer for a wrong number and a wrong phone: tells nothing about either.
        raise NotFound(_("No party of this case has this phone number."), code="party_not_found")
    return party


def join_code_send(*, procedure: Procedure, number: str, phone: str) -> Party:
    """A party asks to join: the case number and their own phone; a code goes to that phone."""
    proc = Procedure.objects.select_related("case").filter(pk=procedure.pk).first()
    if proc is None:
        raise NotFound(_("No such procedure."))
    party = _party_by_phone(proc, number, phone)
    with transaction.atomic():
        _require_open(proc)
        _code_send(party, CodePurpose.JOIN)
    return party


def room_join(*, procedure: Procedure, party: Party, code: str) -> Party:
    """The party proves the phone is theirs: the code is used, the join is on the timeline."""
    if party.case_id != procedure.case_id:
        raise Conflict(_("This party belongs to another case."), code="party_other_case")
    rc = _code_check(party, CodePurpose.JOIN, code)
    with transaction.atomic():
        RoomCode.objects.filter(pk=rc.pk, used_at__isnull=True).update(used_at=clock.now())
        case_event_append(
            procedure.case, "room_party_joined", None, data={"procedure": procedure.pk, "party": party.pk}
        )
    return party


# ---------------------------------------------------------------- messages and files


def check_upload(upload: Upload) -> str:
    """The kind of an evidence file judged by its content; refused if too large, of a kind not
    accepted, or named as something it is not (photo.jpg that is a PDF)."""
    if len(upload.content) > MAX_BYTES:
        raise ValidationFailed(
            _("The file is larger than 10 MB."), code="file_too_large", fields={"file": [_("too large")]}
        )
    found = sniff(upload.content[:16])
    if found is None:
        raise ValidationFailed(
            _("%(name)s is not an image (JPEG, PNG, GIF, WebP) or a PDF.") % {"name": upload.name[:60]},
            code="file_refused",
            fields={"file": [_("not an accepted file")]},
        )
    kind, _ext = found
    ext = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if ext and ext not in EXTENSIONS[kind]:
        raise ValidationFailed(
            _("%(name)s is not what its name says (its content is %(kind)s).")
            % {"name": upload.name[:60], "kind": kind.upper()},
            code="file_mismatch",
            fields={"file": [_("content does not match the name")]},
        )
    return kind


def message_post(
    *,
    procedure: Procedure,
    text: str = "",
    upload: Upload | None = None,
    staff=None,
    party: Party | None = None,
) -> RoomMessage:
    """A message and/or an evidence file from the mediator (staff) or a party; refused once the
    procedure has ended (409)."""
    if (staff is None) == (party is None):
        raise ValueError("a message is from staff or from a party")
    if staff is not None:
        _require_worker(staff)
    text = _text(text, "text", limit=MAX_MESSAGE)
    kind = check_upload(upload) if upload is not None else ""
    if not text and upload is None:
        raise ValidationFailed(_("Write a message or choose a file."), fields={"text": [_("required")]})
    with transaction.atomic():
        proc = _lock(procedure)
        if party is not None and party.case_id != proc.case_id:
            raise Conflict(_("This party belongs to another case."), code="party_other_case")
        _require_open(proc)
        msg = RoomMessage(
            procedure=proc,
            case=proc.case,
            author=Author.MEDIATOR if staff is not None else Author.PARTY,
            staff=staff,
            party=party,
            text=text,
            at=clock.now(),
        )
        if upload is not None:
            sniffed = sniff(upload.content[:16])
            assert sniffed is not None  # the upload was checked by content above
            ext = sniffed[1]
            msg.file_kind = kind
            msg.file_size = len(upload.content)
            msg.file_sha256 = hashlib.sha256(upload.content).hexdigest()
            msg.file_name = upload.name[:200]
            msg.file.save(f"{secrets.token_hex(12)}.{ext}", ContentFile(upload.content), save=False)
        msg.save()
        case_event_append(
            proc.case,
            "room_file" if upload is not None else "room_message",
            staff,
            at=msg.at,
            data={
                "procedure": proc.pk,
                "message": msg.pk,
                "author": msg.author,
                "party": party.pk if party is not None else None,
                **({"file": msg.file_name, "sha256": msg.file_sha256} if upload is not None else {}),
            },
        )
        transaction.on_commit(lambda: _publish(proc.pk, msg.pk))
    return msg


# How long the room's newest message id stays in Redis without being written again: a message
# posted while Redis was away is seen by the polls at most this late (they read the database
# once the key has expired).
LATEST_TTL = 600


def _latest_key(procedure_id: int) -> str:
    return f"jiefen:room:{procedure_id}:latest"


def _redis():
    url = settings.JIEFEN_ROOM_PUBLISH_URL
    if not url:
        return None
    import redis

    return redis.Redis.from_url(url, socket_timeout=0.5)


def _publish(procedure_id: int, message_id: int) -> None:
    """With Redis configured, record the room's newest message id (what the polls read instead
    of the database) and tell listeners on the room's channel."""
    try:
        client = _redis()
        if client is None:
            return
        client.set(_latest_key(procedure_id), message_id, ex=LATEST_TTL)
        client.publish(f"jiefen:room:{procedure_id}", str(message_id))
    except Exception:  # Redis away: the polls read the database
        log.warning("could not publish room message %s", message_id, exc_info=True)


def room_latest(procedure_id: int) -> int | None:
    """The newest message id of the room as Redis knows it; None without Redis, when Redis is
    away or when it has no fresh value (then the caller reads the database)."""
    try:
        client = _redis()
        value = client.get(_latest_key(procedure_id)) if client is not None else None
    except Exception:
        return None
    return int(value) if value is not None else None


def room_latest_remember(procedure_id: int, message_id: int) -> None:
    """After a poll read the database, keep its newest id in Redis for the next polls."""
    try:
        client = _redis()
        if client is not None:
            client.set(_latest_key(procedure_id), message_id, ex=LATEST_TTL, nx=True)
    except Exception:
        pass


def file_opened(*, message: RoomMessage, staff) -> None:
    """Log that a staff member opened an evidence file of the room."""
    from jiefen.mediation_room.models import RoomFileAccess

    RoomFileAccess.objects.create(message=message, staff=staff, at=clock.now())


# ---------------------------------------------------------------- terms and confirmations


def terms_propose(*, procedure: Procedure, actor, text: str) -> TermsVersion:
    """Put a text of terms to the parties: a new numbered version with the SHA-256 of the exact
    text; earlier versions are superseded and their confirmations void."""
    _require_worker(actor)
    # Line ends as one character: a browser's form sends CRLF, the API usually LF; the same
    # terms must have the same hash whichever way they came.
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _text(text, "text", limit=MAX_TERMS, required=True)
    with transaction.atomic():
        proc = _lock(procedure)
        _require_open(proc)
        if TermsVersion.objects.filter(procedure=proc, final_at__isnull=False).exists():
            raise IllegalTransition(
                _("Every party has confirmed the terms; the agreement is final."), code="terms_final"
            )
        now = clock.now()
        earlier = TermsVersion.objects.filter(procedure=proc, superseded_at__isnull=True)
        voided = TermsConfirmation.objects.filter(terms__in=earlier, voided_at__isnull=True).update(
            voided_at=now
        )
        earlier.update(superseded_at=now)
        latest = (
            TermsVersion.objects.filter(procedure=proc)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        terms = TermsVersion.objects.create(
            procedure=proc,
            case=proc.case,
            number=(latest or 0) + 1,
            text=text,
            sha256=text_sha256(text),
            created_by=actor,
            created_at=now,
        )
        case_event_append(
            proc.case,
            "terms_proposed",
            actor,
            at=now,
            data={
                "procedure": proc.pk,
                "terms": terms.pk,
                "number": terms.number,
                "sha256": terms.sha256,
                "confirmations_voided": voided,
            },
        )
    return terms


def _confirmable(terms: TermsVersion, party: Party) -> None:
    if party.case_id != terms.case_id:
        raise Conflict(_("This party belongs to another case."), code="party_other_case")
    if terms.superseded_at is not None:
        raise Conflict(
            _("These terms have been replaced by a newer version; confirm the newest one."),
            code="terms_outdated",
        )
    if (
        terms.final_at is not None
        or TermsConfirmation.objects.filter(terms=terms, party=party, voided_at__isnull=True).exists()
    ):
        raise Conflict(_("This party has already confirmed these terms."), code="already_confirmed")


def confirm_code_send(*, terms: TermsVersion, party: Party) -> RoomCode:
    """Send a one-time code for this version of the terms to the party's own phone."""
    with transaction.atomic():
        proc = _lock(terms.procedure_id)
        terms = TermsVersion.objects.get(pk=terms.pk)
        _require_open(proc)
        _confirmable(terms, party)
        return _code_send(party, CodePurpose.CONFIRM, terms)


def terms_confirm(
    *,
    terms: TermsVersion,
    party: Party,
    code: str,
    ip: str | None = None,
    user_agent: str = "",
    entered_by=None,
) -> TermsConfirmation:
    """A party confirms the exact text of one version with the code sent to their phone: who,
    when, from where and the hash are recorded; when every party has confirmed, the version is
    final (on the terms, the procedure's data and the timeline)."""
    _confirmable(terms, party)
    rc = _code_check(party, CodePurpose.CONFIRM, code, terms)
    with transaction.atomic():
        proc = _lock(terms.procedure_id)
        terms = TermsVersion.objects.select_for_update().get(pk=terms.pk)
        _require_open(proc)
        _confirmable(terms, party)  # again under the lock: a new version may have come meanwhile
        used = RoomCode.objects.filter(pk=rc.pk, used_at__isnull=True).update(used_at=clock.now())
        if not used:
            raise ValidationFailed(_("The code has expired; ask for a new one."), code="code_expired")
        now = clock.now()
        confirmation = TermsConfirmation.objects.create(
            terms=terms,
            party=party,
            party_name=party.name,
            phone_masked=party.phone_masked,
            confirmed_at=now,
            ip=ip or None,
            user_agent=(user_agent or "")[:300],
            sha256=text_sha256(terms.text),
            entered_by=entered_by,
        )
        case_event_append(
            proc.case,
            "terms_confirmed",
            entered_by,
            at=now,
            data={
                "procedure": proc.pk,
                "terms": terms.pk,
                "number": terms.number,
                "party": party.pk,
                "sha256": confirmation.sha256,
            },
        )
        everyone = set(proc.case.parties.values_list("pk", flat=True))
        confirmed = set(
            TermsConfirmation.objects.filter(terms=terms, voided_at__isnull=True).values_list(
                "party_id", flat=True
            )
        )
        if everyone <= confirmed:
            terms.final_at = now
            terms.save(update_fields=["final_at"])
            proc.data = {
                **(proc.data or {}),
                "terms_final": {
                    "terms": terms.pk,
                    "number": terms.number,
                    "sha256": terms.sha256,
                    "at": now.isoformat(),
                },
            }
            proc.version += 1
            proc.save(update_fields=["data", "version"])
            case_event_append(
                proc.case,
                "terms_final",
                None,
                at=now,
                data={
                    "procedure": proc.pk,
                    "terms": terms.pk,
                    "number": terms.number,
                    "sha256": terms.sha256,
                },
            )
    return confirmation
