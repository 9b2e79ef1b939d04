"""Reads of the online mediation room. Staff reach a procedure through
procedures.selectors.procedure_get (the viewer's jurisdiction); a party only the procedure of
the case they proved theirs with a one-time code (the views keep that in the session)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jiefen.mediation_room.models import (
    RoomMessage,
    RoomSession,
    TermsConfirmation,
    TermsVersion,
    text_sha256,
)


@dataclass(frozen=True)
class ConfirmationRecord:
    """One party's confirmation of the final terms, as printed on the agreement."""

    party_id: int
    party_name: str
    party_role: str
    phone_masked: str
    confirmed_at: datetime
    ip: str
    user_agent: str
    sha256: str  # of the text the party confirmed
    terms_id: int
    terms_number: int
    hash_matches: bool  # the stored text of the terms still hashes to what the party confirmed


def final_terms(procedure) -> TermsVersion | None:
    """The version every party confirmed, if there is one."""
    return (
        TermsVersion.objects.filter(procedure=procedure, final_at__isnull=False).order_by("-number").first()
    )


def current_terms(procedure) -> TermsVersion | None:
    """The version now put to the parties (the newest)."""
    return TermsVersion.objects.filter(procedure=procedure).order_by("-number").first()


def confirmations_for(procedure) -> list[ConfirmationRecord]:
    """The confirmation records of the final terms version of a procedure (party, time, place,
    hash), in the order given; empty while the terms are not final."""
    terms = final_terms(procedure)
    if terms is None:
        return []
    recomputed = text_sha256(terms.text)
    rows = TermsConfirmation.objects.filter(terms=terms, voided_at__isnull=True).select_related("party")
    return [
        ConfirmationRecord(
            party_id=c.party_id,
            party_name=c.party_name,
            party_role=c.party.role,
            phone_masked=c.phone_masked,
            confirmed_at=c.confirmed_at,
            ip=c.ip or "",
            user_agent=c.user_agent,
            sha256=c.sha256,
            terms_id=terms.pk,
            terms_number=terms.number,
            hash_matches=(c.sha256 == recomputed == terms.sha256),
        )
        for c in rows.order_by("confirmed_at", "id")
    ]


def terms_check(terms: TermsVersion) -> dict:
    """Check a terms version later: the text's hash recomputed against the stored one and
    against each confirmation."""
    recomputed = text_sha256(terms.text)
    confirmations = list(terms.confirmations.order_by("confirmed_at", "id"))
    return {
        "terms": terms.pk,
        "number": terms.number,
        "stored_sha256": terms.sha256,
        "recomputed_sha256": recomputed,
        "text_intact": recomputed == terms.sha256,
        "confirmations": [
            {
                "party": c.party_id,
                "sha256": c.sha256,
                "matches": c.sha256 == recomputed,
                "voided": c.voided_at is not None,
            }
            for c in confirmations
        ],
    }


def sessions(procedure) -> list[RoomSession]:
    return list(RoomSession.objects.filter(procedure=procedure).order_by("starts_at", "id"))


def messages(procedure, *, after: int = 0, limit: int = 500) -> list[RoomMessage]:
    return list(
        RoomMessage.objects.filter(procedure=procedure, pk__gt=after)
        .select_related("staff", "party")
        .order_by("id")[:limit]
    )


def confirmed_party_ids(terms: TermsVersion | None) -> set[int]:
    if terms is None:
        return set()
    return set(
        TermsConfirmation.objects.filter(terms=terms, voided_at__isnull=True).values_list(
            "party_id", flat=True
        )
    )
