"""Writes of the list of people who need continued attention (重点人员).

Listing is a leader's decision, for a reason tied to cases (PIPL art. 6: a stated, limited
purpose), with a responsible officer and a plan; it lapses on its review date unless renewed
(`watch_lapse_due`, run by the sweep). Every write is one transaction with its `WatchEvent`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiefen.cases.models import Case, Party
from jiefen.cases.selectors import case_scope
from jiefen.core import clock
from jiefen.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiefen.directory.models import Staff
from jiefen.watchlist.choices import EntryStatus, EventKind, ReasonKind
from jiefen.watchlist.models import WatchEntry, WatchEvent

MAX_REVIEW_DAYS = 366  # an entry is looked at again within a year at the latest


def is_leader(staff: Staff) -> bool:
    """Leaders decide on listing (the role itself: a superuser without it does not see the list)."""
    return "leader" in (staff.roles or [])


@dataclass
class EntryInput:
    case: str  # the case number the person is a party to
    party_id: int | None
    reason_kind: str
    reason_note: str
    officer_id: int | None
    plan: str
    review_on: date | None
    cases: list[str]  # further case numbers behind the reason


def _scoped_cases(actor: Staff, numbers: list[str]) -> list[Case]:
    found = {
        c.number: c
        for c in Case.objects.filter(case_scope(actor))
        .filter(number__in=numbers)
        .select_related("region", "county")
    }
    missing = [n for n in numbers if n not in found]
    if missing:
        raise NotFound(_("No such case: %(n)s.") % {"n": ", ".join(missing)})
    return [found[n] for n in numbers]


def watch_entry_create(*, actor: Staff, data: EntryInput) -> WatchEntry:
    """List the person who is party `party_id` to case `case`; 422 without a reason, cases
    behind it, a responsible officer, a plan or a review date within a year."""
    if not is_leader(actor):
        raise PermissionDenied(_("Only leaders may list a person."))
    errors: dict[str, list[str]] = {}
    today = clock.today()
    if data.reason_kind not in ReasonKind.values:
        errors["reason_kind"] = [_("required")]
    if not (data.reason_note or "").strip():
        errors["reason_note"] = [_("required")]
    if data.officer_id is None:
        errors["officer"] = [_("required")]
    if not (data.plan or "").strip():
        errors["plan"] = [_("required")]
    if data.review_on is None:
        errors["review_on"] = [_("required")]
    elif not today < data.review_on <= date.fromordinal(today.toordinal() + MAX_REVIEW_DAYS):
        errors["review_on"] = [_("between tomorrow and a year from today")]
    if data.party_id is None:
        errors["party"] = [_("required")]
    # The None checks repeat the ones above so that the type checker sees them.
    if errors or data.party_id is None or data.officer_id is None or data.review_on is None:
        raise ValidationFailed(
            _("The entry needs a reason, a responsible officer and a plan."), fields=errors
        )
    numbers = list(dict.fromkeys([data.case, *[n for n in data.cases if n]]))
    cases = _scoped_cases(actor, numbers)
    first = cases[0]
    party = (
        Party.objects.filter(case=first, pk=data.party_id, kind="person").exclude(id_number_hash="").first()
    )
    if party is None:
        raise ValidationFailed(
            _("Choose a person of the case whose ID number is recorded."), fields={"party": [_("invalid")]}
        )
    person = party.id_number_hash
    linked = set(
        Party.objects.filter(case__in=cases, id_number_hash=person).values_list("case_id", flat=True)
    )
    stray = [c.number for c in cases if c.pk not in linked]
    if stray:
        raise ValidationFailed(
            _("The person is not a party to case %(n)s.") % {"n": ", ".join(stray)},
            fields={"cases": [_("invalid")]},
        )
    _check_reason(data.reason_kind, person, cases)
    officer = (
        Staff.objects.filter(pk=data.officer_id, is_active=True)
        .select_related("organization__region")
        .first()
    )
    if (
        officer is None
        or officer.organization is None
        or officer.organization.region.county_id != first.county_id
    ):
        raise ValidationFailed(
            _("The responsible officer must be staff of the case's county."),
            fields={"officer": [_("invalid")]},
        )
    now = clock.now()
    try:
        with transaction.atomic():
            entry = WatchEntry.objects.create(
                county=first.county,
                region=first.village or first.town or first.county,
                person_hash=person,
                reason_kind=data.reason_kind,
                reason_note=data.reason_note.strip()[:4000],
                officer=officer,
                plan=data.plan.strip()[:4000],
                review_on=data.review_on,
                created_by=actor,
                created_at=now,
            )
            entry.cases.set(cases)
            WatchEvent.objects.create(
                entry=entry, at=now, actor=actor, kind=EventKind.LISTED, note=entry.reason_note
            )
    except IntegrityError:
        raise Conflict(_("This person is already listed."), code="already_listed") from None
    return entry


def _check_reason(kind: str, person: str, cases: list[Case]) -> None:
    """The reason must be borne out by the cases: a petition ended by 复核 for the person, or a
    red risk on one of the cases; a notice is described in the note."""
    if kind == ReasonKind.REPEAT_PETITION:
        from jiefen.procedures.models import PetitionEnded

        ended = (
            PetitionEnded.objects.filter(person_hash=person)
            .order_by("ended_at")
            .values_list("ended_at", flat=True)
            .first()
        )
        if ended is None or not any(c.received_at > ended for c in cases):
            raise ValidationFailed(
                _("No case of this person came after a petition ended with 复核."),
                fields={"reason_kind": [_("not borne out")]},
            )
    elif kind == ReasonKind.RED_RISK:
        from jiefen.triage.models import CaseTriage

        if not CaseTriage.objects.filter(case__in=cases, risk_level="red").exists():
            raise ValidationFailed(
                _("None of the cases is assessed at red risk."), fields={"reason_kind": [_("not borne out")]}
            )


def _locked(entry_id: int, actor: Staff, version: int | None) -> WatchEntry:
    from jiefen.watchlist.selectors import visible

    entry = WatchEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None or not visible(actor, entry):
        raise NotFound(_("No such entry."))
    if entry.status != EntryStatus.ACTIVE:
        raise Conflict(_("The entry is no longer active."), code="entry_not_active")
    if version is not None and version != entry.version:
        raise Conflict(_("Someone changed the entry meanwhile; reload it."))
    return entry


def watch_contact_add(*, actor: Staff, entry_id: int, note: str) -> WatchEvent:
    """A contact with the person (visit, call, talk) recorded by the officer or a leader."""
    if not (note or "").strip():
        raise ValidationFailed(_("Say what was done."), fields={"note": [_("required")]})
    with transaction.atomic():
        entry = _locked(entry_id, actor, None)
        return WatchEvent.objects.create(
            entry=entry, at=clock.now(), actor=actor, kind=EventKind.CONTACT, note=note.strip()[:4000]
        )


def watch_entry_renew(
    *, actor: Staff, entry_id: int, review_on: date | None, note: str, version: int | None = None
) -> WatchEntry:
    """A leader keeps the person listed until a new review date, saying why."""
    if not is_leader(actor):
        raise PermissionDenied(_("Only leaders may renew an entry."))
    today = clock.today()
    if not note.strip():
        raise ValidationFailed(_("Say why the person stays listed."), fields={"note": [_("required")]})
    if review_on is None or not today < review_on <= date.fromordinal(today.toordinal() + MAX_REVIEW_DAYS):
        raise ValidationFailed(
            _("The review date must be within a year."),
            fields={"review_on": [_("between tomorrow and a year from today")]},
        )
    with transaction.atomic():
        entry = _locked(entry_id, actor, version)
        entry.review_on = review_on
        entry.version += 1
        entry.save(update_fields=["review_on", "version"])
        WatchEvent.objects.create(
            entry=entry,
            at=clock.now(),
            actor=actor,
            kind=EventKind.RENEWED,
            note=f"{review_on.isoformat()}: {note.strip()[:4000]}",
        )
    return entry


def watch_entry_remove(*, actor: Staff, entry_id: int, reason: str, version: int | None = None) -> WatchEntry:
    """A leader takes the person off the list, with the reason."""
    if not is_leader(actor):
        raise PermissionDenied(_("Only leaders may remove an entry."))
    if not (reason or "").strip():
        raise ValidationFailed(
            _("Say why the person is removed."), code="reason_required", fields={"reason": [_("required")]}
        )
    now = clock.now()
    with transaction.atomic():
        entry = _locked(entry_id, actor, version)
        entry.status = EntryStatus.REMOVED
        entry.ended_at = now
        entry.end_reason = reason.strip()[:4000]
        entry.version += 1
        entry.save(update_fields=["status", "ended_at", "end_reason", "version"])
        WatchEvent.objects.create(
            entry=entry, at=now, actor=actor, kind=EventKind.REMOVED, note=entry.end_reason
        )
    return entry


def watch_lapse_due(*, now: datetime | None = None) -> int:
    """Entries whose review date has passed without renewal lapse (idempotent; run by the
    sweep): status, end and the reason recorded, one event each."""
    now = now or clock.now()
    today = timezone.localtime(now).date()
    n = 0
    with transaction.atomic():
        for entry in WatchEntry.objects.select_for_update().filter(
            status=EntryStatus.ACTIVE, review_on__lt=today
        ):
            entry.status = EntryStatus.LAPSED
            entry.ended_at = now
            entry.end_reason = _("The review date %(day)s passed without renewal.") % {
                "day": entry.review_on.isoformat()
            }
            entry.version += 1
            entry.save(update_fields=["status", "ended_at", "end_reason", "version"])
            WatchEvent.objects.create(entry=entry, at=now, kind=EventKind.LAPSED, note=entry.end_reason)
            n += 1
    return n


def watch_alerts_seen(*, actor: Staff, entry_id: int) -> int:
    """The responsible officer has seen the new cases of the person."""
    return WatchEvent.objects.filter(
        entry_id=entry_id, entry__officer=actor, kind=EventKind.REGISTERED, seen_at__isnull=True
    ).update(seen_at=clock.now())


# ---------------------------------------------------------------- registrations (cases.hooks)


def registration_reads(cases: list[Case], parties: list[list[Party]]) -> list[list[int]]:
    """For each new case, the active entries of its parties' hashes (one query for the batch)."""
    hashes = {p.id_number_hash for rows in parties for p in rows if p.id_number_hash}
    if not hashes:
        return [[] for _c in cases]
    entries: dict[tuple[int, str], list[int]] = {}
    for pk, county_id, person in WatchEntry.objects.filter(
        status=EntryStatus.ACTIVE, person_hash__in=hashes
    ).values_list("pk", "county_id", "person_hash"):
        entries.setdefault((county_id, person), []).append(pk)
    out = []
    for case, rows in zip(cases, parties, strict=True):
        found: list[int] = []
        for p in rows:
            for pk in entries.get((case.county_id, p.id_number_hash), []) if p.id_number_hash else []:
                if pk not in found:
                    found.append(pk)
        out.append(found)
    return out


def on_cases_registered(cases: list[Case], reads: list[list[int]] | None) -> None:
    """A listed person registered a new case: one event per (entry, case) for the responsible
    officer, one INSERT for the batch. The event names the case only (no personal data)."""
    if not reads:
        return
    rows = [
        WatchEvent(
            entry_id=pk, at=case.registered_at, kind=EventKind.REGISTERED, case_id=case.pk, note=case.number
        )
        for case, found in zip(cases, reads, strict=True)
        for pk in found
    ]
    if rows:
        WatchEvent.objects.bulk_create(rows)
